#!/usr/bin/env node
// verify-answer.mjs — verifies a saved resolver answer (GET /01/...?proof=true), state read
// (GET /v1/state/{key}?proof=true) or finance answer (GET /v1/fin/check, GET
// /v1/fin/receivables/{id}?proof=true) with the JS SDK:
//   node sdk/js/bin/verify-answer.mjs answer.json genesis.json [ASKED]
// ASKED (finance answers): FINGERPRINT,INVOICE_KEY or a receivable id; default: what the answer
// names (then only the proof, not that it answers your question, is checked).
// genesis.json is the /v1/genesis answer (the trust anchor). Prints the verification result as
// JSON; exit 0 when verified, 1 with {"ok": false, "reason"} otherwise.
import { readFileSync } from 'node:fs';

import {
  VerifyError,
  toHex,
  verifyFinCheckAnswer,
  verifyReceivableAnswer,
  verifyStateBundleBytes,
  verifyTraceAnswer,
} from '../src/index.js';

const [answerPath, genesisPath, asked] = process.argv.slice(2);
if (!answerPath || !genesisPath) {
  console.error('usage: verify-answer.mjs ANSWER.json GENESIS.json');
  process.exit(2);
}
const answer = JSON.parse(readFileSync(answerPath, 'utf8'));
const genesis = JSON.parse(readFileSync(genesisPath, 'utf8'));
// A state read names its key (hex) and value (hex or null); the bundle must prove exactly that.
function verifyStateRead(a, trust) {
  if (!a.proof || typeof a.proof.bundle !== 'string') {
    throw new VerifyError('answer: carries no proof bundle (ask with ?proof=true)');
  }
  const v = verifyStateBundleBytes(trust, a.proof.bundle);
  const entry = v.entries.find((e) => toHex(e.key) === a.key.toLowerCase());
  if (!entry) throw new VerifyError(`answer: key ${a.key} is not proven`);
  const proven = entry.value ? toHex(entry.value) : null;
  if (proven !== (a.value ?? null)) throw new VerifyError(`answer: value of ${a.key} differs from the proven one`);
  return { ok: true, height: v.height, stateVersion: v.stateVersion, epoch: v.epoch,
           signers: v.signers, validatorCount: v.validatorCount };
}

const brief = (r) => ({ ok: r.ok, height: r.height, stateVersion: r.stateVersion,
  signers: r.signers, checked: r.checked });

try {
  if (answer.fingerprint && answer.invoice_key) {
    const [fingerprint, invoiceKey] = asked
      ? asked.split(',') : [answer.fingerprint.value, answer.invoice_key.value];
    const r = verifyFinCheckAnswer(answer, genesis, { fingerprint, invoiceKey });
    console.log(JSON.stringify({ ...brief(r), state: r.state, fingerprint: r.fingerprint.state,
      invoice_key: r.invoiceKey.state }));
  } else if (answer.receivable || answer.record) {
    const r = verifyReceivableAnswer(answer, genesis,
      asked ?? answer.id ?? (answer.receivable ?? answer.record).id);
    console.log(JSON.stringify({ ...brief(r), overdue: r.overdue, receivable: r.record }));
  } else if (typeof answer.key === 'string' && !('state_keys' in answer)) {
    console.log(JSON.stringify(verifyStateRead(answer, genesis)));
  } else {
    const r = verifyTraceAnswer(answer, genesis);
    console.log(JSON.stringify({ ok: r.ok, height: r.height, stateVersion: r.stateVersion,
                                 signers: r.signers, checked: r.checked, facts: r.facts }));
  }
} catch (e) {
  if (!(e instanceof VerifyError)) throw e;
  console.log(JSON.stringify({ ok: false, reason: e.reason }));
  process.exit(1);
}
