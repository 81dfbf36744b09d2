// Quorum-certificate verification: the rules of C++ QuorumCert::Verify, and each way a forged or
// tampered certificate must fail (with the reason, so a test cannot pass for the wrong reason).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as tm from '../src/index.js';
import { CHAIN, makeQc, makeValidatorSet, voteData } from './helpers.js';

const { seeds, vs } = makeValidatorSet(4);

function rejects(qc, set, chainId, pattern) {
  assert.throws(
    () => tm.verifyQuorumCert(qc, set, chainId),
    (e) => e instanceof tm.VerifyError && pattern.test(e.reason),
    `expected ${pattern}`,
  );
}

test('quorum sizes: n - floor((n-1)/3)', () => {
  const sizes = [1, 2, 3, 4, 5, 6, 7, 10, 100].map((n) => tm.quorumSize(makeValidatorSet(n).vs));
  assert.deepEqual(sizes, [1, 2, 3, 3, 4, 5, 5, 7, 67]);
});

test('a QC signed by a quorum verifies, also after an encode/decode round trip', () => {
  const qc = makeQc(seeds, [0, 1, 3]);
  assert.equal(tm.verifyQuorumCert(qc, vs, CHAIN), true);
  assert.equal(tm.verifyQuorumCert(makeQc(seeds, [0, 1, 2, 3]), vs, CHAIN), true);
  assert.equal(tm.verifyQuorumCert(tm.decodeQuorumCert(tm.encodeQuorumCert(qc)), vs, CHAIN), true);
});

test('one flipped signature bit fails, naming the validator', () => {
  for (const byte of [0, 31, 32, 63]) {
    const qc = makeQc(seeds, [0, 1, 3]);
    qc.signatures[2].signature[byte] ^= 0x01;
    rejects(qc, vs, CHAIN, /bad signature from validator 3/);
  }
});

test('tampered vote data fails', () => {
  const qc = makeQc(seeds, [0, 1, 2]);
  qc.data.height += 1n;
  rejects(qc, vs, CHAIN, /bad signature/);
  const qc2 = makeQc(seeds, [0, 1, 2]);
  qc2.data.commit_id[0] ^= 1;
  rejects(qc2, vs, CHAIN, /bad signature/);
});

test('a signer outside the set fails', () => {
  const qc = makeQc(seeds, [0, 1, 2]);
  qc.signatures.push({ signer: 4, signature: qc.signatures[0].signature });
  rejects(qc, vs, CHAIN, /signer 4 is not a validator/);
  // A real signature from a key that is not in the set, placed at a member's index.
  const outsider = makeValidatorSet(5).seeds[4];
  const qc2 = makeQc(seeds, [0, 1, 2]);
  qc2.signatures[1].signature = tm.signVoteData(qc2.data, outsider, CHAIN);
  rejects(qc2, vs, CHAIN, /bad signature from validator 1/);
});

test('too few signers fails', () => {
  rejects(makeQc(seeds, [0, 1]), vs, CHAIN, /2 signatures, quorum is 3/);
  rejects(makeQc(seeds, []), vs, CHAIN, /0 signatures, quorum is 3/);
});

test('a duplicate or out-of-order signer fails (cannot count one vote twice)', () => {
  rejects(makeQc(seeds, [0, 1, 1]), vs, CHAIN, /signers not strictly ascending/);
  rejects(makeQc(seeds, [0, 2, 1]), vs, CHAIN, /signers not strictly ascending/);
  // The decoder refuses such a certificate too.
  assert.throws(
    () => tm.decodeQuorumCert(tm.encodeQuorumCert(makeQc(seeds, [0, 1, 1]))),
    /qc: signers not strictly ascending/,
  );
});

test('wrong epoch fails even with valid signatures', () => {
  const data = voteData(4n);
  rejects(
    makeQc(seeds, [0, 1, 2], data),
    vs,
    CHAIN,
    /epoch 4 does not match validator set epoch 3/,
  );
  rejects(makeQc(seeds, [0, 1, 2]), { ...vs, epoch: 2n }, CHAIN, /epoch 3 does not match/);
});

test('an empty validator set verifies nothing (its quorum would be 0)', () => {
  rejects(makeQc(seeds, []), { epoch: 3n, validators: [] }, CHAIN, /^qc: empty validator set$/);
});

test('wrong chain id fails (signatures are domain-separated by chain)', () => {
  const qc = makeQc(seeds, [0, 1, 2]);
  rejects(qc, vs, 'tidemark-other', /bad signature from validator 0/);
  rejects(makeQc(seeds, [0, 1, 2], voteData(), 'tidemark-other'), vs, CHAIN, /bad signature/);
});

test('a vote signature cannot be replayed as a tx signature (domain separation)', () => {
  const d = tm.encodeVoteData(voteData());
  const sig = tm.sign(seeds[0], 'vote', CHAIN, d);
  assert.ok(tm.verify(vs.validators[0].key, 'vote', CHAIN, d, sig));
  assert.ok(!tm.verify(vs.validators[0].key, 'tx', CHAIN, d, sig));
});

test('verifyCommittedHeader: commit QC, validator set hash and header id must agree', () => {
  const header = {
    chain_id: CHAIN,
    epoch: 3n,
    round: 7n,
    height: 4n,
    parent: new Uint8Array(32),
    justify_hash: new Uint8Array(32),
    proposer: 1,
    timestamp_ms: 1n,
    tx_root: tm.merkleEmptyRoot(),
    tx_count: 0,
    exec_height: 3n,
    state_root: new Uint8Array(32),
    receipts_root: new Uint8Array(32),
    validators_hash: tm.validatorSetHash(vs),
  };
  const data = { ...voteData(), commit_height: 4n, commit_id: tm.blockHeaderId(header) };
  const qc = makeQc(seeds, [1, 2, 3], data);
  assert.equal(tm.verifyCommittedHeader(header, qc, vs), true);
  assert.throws(
    () => tm.verifyCommittedHeader({ ...header, timestamp_ms: 2n }, qc, vs),
    /certificate commits/,
  );
  const other = makeValidatorSet(4);
  other.vs.validators[0].org = 'someone-else';
  assert.throws(
    () => tm.verifyCommittedHeader(header, qc, other.vs),
    /does not name this validator set/,
  );
  const bad = makeQc(seeds, [1, 2, 3], data);
  bad.signatures[0].signature[5] ^= 4;
  assert.throws(() => tm.verifyCommittedHeader(header, bad, vs), /bad signature from validator 1/);
});
