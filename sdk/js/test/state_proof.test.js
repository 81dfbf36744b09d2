// State proofs (sparse Merkle tree, sdk/include/tidemark/state_proof.h): a small reference tree
// written here from the spec builds roots and proofs; every proof verifies, and every tampering
// is rejected with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as tm from '../src/index.js';
import { makeTree, prove, subtreeHash } from './helpers.js';

const enc = tm.utf8Encode;

const kv = {};
for (let i = 0; i < 40; i++) kv[`provenance/lot/${i}`] = `record-${i}`;
const tree = makeTree(kv);

const rejects = (root, key, value, proof, pattern) =>
  assert.throws(
    () => tm.verifyStateProof(root, key, value, proof),
    (e) => e instanceof tm.VerifyError && pattern.test(e.reason),
    `expected ${pattern}`,
  );

test('inclusion proofs of every key verify, and survive an encode/decode round trip', () => {
  for (const [k, v] of Object.entries(kv)) {
    const p = prove(tree, k);
    assert.equal(tm.verifyStateProof(tree.root, enc(k), enc(v), p), true);
    const back = tm.decodeStateProof(tm.encodeStateProof(p));
    assert.deepEqual(back, p);
    assert.equal(tm.verifyStateProof(tree.root, enc(k), enc(v), back), true);
  }
});

test('absence proofs (empty subtree and other leaf) verify', () => {
  let withOther = 0;
  let empty = 0;
  for (let i = 0; i < 40; i++) {
    const k = `absent/${i}`;
    const p = prove(tree, k);
    if (p.other_leaf) withOther++;
    else empty++;
    assert.equal(tm.verifyStateProof(tree.root, enc(k), null, p), true);
    assert.deepEqual(tm.decodeStateProof(tm.encodeStateProof(p)), p);
  }
  assert.ok(withOther > 0 && empty > 0, `${withOther} other-leaf, ${empty} empty`);
  // Trees of 0 and 1 keys.
  const none = makeTree({});
  assert.deepEqual(none.root, tm.SMT_EMPTY_HASH);
  assert.ok(tm.verifyStateProof(none.root, enc('x'), null, prove(none, 'x')));
  const one = makeTree({ a: '1' });
  assert.ok(tm.verifyStateProof(one.root, enc('a'), enc('1'), prove(one, 'a')));
  assert.ok(tm.verifyStateProof(one.root, enc('b'), null, prove(one, 'b')));
});

test('tampering: another value, another key, or a present key claimed absent', () => {
  const k = 'provenance/lot/7';
  const p = prove(tree, k);
  rejects(tree.root, enc(k), enc('forged'), p, /proves another value/);
  rejects(tree.root, enc(k), null, p, /proves another value/);
  rejects(tree.root, enc('provenance/lot/8'), enc(kv[k]), p, /proves another key/);
  rejects(tree.root, enc(k), enc('forged'), { ...p, value: enc('forged') }, /root mismatch/);
  // Claiming absence of a present key with the same path: the empty slot does not hash to root.
  rejects(tree.root, enc(k), null, { ...p, value: null }, /root mismatch/);
  const other = prove(tree, 'provenance/lot/8');
  rejects(
    tree.root,
    enc(k),
    enc(kv[k]),
    { ...other, key: enc(k), value: enc(kv[k]) },
    /root mismatch/,
  );
});

test('tampering: siblings, bitmap, depth, other leaf', () => {
  const k = 'provenance/lot/3';
  const p = prove(tree, k);
  assert.ok(p.siblings.length >= 2);
  const flipped = p.siblings.map((s) => Uint8Array.from(s));
  flipped[0][31] ^= 1;
  rejects(tree.root, enc(k), enc(kv[k]), { ...p, siblings: flipped }, /root mismatch/);
  rejects(
    tree.root,
    enc(k),
    enc(kv[k]),
    { ...p, siblings: p.siblings.slice(1) },
    /sibling count does not match bitmap/,
  );
  rejects(
    tree.root,
    enc(k),
    enc(kv[k]),
    { ...p, siblings: [...p.siblings.slice(1), tm.SMT_EMPTY_HASH] },
    /empty sibling must be omitted/,
  );
  const longer = {
    ...p,
    depth: p.depth + 1,
    bitmap: Uint8Array.from({ length: Math.ceil((p.depth + 1) / 8) }, (_, i) => p.bitmap[i] ?? 0),
  };
  rejects(tree.root, enc(k), enc(kv[k]), longer, /root mismatch/);
  const extraBit = Uint8Array.from(p.bitmap);
  if (p.depth % 8 !== 0) {
    extraBit[extraBit.length - 1] |= 1;
    rejects(
      tree.root,
      enc(k),
      enc(kv[k]),
      { ...p, bitmap: extraBit },
      /bitmap bits set beyond depth/,
    );
  }
  rejects(
    tree.root,
    enc(k),
    enc(kv[k]),
    { ...p, depth: 257, bitmap: new Uint8Array(33) },
    /depth above 256/,
  );
  const leaf = { key_hash: tm.smtKeyHash(enc(k)), value_hash: tm.sha256(enc(kv[k])) };
  rejects(
    tree.root,
    enc(k),
    enc(kv[k]),
    { ...p, other_leaf: leaf },
    /inclusion proof with another leaf/,
  );
  rejects(
    tree.root,
    enc(k),
    null,
    { ...p, value: null, other_leaf: leaf },
    /absence proof names the key's own leaf/,
  );

  const absent = prove(tree, 'absent/1');
  assert.ok(absent.depth > 0);
  const offPath = Uint8Array.from(tm.smtKeyHash(enc('absent/1')));
  offPath[0] ^= 0x80; // differs from the key's path at bit 0
  rejects(
    tree.root,
    enc('absent/1'),
    null,
    { ...absent, other_leaf: { key_hash: offPath, value_hash: tm.sha256(enc('x')) } },
    /other leaf is not on the key's path/,
  );
});

test('decoder: strict layout', () => {
  const p = prove(tree, 'provenance/lot/1');
  const bytes = tm.encodeStateProof(p);
  const dec = (b, re) =>
    assert.throws(
      () => tm.decodeStateProof(b),
      (e) => e instanceof tm.DecodeError && re.test(e.message),
      `expected ${re}`,
    );
  dec(tm.concatBytes(bytes, Uint8Array.of(0)), /^state proof: trailing bytes \(1\)$/);
  dec(bytes.subarray(0, bytes.length - 1), /^state proof: truncated/);
  const v2 = Uint8Array.from(bytes);
  v2[0] = 2;
  dec(v2, /unknown version 2/);
  const w = new tm.Writer().u8(1).blob(enc('k')).bool(false).u16(257);
  dec(w.bytes(), /^state proof: depth above 256$/);
  const bigCount = new tm.Writer().u8(1).blob(enc('k')).bool(false).u16(8).u8(0xff).bytes();
  dec(bigCount, /truncated at siblings/);
  const badBool = new tm.Writer().u8(1).blob(enc('k')).u8(2).bytes();
  dec(badBool, /non-canonical bool at value tag/);
  const zeroSib = new tm.Writer()
    .u8(1)
    .blob(enc('k'))
    .bool(false)
    .u16(1)
    .u8(0x80)
    .raw(new Uint8Array(32))
    .bool(false)
    .bytes();
  dec(zeroSib, /empty sibling must be omitted/);
  const both = new tm.Writer()
    .u8(1)
    .blob(enc('k'))
    .bool(true)
    .blob(enc('v'))
    .u16(0)
    .bool(true)
    .raw(new Uint8Array(32))
    .raw(new Uint8Array(32))
    .bytes();
  dec(both, /inclusion proof with another leaf/);
});
