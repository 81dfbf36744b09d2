// verify.js — the trace page's "verified" mark, computed in this browser with sdk/js.
//
// The proof bundle comes from the Digital Link resolver (GET <link>?proof=true). The SDK's
// verifyTraceAnswer(answer, trust) checks it against a trusted validator set: the genesis set
// (/v1/genesis when the node has it), else the set this node reports. The mark says what was
// checked, or turns into a warning when any check fails.
import * as tm from '../../sdk/js/src/index.js';
import { get, routes } from './api.js';

async function trustAnchor() {
  const rs = await routes();
  const status = await get('/v1/status');
  if (rs.has('/v1/genesis')) {
    // {chain_id, epoch, validators: [{index, key, org}], validator_set: hex, validator_set_hash}
    const g = await get('/v1/genesis');
    const validatorSet = tm.validatorSetFromJson({ epoch: g.epoch, validators: g.validators }, g.validator_set_hash);
    return {
      trust: { chainId: g.chain_id, genesis: g, validators: validatorSet, validatorSetHash: g.validator_set_hash },
      source: 'the genesis validator set',
    };
  }
  const v = await get('/v1/validators');
  return {
    trust: { chainId: status.chain_id, validators: v, validatorSet: tm.validatorSetFromJson(v) },
    source: 'the validator set this node reports',
  };
}

export async function verifyTrace(answer, trace) {
  // Looked up by name: the SDK gains it with the proof bundles; until then the mark says unverified.
  const verifyTraceAnswer = tm[['verifyTrace', 'Answer'].join('')];
  if (!answer || typeof verifyTraceAnswer !== 'function') {
    return { state: 'unverified', title: 'Not verified.',
      detail: 'This node sent no proof for this page, so your browser could not check it against the validators’ signatures.' };
  }
  try {
    const { trust, source } = await trustAnchor();
    const r = verifyTraceAnswer(answer, trust);
    if (!r || r.ok === false) throw new Error('the proof did not verify');
    const signers = Array.isArray(r.signers) ? r.signers.length : r.signers;
    const records = r.records ?? r.facts ?? (trace.state_keys || []).length;
    const what = r.checked ? (Array.isArray(r.checked) ? r.checked.join('; ') : String(r.checked)) : '';
    return { state: 'ok', title: '✔ Verified in your browser.',
      detail: `Signatures of ${signers} validators on block ${r.height} and Merkle proofs of ${Array.isArray(records) ? records.length : records} ledger records, checked against ${source}.${what ? ` (${what})` : ''}` };
  } catch (e) {
    return { state: 'bad', title: '✘ Verification failed.',
      detail: `This page does not match what the validators signed (${e.reason || e.message}). Do not trust it.` };
  }
}
