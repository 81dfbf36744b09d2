// CertifiedStateProof (header + commit certificate + state proof, sdk/include/tidemark/
// state_proof.h on h-storage): a valid one verifies with only the validator set; each lie fails
// with the C++ message; the decoder is strict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as tm from '../src/index.js';
import { CHAIN, makeQc, makeTree, makeValidatorSet, prove } from './helpers.js';

const { seeds, vs } = makeValidatorSet(4);
const enc = tm.utf8Encode;
const tree = makeTree({ 'lot/1': 'L1', 'lot/2': 'L2', 'lot/3': 'L3' });

function makeCertified(key = 'lot/2') {
  const header = {
    chain_id: CHAIN,
    epoch: 3n,
    round: 9n,
    height: 7n,
    parent: tm.sha256(enc('block6')),
    justify_hash: tm.sha256(enc('qc6')),
    proposer: 1,
    timestamp_ms: 1767225600000n,
    tx_root: tm.merkleEmptyRoot(),
    tx_count: 0,
    exec_height: 6n,
    state_root: tree.root,
    receipts_root: tm.merkleEmptyRoot(),
    validators_hash: tm.validatorSetHash(vs),
  };
  const data = {
    epoch: 3n,
    round: 11n,
    height: 9n,
    block_id: tm.sha256(enc('block9')),
    commit_height: 7n,
    commit_id: tm.blockHeaderId(header),
  };
  return { header, cert: makeQc(seeds, [0, 2, 3], data), proof: prove(tree, key) };
}

const lie = (c, key, value, pattern, set = vs, chain = CHAIN) =>
  assert.throws(
    () => tm.verifyCertifiedStateProof(set, chain, enc(key), value && enc(value), c),
    (e) => e instanceof tm.VerifyError && pattern.test(e.reason),
    `${pattern}`,
  );

test('a certified proof verifies with only the validator set, after a round trip', () => {
  const c = makeCertified();
  assert.equal(tm.verifyCertifiedStateProof(vs, CHAIN, enc('lot/2'), enc('L2'), c), true);
  const back = tm.decodeCertifiedStateProof(tm.encodeCertifiedStateProof(c));
  assert.deepEqual(back, c);
  const absent = makeCertified('lot/9');
  assert.equal(tm.verifyCertifiedStateProof(vs, CHAIN, enc('lot/9'), null, absent), true);
});

test('every lie in a certified proof is caught', () => {
  lie(makeCertified(), 'lot/2', 'L2', /^certified proof: header is for another chain$/, vs, 'x');
  const other = makeValidatorSet(4).vs;
  other.validators[0].org = 'someone-else';
  lie(makeCertified(), 'lot/2', 'L2', /header names another validator set/, other);
  let c = makeCertified();
  c.header.timestamp_ms += 1n;
  lie(c, 'lot/2', 'L2', /certificate does not commit the header/);
  c = makeCertified();
  c.cert.data.commit_height = 8n;
  lie(c, 'lot/2', 'L2', /certificate does not commit the header/);
  c = makeCertified();
  c.cert.signatures[1].signature[3] ^= 1;
  lie(c, 'lot/2', 'L2', /^certified proof: qc: bad signature from validator 2$/);
  c = makeCertified();
  c.cert.signatures.pop();
  lie(c, 'lot/2', 'L2', /^certified proof: qc: 2 signatures, quorum is 3$/);
  lie(makeCertified(), 'lot/2', 'FORGED', /proves another value/);
  lie(makeCertified(), 'lot/2', null, /proves another value/);
  lie(makeCertified(), 'lot/3', 'L3', /proves another key/);
  c = makeCertified();
  c.proof = prove(makeTree({ 'lot/1': 'L1', 'lot/2': 'FORGED', 'lot/3': 'L3' }), 'lot/2');
  lie(c, 'lot/2', 'FORGED', /root mismatch/);
});

test('decoder: version, truncation, trailing bytes, a bad inner proof', () => {
  const bytes = tm.encodeCertifiedStateProof(makeCertified());
  const bad = (b, re) =>
    assert.throws(
      () => tm.decodeCertifiedStateProof(b),
      (e) => e instanceof tm.DecodeError && re.test(e.message),
      `${re}`,
    );
  const v2 = Uint8Array.from(bytes);
  v2[0] = 2;
  bad(v2, /^certified state proof: unknown version 2 \(expected 1\)$/);
  bad(tm.concatBytes(bytes, Uint8Array.of(0)), /^certified state proof: trailing bytes \(1\)$/);
  for (const n of [0, 1, 100, 300, bytes.length - 1]) {
    bad(bytes.subarray(0, n), /^certified state proof: truncated/);
  }
  const c = makeCertified();
  const w = new tm.Writer().u8(1);
  tm.encodeBlockHeaderTo(w, c.header);
  tm.encodeQuorumCertTo(w, c.cert);
  const innerBytes = tm.encodeStateProof(c.proof);
  w.blob(tm.concatBytes(innerBytes, Uint8Array.of(0)));
  bad(w.bytes(), /^state proof: trailing bytes \(1\)$/);
});

test('C++ VerifyCertifiedStateProof gave these verdicts on JS-encoded proofs; JS agrees', () => {
  const fx = JSON.parse(
    readFileSync(new URL('./fixtures/certified-state-proof.json', import.meta.url)),
  );
  const set = tm.decodeValidatorSet(tm.fromHex(fx.validator_set));
  for (const { hex, cpp } of fx.cases) {
    const c = tm.decodeCertifiedStateProof(tm.fromHex(hex));
    assert.equal(tm.toHex(tm.encodeCertifiedStateProof(c)), hex);
    let got = 'OK';
    try {
      tm.verifyCertifiedStateProof(set, 'tidemark-test', enc('lot/2'), enc('L2'), c);
    } catch (e) {
      got = e.reason;
    }
    assert.equal(got, cpp);
  }
});
