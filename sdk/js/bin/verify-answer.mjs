#!/usr/bin/env node
// verify-answer.mjs — verifies a saved resolver answer (GET /01/...?proof=true) with the JS SDK:
//   node sdk/js/bin/verify-answer.mjs answer.json genesis.json
// genesis.json is the /v1/genesis answer (the trust anchor). Prints the verification result as
// JSON; exit 0 when verified, 1 with {"ok": false, "reason"} otherwise.
import { readFileSync } from 'node:fs';

import { VerifyError, verifyTraceAnswer } from '../src/index.js';

const [answerPath, genesisPath] = process.argv.slice(2);
if (!answerPath || !genesisPath) {
  console.error('usage: verify-answer.mjs ANSWER.json GENESIS.json');
  process.exit(2);
}
const answer = JSON.parse(readFileSync(answerPath, 'utf8'));
const genesis = JSON.parse(readFileSync(genesisPath, 'utf8'));
try {
  const r = verifyTraceAnswer(answer, genesis);
  console.log(JSON.stringify({ ok: r.ok, height: r.height, stateVersion: r.stateVersion,
                               signers: r.signers, checked: r.checked, facts: r.facts }));
} catch (e) {
  if (!(e instanceof VerifyError)) throw e;
  console.log(JSON.stringify({ ok: false, reason: e.reason }));
  process.exit(1);
}
