// The warnings and origin a verifier derives from proven trace records (deriveTraceWarnings,
// deriveOrigin in src/trace_answer.js) against tests/vectors/trace_warnings_vectors.json, which
// the C++ twins pass too (tests/sdk/trace_warnings_test.cc); and the disagreement flag of
// verifyTraceAnswer over the proof vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as tm from '../src/index.js';

const read = (name) => JSON.parse(readFileSync(new URL(`../../../tests/vectors/${name}`, import.meta.url)));
const doc = read('trace_warnings_vectors.json');

test('every warnings vector derives its warnings and origin', () => {
  assert.ok(doc.cases.length >= 15);
  for (const c of doc.cases) {
    assert.deepEqual(tm.deriveTraceWarnings(c.id, c.records, c.as_of_ms), c.warnings, c.name);
    assert.equal(tm.deriveOrigin(c.id, c.records), c.origin_country, c.name);
  }
});

test('an answer whose unproven warnings or origin differ from its proof verifies but is flagged', () => {
  const proofs = read('proof_vectors.json');
  const trust = tm.trustFromGenesis(proofs.trust);
  const flagged = proofs.trace_answers.filter((c) => c.expect === 'flagged');
  assert.ok(flagged.some((c) => c.name === 'answer_warnings_emptied'));
  for (const c of proofs.trace_answers) {
    if (c.expect === 'reject') continue;
    const r = tm.verifyTraceAnswer(c.answer, trust);
    assert.equal(r.ok, true, c.name);
    assert.deepEqual(r.warnings, [{ kind: 'scanned', params: { count: 2, first_time: '2026-03-06T12:00:00Z' } }], c.name);
    assert.equal(r.origin_country, 'NZ');
    assert.equal(r.disagreements.length > 0, c.expect === 'flagged', c.name);
  }
  const emptied = tm.verifyTraceAnswer(flagged.find((c) => c.name === 'answer_warnings_emptied').answer, trust);
  assert.deepEqual(emptied.disagreements.map((d) => d.field), ['warnings']);
});
