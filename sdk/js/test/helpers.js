// Test helpers: deterministic keys and a signed quorum certificate built with the SDK itself
// (its signatures are deterministic and cross-checked against C++ in core_fixture.test.js).
import * as tm from '../src/index.js';

export const CHAIN = 'tidemark-test';

export function seedOf(b) {
  return Uint8Array.from({ length: 32 }, (_, i) => (b + i) & 0xff);
}

/** n validators (seeds 1..n), epoch `epoch`. */
export function makeValidatorSet(n, epoch = 3n) {
  const seeds = Array.from({ length: n }, (_, i) => seedOf(i + 1));
  const validators = seeds.map((s, i) => ({ key: tm.publicKeyFromSeed(s), org: `org${i + 1}` }));
  return { seeds, vs: { epoch, validators } };
}

export function voteData(epoch = 3n) {
  return {
    epoch,
    round: 7n,
    height: 5n,
    block_id: tm.sha256(tm.utf8Encode('block5')),
    commit_height: 4n,
    commit_id: tm.sha256(tm.utf8Encode('block4')),
  };
}

/** A QC over `data` signed by the validators at `signers` (in the order given). */
export function makeQc(seeds, signers, data = voteData(), chainId = CHAIN) {
  return {
    data,
    signatures: signers.map((i) => ({
      signer: i,
      signature: tm.signVoteData(data, seeds[i], chainId),
    })),
  };
}

const enc = tm.utf8Encode;

// Reference sparse Merkle tree written from state_proof.h (independent of src/state_proof.js's
// verifier). makeTree takes { key string: value string }; a subtree with one leaf is that leaf.
export function subtreeHash(entries, depth) {
  if (entries.length === 0) return tm.SMT_EMPTY_HASH;
  if (entries.length === 1) return entries[0].leaf;
  const left = entries.filter((e) => !tm.smtPathBit(e.path, depth));
  const right = entries.filter((e) => tm.smtPathBit(e.path, depth));
  return tm.smtNodeHash(subtreeHash(left, depth + 1), subtreeHash(right, depth + 1));
}

export function makeTree(kv) {
  const entries = Object.entries(kv).map(([k, v]) => {
    const path = tm.smtKeyHash(enc(k));
    return { key: k, value: enc(v), path, leaf: tm.smtLeafHash(path, tm.sha256(enc(v))) };
  });
  return { entries, root: subtreeHash(entries, 0) };
}

export function prove(tree, keyStr) {
  const key = enc(keyStr);
  const path = tm.smtKeyHash(key);
  let set = tree.entries;
  const bits = [];
  const siblings = [];
  let depth = 0;
  for (;;) {
    if (set.length === 0) return finish(null, null);
    if (set.length === 1) {
      const e = set[0];
      if (e.key === keyStr) return finish(e.value, null);
      return finish(null, { key_hash: e.path, value_hash: tm.sha256(e.value) });
    }
    const right = tm.smtPathBit(path, depth);
    const same = set.filter((e) => tm.smtPathBit(e.path, depth) === right);
    const other = set.filter((e) => tm.smtPathBit(e.path, depth) !== right);
    const s = subtreeHash(other, depth + 1);
    bits.push(!tm.isZero(s));
    if (!tm.isZero(s)) siblings.push(s);
    set = same;
    depth++;
  }
  function finish(value, other_leaf) {
    const bitmap = new Uint8Array(Math.ceil(depth / 8));
    bits.forEach((b, i) => {
      if (b) bitmap[i >> 3] |= 0x80 >> (i & 7);
    });
    return { key, value, depth, bitmap, siblings, other_leaf };
  }
}
