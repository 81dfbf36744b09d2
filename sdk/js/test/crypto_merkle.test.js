// Signature strictness (libsodium's rules, so the browser accepts exactly what the node accepts)
// and Merkle proof tampering.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as tm from '../src/index.js';
import { seedOf } from './helpers.js';

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const le = (n) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLe = (b) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);

test('a malleated signature (S + L) is rejected', () => {
  const seed = seedOf(1);
  const pk = tm.publicKeyFromSeed(seed);
  const msg = tm.utf8Encode('hello');
  const sig = tm.signRaw(seed, msg);
  assert.ok(tm.verifyRaw(pk, msg, sig));
  const s = fromLe(sig.subarray(32));
  const mall = tm.concatBytes(sig.subarray(0, 32), le(s + L));
  assert.ok(!tm.verifyRaw(pk, msg, mall));
});

test('small-order and non-canonical public keys and R are rejected', () => {
  const msg = tm.utf8Encode('x');
  const identity = le(1n); // the neutral point (0, 1): small order
  // With A = identity and R = identity, [S]B = R + [k]A holds for S = 0 — a universal forgery
  // that a cofactored or permissive verifier would accept.
  const forged = tm.concatBytes(identity, new Uint8Array(32));
  assert.ok(!tm.verifyRaw(identity, msg, forged));
  // Non-canonical y (>= p) for the identity: p + 1.
  const p = (1n << 255n) - 19n;
  assert.ok(!tm.verifyRaw(le(p + 1n), msg, forged));
  // A real key with R replaced by a small-order point.
  const seed = seedOf(2);
  const sig = tm.signRaw(seed, msg);
  const badR = tm.concatBytes(identity, sig.subarray(32));
  assert.ok(!tm.verifyRaw(tm.publicKeyFromSeed(seed), msg, badR));
  // Wrong lengths / types never throw.
  assert.ok(!tm.verifyRaw(new Uint8Array(31), msg, sig));
  assert.ok(!tm.verifyRaw(tm.publicKeyFromSeed(seed), msg, sig.subarray(0, 63)));
  assert.ok(!tm.verifyRaw('00', msg, sig));
});

test('RFC 8032 test 1 (empty message) signs and verifies', () => {
  const seed = tm.fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const pk = tm.publicKeyFromSeed(seed);
  assert.equal(tm.toHex(pk), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const sig = tm.signRaw(seed, new Uint8Array(0));
  assert.equal(
    tm.toHex(sig),
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
      '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  );
  assert.ok(tm.verifyRaw(pk, new Uint8Array(0), sig));
});

test('merkle: known roots (RFC 6962 empty root, single leaf)', () => {
  assert.equal(
    tm.toHex(tm.merkleEmptyRoot()),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );
  assert.equal(
    tm.toHex(tm.merkleRoot([new Uint8Array(0)])),
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  );
});

test('merkle: every tampering of a proof is rejected', () => {
  for (let n = 1; n <= 17; n++) {
    const leaves = Array.from({ length: n }, (_, i) => tm.utf8Encode(`leaf-${i}`));
    const root = tm.merkleRoot(leaves);
    for (let i = 0; i < n; i++) {
      const p = tm.merkleProve(leaves, i);
      assert.ok(tm.merkleVerify(root, leaves[i], p));
      const bytes = new tm.Writer();
      tm.encodeMerkleProofTo(bytes, p);
      assert.deepEqual(tm.decodeMerkleProof(bytes.bytes()), p);
      assert.ok(!tm.merkleVerify(root, tm.utf8Encode(`leaf-${i}x`), p), 'wrong leaf');
      if (n > 1) {
        assert.ok(!tm.merkleVerify(root, leaves[i], { ...p, index: BigInt((i + 1) % n) }), 'index');
        assert.ok(!tm.merkleVerify(root, leaves[i], { ...p, path: p.path.slice(1) }), 'short');
        const flipped = p.path.map((h) => Uint8Array.from(h));
        flipped[0][0] ^= 1;
        assert.ok(!tm.merkleVerify(root, leaves[i], { ...p, path: flipped }), 'sibling');
      }
      assert.ok(!tm.merkleVerify(root, leaves[i], { ...p, path: [...p.path, root] }), 'long');
      assert.ok(!tm.merkleVerify(root, leaves[i], { ...p, index: BigInt(n) }), 'index >= size');
    }
  }
  // A leaf posing as an inner node (second-preimage): the 0x00 / 0x01 prefixes separate them.
  const leaves = [Uint8Array.of(1), Uint8Array.of(2)];
  const root = tm.merkleRoot(leaves);
  const inner = tm.concatBytes(tm.merkleLeafHash(leaves[0]), tm.merkleLeafHash(leaves[1]));
  assert.ok(!tm.merkleVerify(root, inner, { index: 0n, tree_size: 1n, path: [] }));
});

test('merkle: tree_size is only a claim, so inclusion checks pin it to the header', () => {
  // RFC 9162 takes the size from the signed tree head: the same path can fit another size, and
  // then another index (leaf 2 of 3 verifies as "leaf 1 of 2"). verifyTxInclusion therefore
  // requires tree_size == header.tx_count.
  const leaves = [1, 2, 3].map((x) => Uint8Array.of(x));
  const root = tm.merkleRoot(leaves);
  const p = tm.merkleProve(leaves, 2);
  assert.ok(tm.merkleVerify(root, leaves[2], { ...p, index: 1n, tree_size: 2n }));
  const txIds = leaves.map((l) => tm.sha256(l));
  const header = { tx_root: tm.merkleRoot(txIds), tx_count: 3 };
  const proof = tm.merkleProve(txIds, 2);
  assert.equal(tm.verifyTxInclusion(header, txIds[2], proof), true);
  assert.throws(
    () => tm.verifyTxInclusion(header, txIds[2], { ...proof, index: 1n, tree_size: 2n }),
    /tree size 2 != tx_count 3/,
  );
  assert.throws(() => tm.verifyTxInclusion(header, txIds[1], proof), /does not lead to/);
});

test('merkle: malformed proofs return false, never throw', () => {
  const root = tm.merkleRoot([Uint8Array.of(1)]);
  for (const p of [
    {},
    { index: 'x', tree_size: 1n, path: [] },
    { index: 0n, tree_size: 1n },
    { index: 0n, tree_size: 2n, path: [new Uint8Array(31)] },
    { index: -1n, tree_size: 1n, path: [] },
  ]) {
    assert.equal(tm.merkleVerify(root, Uint8Array.of(1), p), false);
  }
  assert.ok(tm.merkleVerify(root, Uint8Array.of(1), { index: 0, tree_size: 1, path: [] }));
});
