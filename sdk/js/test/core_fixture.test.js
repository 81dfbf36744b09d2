// Cross-implementation checks against test/fixtures/core-fixture.json, produced by the C++ core
// (sdk/src at the skeleton commit) with deterministic seeds: byte-for-byte encodings, ids,
// hashes and signatures must agree. tests/vectors/vectors.json (vectors.test.js) is the
// normative set; this fixture adds a full 4-validator QC and receipts/headers signed by C++.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as tm from '../src/index.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/core-fixture.json', import.meta.url)));
const hex = tm.toHex;
const unhex = tm.fromHex;

test('keys: public key from seed and raw signatures match libsodium', () => {
  for (const k of fx.keys) {
    const seed = unhex(k.seed);
    assert.equal(hex(tm.publicKeyFromSeed(seed)), k.public_key);
    assert.equal(hex(tm.signRaw(seed, unhex(k.message))), k.signature);
    assert.ok(tm.verifyRaw(unhex(k.public_key), unhex(k.message), unhex(k.signature)));
    assert.equal(
      hex(tm.signingMessage('vote', 'tidemark-test', unhex(k.message))),
      k.signing_message_vote,
    );
  }
});

test('values: encodings and JSON text match the C++ Value', () => {
  for (const v of fx.values) {
    const value = tm.valueFromJsonText(v.json);
    assert.equal(hex(tm.encodeValue(value)), v.encoding);
    const decoded = tm.decodeValue(unhex(v.encoding));
    assert.deepEqual(decoded, value);
    assert.equal(tm.valueToJsonText(decoded), v.json);
  }
});

test('transactions: body, encoding, id and signature match; decode round-trips', () => {
  for (const t of fx.txs) {
    const tx = tm.decodeTransaction(unhex(t.encoding));
    assert.equal(hex(tm.encodeTransaction(tx)), t.encoding);
    assert.equal(hex(tm.transactionSigningBody(tx)), t.signing_body);
    assert.equal(hex(tm.transactionId(tx)), t.id);
    assert.ok(tm.verifyTransactionSignature(tx));
    const fresh = {
      chain_id: tx.chain_id,
      nonce: tx.nonce,
      contract: tx.contract,
      method: tx.method,
      args: unhex(t.args),
      expiry_height: tx.expiry_height,
    };
    tm.signTransaction(fresh, unhex(t.seed));
    assert.equal(hex(fresh.signature), t.signature);
    assert.equal(hex(tm.transactionId(fresh)), t.id);
    assert.deepEqual(tm.decodeValue(tx.args), { gtin: '09521234543213', qty: 12n });
  }
});

test('validator set, QC, vote, header, receipt agree with C++', () => {
  const vs = tm.decodeValidatorSet(unhex(fx.validator_set.encoding));
  assert.equal(hex(tm.encodeValidatorSet(vs)), fx.validator_set.encoding);
  assert.equal(hex(tm.validatorSetHash(vs)), fx.validator_set.hash);
  assert.equal(tm.quorumSize(vs), 3);

  const qc = tm.decodeQuorumCert(unhex(fx.qc.encoding));
  assert.equal(hex(tm.encodeQuorumCert(qc)), fx.qc.encoding);
  assert.equal(hex(tm.encodeVoteData(qc.data)), fx.qc.vote_data);
  assert.equal(hex(tm.quorumCertHash(qc)), fx.qc.hash);
  assert.equal(fx.qc.verify, true);
  assert.equal(tm.verifyQuorumCert(qc, vs, fx.qc.chain_id), true);

  const vote = tm.decodeVote(unhex(fx.vote.encoding));
  assert.equal(hex(tm.encodeVote(vote)), fx.vote.encoding);
  assert.ok(tm.verifyVote(vote, vs, fx.qc.chain_id));
  assert.ok(!tm.verifyVote(vote, vs, 'other-chain'));

  const h = tm.decodeBlockHeader(unhex(fx.header.encoding));
  assert.equal(hex(tm.encodeBlockHeader(h)), fx.header.encoding);
  assert.equal(hex(tm.blockHeaderId(h)), fx.header.id);
  assert.equal(h.timestamp_ms, 1700000000123n);
  assert.equal(hex(h.justify_hash), fx.qc.hash);

  const rc = tm.decodeReceipt(unhex(fx.receipt.encoding));
  assert.equal(hex(tm.encodeReceipt(rc)), fx.receipt.encoding);
  assert.equal(hex(tm.receiptHash(rc)), fx.receipt.hash);
  assert.equal(rc.reason, 'PERMISSION_DENIED: no');
});

test('merkle: roots and every audit path of trees of 0..9 leaves match', () => {
  for (const m of fx.merkle) {
    const leaves = Array.from({ length: m.n }, (_, i) => Uint8Array.of(i));
    assert.equal(hex(tm.merkleRoot(leaves)), m.root);
    for (let i = 0; i < m.n; i++) {
      const p = tm.merkleProve(leaves, i);
      assert.deepEqual(p.path.map(hex), m.proofs[i]);
      const proof = { index: BigInt(i), tree_size: BigInt(m.n), path: m.proofs[i].map(unhex) };
      assert.ok(tm.merkleVerify(unhex(m.root), leaves[i], proof));
    }
  }
});
