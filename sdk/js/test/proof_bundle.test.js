// Proof bundles and resolver answers (src/proof_bundle.js, src/trace_answer.js) against the shared
// vectors tests/vectors/proof_vectors.json that the C++ verifiers also pass: every valid bundle
// verifies with the expected contents, every tampered one is rejected with a VerifyError; then
// tampering with decoded objects here, part by part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as tm from '../src/index.js';

const doc = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/proof_vectors.json', import.meta.url)),
);
const trust = tm.trustFromGenesis(doc.trust);
const caseOf = (list, name) => doc[list].find((c) => c.name === name);

const rejected = (fn) =>
  assert.throws(fn, (e) => e instanceof tm.VerifyError, 'expected a VerifyError');

test('every state bundle vector is judged as the C++ verifier judges it', () => {
  assert.ok(doc.state_bundles.length >= 15);
  for (const c of doc.state_bundles) {
    if (c.expect === 'ok') {
      const v = tm.verifyStateBundleBytes(trust, c.hex);
      if (c.entries) {
        assert.equal(v.height, c.height, c.name);
        assert.deepEqual(v.signers.map((s) => s.index), c.signers);
        for (const e of c.entries) {
          const got = v.entries.find((x) => tm.utf8Decode(x.key) === e.key);
          assert.equal(tm.toHex(got.value), e.value, `${c.name} ${e.key}`);
        }
      }
      if (c.absent) {
        for (const k of c.absent) {
          assert.equal(v.entries.find((x) => tm.utf8Decode(x.key) === k).present, false);
        }
      }
      if (c.epoch) assert.equal(v.epoch, c.epoch);
    } else {
      rejected(() => tm.verifyStateBundleBytes(trust, c.hex));
    }
  }
});

test('every tx bundle vector is judged as the C++ verifier judges it', () => {
  for (const c of doc.tx_bundles) {
    if (c.expect === 'ok') {
      const v = tm.verifyTxBundleBytes(trust, c.hex);
      assert.equal(v.txId, c.tx_id);
      assert.equal(v.height, c.height);
      assert.equal(v.index, c.index);
      assert.ok(v.receipt);
    } else {
      rejected(() => tm.verifyTxBundleBytes(trust, c.hex));
    }
  }
});

test('verifyTraceAnswer: the valid answer gives proven facts, every altered proven part is rejected', () => {
  assert.ok(caseOf('trace_answers', 'answer_ok_values_in_bundle'));
  for (const c of doc.trace_answers) {
    if (c.name === 'answer_ok_values_in_bundle') {
      assert.equal(tm.verifyTraceAnswer(c.answer, trust).facts.state, 'ON_SHELF');
    } else if (c.expect === 'ok') {
      const r = tm.verifyTraceAnswer(c.answer, trust);
      assert.equal(r.ok, true);
      assert.equal(r.height, c.answer.proof.height);
      assert.deepEqual(r.signers.map((s) => s.org), ['org0', 'org1', 'org2']);
      assert.equal(r.quorum.of, 4);
      assert.equal(r.facts.state, 'ON_SHELF');
      assert.equal(r.facts.product.name, 'Sea buckthorn juice 1 l');
      assert.equal(r.facts.customs.status, 'RELEASED');
      assert.equal(r.facts.scans.count, 2);
      assert.equal(r.facts.certificates.length, 1);
      assert.equal(r.facts.recalled, null);
      assert.ok(r.checked.includes('records'));
      for (const f of ['state', 'timeline', 'product', 'lot', 'customs', 'scans', 'certificates']) {
        assert.ok(r.checked.includes(f), f);
      }
      // The trust anchor may also be given as { chainId, genesis: hex } or the /v1/genesis JSON.
      tm.verifyTraceAnswer(c.answer, { chainId: doc.trust.chain_id, genesis: doc.trust.validator_set });
      tm.verifyTraceAnswer(c.answer, doc.trust);
      // Another genesis set (or chain) verifies nothing.
      rejected(() => tm.verifyTraceAnswer(c.answer, { ...doc.trust, chain_id: 'tidemark-other' }));
    } else if (c.expect === 'flagged') {  // unproven parts altered: trace_warnings.test.js
      assert.ok(tm.verifyTraceAnswer(c.answer, trust).disagreements.length > 0, c.name);
    } else {
      rejected(() => tm.verifyTraceAnswer(c.answer, trust));
    }
  }
});

test('tampering with each part of a decoded bundle is rejected', () => {
  const good = caseOf('state_bundles', 'trace_epoch0').hex;
  const fresh = () => tm.decodeStateBundle(tm.fromHex(good));
  tm.verifyStateBundle(trust, fresh());
  const parts = {
    value: (b) => { b.state.entries[2].value[0] ^= 1; },
    sibling: (b) => { b.state.siblings[0][0] ^= 1; },
    absent_claimed: (b) => { b.state.entries[0].value = null; },
    header_height: (b) => { b.header.height += 1n; },
    header_state_root: (b) => { b.header.state_root[5] ^= 1; },
    signature: (b) => { b.cert.signatures[0].signature[0] ^= 1; },
    signer_outside_set: (b) => { b.cert.signatures[2].signer = 7; },
    too_few_signers: (b) => { b.cert.signatures.pop(); },
    duplicate_signer: (b) => { b.cert.signatures[1] = b.cert.signatures[0]; },
    stale_epoch: (b) => { b.header.epoch = 1n; },
  };
  for (const [name, mutate] of Object.entries(parts)) {
    const b = fresh();
    mutate(b);
    assert.throws(() => tm.verifyStateBundle(trust, b), tm.VerifyError, name);
  }
  // The epoch chain: dropping it makes the epoch-1 header unverifiable from genesis.
  const e1 = tm.decodeStateBundle(tm.fromHex(caseOf('state_bundles', 'epoch1_with_chain').hex));
  assert.equal(tm.verifyStateBundle(trust, e1).epoch, 1);
  e1.epochs = [];
  assert.throws(() => tm.verifyStateBundle(trust, e1), /not reached by the epoch chain/);
});

test('verification of a trace bundle stays fast (reported, not a pass/fail timing)', () => {
  const a = caseOf('trace_answers', 'answer_ok').answer;
  const times = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    tm.verifyTraceAnswer(a, trust);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  console.log(`verifyTraceAnswer median ${times[10].toFixed(2)} ms over 20 runs`);
});
