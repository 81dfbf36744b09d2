// State proofs produced by the real C++ StateTree (storage module, h-storage at 968c5ca) over the
// same 65 keys as tests/node/state_proof_test.cc: "key1000".."key1063" -> "v" and
// "key1000x" -> "value of x". The JS verifier must accept each proof and the JS encoder must
// reproduce its bytes; then the tampering cases of state_proof_test.cc, mirrored one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as tm from '../src/index.js';
import { makeTree, prove } from './helpers.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/state-tree-fixture.json', import.meta.url)));
const root = tm.fromHex(fx.root);
const enc = tm.utf8Encode;
const proofOf = (key) => tm.decodeStateProof(tm.fromHex(fx.proofs.find((p) => p.key === key).hex));
const verifies = (r, p) => {
  try {
    return tm.verifyStateProof(r, p.key, p.value, p);
  } catch (e) {
    if (e instanceof tm.VerifyError) return false;
    throw e;
  }
};
const copy = (p) => ({
  ...p,
  key: Uint8Array.from(p.key),
  value: p.value && Uint8Array.from(p.value),
  bitmap: Uint8Array.from(p.bitmap),
  siblings: p.siblings.map((s) => Uint8Array.from(s)),
  other_leaf: p.other_leaf && {
    key_hash: Uint8Array.from(p.other_leaf.key_hash),
    value_hash: Uint8Array.from(p.other_leaf.value_hash),
  },
});
const firstOf = (kind) => fx.proofs.find((p) => p.kind === kind).key;

test('every C++ proof decodes, re-encodes to the same bytes and verifies', () => {
  const kinds = new Set();
  for (const { key, hex, kind, verifies: cppOk } of fx.proofs) {
    const p = tm.decodeStateProof(tm.fromHex(hex));
    assert.equal(tm.toHex(tm.encodeStateProof(p)), hex, key);
    assert.equal(cppOk, true);
    const value = kind === 'inclusion' ? p.value : null;
    assert.equal(tm.verifyStateProof(root, enc(key), value, p), true, key);
    assert.equal(tm.toHex(tm.stateProofRoot(p)), fx.root, key);
    kinds.add(kind);
  }
  assert.deepEqual([...kinds].sort(), ['absence_empty', 'absence_other_leaf', 'inclusion']);
  const e = fx.empty_tree;
  const p = tm.decodeStateProof(tm.fromHex(e.hex));
  assert.equal(p.depth, 0);
  assert.equal(tm.verifyStateProof(tm.fromHex(e.root), enc(e.key), null, p), true);
});

test('inclusion: value, each sibling byte and bitmap bit, depth, key, root, siblings', () => {
  const p = proofOf('key1000x');
  assert.deepEqual(p.value, enc('value of x'));
  assert.ok(p.siblings.length > 0);
  assert.ok(verifies(root, p));
  assert.throws(() => tm.verifyStateProof(root, p.key, enc('value of y'), p), /another value/);
  assert.ok(!verifies(root, { ...copy(p), value: enc('value of y') }));
  assert.ok(!verifies(root, { ...copy(p), value: null }));
  for (let s = 0; s < p.siblings.length; s++) {
    for (let b = 0; b < 32; b++) {
      const t = copy(p);
      t.siblings[s][b] ^= 0x01;
      assert.ok(!verifies(root, t), `sibling ${s} byte ${b}`);
    }
  }
  for (let bit = 0; bit < p.bitmap.length * 8; bit++) {
    const t = copy(p);
    t.bitmap[bit >> 3] ^= 0x80 >> (bit & 7);
    assert.ok(!verifies(root, t), `bitmap bit ${bit}`);
  }
  const deeper = copy(p);
  deeper.depth++;
  deeper.bitmap = Uint8Array.from(
    { length: Math.ceil(deeper.depth / 8) },
    (_, i) => p.bitmap[i] ?? 0,
  );
  assert.ok(!verifies(root, deeper));
  assert.ok(!verifies(root, { ...copy(p), depth: p.depth - 1 }));
  assert.throws(() => tm.verifyStateProof(root, enc('key1001'), p.value, p), /another key/);
  assert.ok(!verifies(root, { ...copy(p), key: enc('key1001') }));
  const other = Uint8Array.from(root);
  other[31] ^= 1;
  assert.ok(!verifies(other, p));
  assert.ok(!verifies(tm.SMT_EMPTY_HASH, p));
  assert.ok(!verifies(root, { ...copy(p), siblings: p.siblings.slice(0, -1) }));
  assert.ok(!verifies(root, { ...copy(p), siblings: [...p.siblings, tm.sha256(enc('x'))] }));
});

test('absence through an empty subtree cannot claim a value or move to a present key', () => {
  const key = firstOf('absence_empty');
  const p = proofOf(key);
  assert.equal(p.value, null);
  assert.equal(p.other_leaf, null);
  assert.ok(verifies(root, p));
  assert.throws(() => tm.verifyStateProof(root, enc(key), enc('v'), p), /another value/);
  assert.ok(!verifies(root, { ...copy(p), value: enc('v') }));
  assert.ok(!verifies(root, { ...copy(p), key: enc('key1000') }));
  for (let s = 0; s < p.siblings.length; s++) {
    const t = copy(p);
    t.siblings[s][0] ^= 0x80;
    assert.ok(!verifies(root, t), `sibling ${s}`);
  }
});

test("absence through another key's leaf: that leaf cannot be altered, dropped or claimed", () => {
  const p = proofOf(firstOf('absence_other_leaf'));
  assert.ok(p.other_leaf);
  assert.ok(verifies(root, p));
  let t = copy(p);
  t.other_leaf.value_hash[0] ^= 1;
  assert.ok(!verifies(root, t));
  t = copy(p);
  t.other_leaf.key_hash[31] ^= 1;
  assert.ok(!verifies(root, t));
  assert.ok(!verifies(root, { ...copy(p), other_leaf: null }));
  const occupant = tm.toHex(tm.smtLeafHash(p.other_leaf.key_hash, p.other_leaf.value_hash));
  let found = 0;
  for (let i = 0; i < 64; i++) {
    const present = enc(`key${1000 + i}`);
    if (tm.toHex(tm.smtLeafHash(tm.smtKeyHash(present), tm.sha256(enc('v')))) === occupant) {
      found++;
      assert.ok(!verifies(root, { ...copy(p), key: present }));
    }
  }
  assert.equal(found, 1);
});

test('the reference tree of helpers.js rebuilds the C++ root and every proof byte for byte', () => {
  const kv = Object.fromEntries(
    fx.entries.map(([k, v]) => [tm.utf8Decode(tm.fromHex(k)), tm.utf8Decode(tm.fromHex(v))]),
  );
  const tree = makeTree(kv);
  assert.equal(tm.toHex(tree.root), fx.root);
  for (const { key, hex } of fx.proofs) {
    assert.equal(tm.toHex(tm.encodeStateProof(prove(tree, key))), hex, key);
  }
});

test('an absence proof cannot hide a present key', () => {
  const kv = Object.fromEntries(
    fx.entries.map(([k, v]) => [tm.utf8Decode(tm.fromHex(k)), tm.utf8Decode(tm.fromHex(v))]),
  );
  const tree = makeTree(kv);
  for (let i = 0; i < 64; i++) {
    const present = enc(`key${1000 + i}`);
    const p = prove(tree, `key${1000 + i}`);
    assert.ok(verifies(root, p));
    const leaf = { key_hash: tm.smtKeyHash(present), value_hash: tm.sha256(enc('v')) };
    assert.ok(!verifies(root, { ...copy(p), value: null, other_leaf: leaf }), `key${1000 + i}`);
    assert.ok(!verifies(root, { ...copy(p), value: null, other_leaf: null }), `key${1000 + i}`);
  }
});

test('the empty tree: depth 0 with nothing else; a lone leaf is the root', () => {
  const p = {
    key: enc('k'),
    value: null,
    depth: 0,
    bitmap: new Uint8Array(0),
    siblings: [],
    other_leaf: null,
  };
  assert.ok(verifies(tm.SMT_EMPTY_HASH, p));
  assert.deepEqual(tm.decodeStateProof(tm.encodeStateProof(p)), p);
  const leafRoot = tm.smtLeafHash(tm.smtKeyHash(enc('k')), tm.sha256(enc('v')));
  const inclusion = { ...p, value: enc('v') };
  assert.ok(verifies(leafRoot, inclusion));
  assert.ok(!verifies(tm.SMT_EMPTY_HASH, inclusion));
});

test('decoder: every truncation, trailing byte, version, too-long key', () => {
  const bytes = tm.fromHex(fx.proofs.find((p) => p.key === 'key1000x').hex);
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(() => tm.decodeStateProof(bytes.subarray(0, n)), tm.DecodeError, `prefix ${n}`);
  }
  const long = { ...proofOf('key1000x'), key: new Uint8Array(tm.MAX_STATE_KEY_LEN + 1).fill(107) };
  assert.throws(() => tm.decodeStateProof(tm.encodeStateProof(long)), /key too long/);
  assert.ok(!verifies(root, long));
});

// The vectors of docs/storage.md ("Test vectors", checked by tests/node/state_proof_test.cc).
test('docs/storage.md state proof vectors: tree {a: 1, b: 2, c: 3}', () => {
  const root = '911b9f48e2cf2848076fedf8d7fab4fdbf01f877e80e797f1674e89a2433b946';
  const vectors = [
    [
      'a',
      '1',
      '010000000161010000000131000180153de5347188a75778f15ede831203f3a541f05dd41bad7672' +
      'b592730feae72100',
    ],
    [
      'd',
      null,
      '010000000164000003a040b3aff522c0bae10cbe057e460498e836bd21445897adb3dcf19bd6198b' +
      '726025a794d8532a00e0502b32d1dfbf3c32f6c546d309eb23d8c54d3a496821c0e200',
    ],
    [
      'g',
      null,
      '01000000016700000180153de5347188a75778f15ede831203f3a541f05dd41bad7672b592730fea' +
      'e72101ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb6b86b273ff' +
      '34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b',
    ],
  ];
  const tree = makeTree({ a: '1', b: '2', c: '3' });
  assert.equal(tm.toHex(tree.root), root);
  for (const [key, value, hexProof] of vectors) {
    assert.equal(tm.toHex(tm.encodeStateProof(prove(tree, key))), hexProof, key);
    const p = tm.decodeStateProof(tm.fromHex(hexProof));
    const v = value && enc(value);
    assert.equal(tm.verifyStateProof(tm.fromHex(root), enc(key), v, p), true, key);
  }
});
