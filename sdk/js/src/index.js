// @tidemark/sdk — verify Tidemark ledger data in the browser or Node without trusting the node.
// See docs/js-sdk.md. Every module is pure ES, synchronous, with no Node-only API.
export * from './bytes.js';
export * from './codec.js';
export * from './hash.js';
export * from './crypto.js';
export * from './value.js';
export * from './merkle.js';
export * from './types.js';
export * from './proofs.js';
export * from './json.js';
export * from './state_proof.js';
export * from './rest.js';
export * from './proof_bundle.js';
export * from './state_keys.js';
export * from './trace_answer.js';
export * from './finance.js';
export * from './pledge.js';
