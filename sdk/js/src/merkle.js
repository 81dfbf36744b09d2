// merkle.js — RFC 6962 / RFC 9162 Merkle trees, as sdk/include/tidemark/merkle.h.
//
// leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right); the empty tree's
// root is SHA-256(""). The split point is the largest power of two smaller than n.
//
//   const root = merkleRoot(leaves);               // leaves: Uint8Array[]
//   const proof = merkleProve(leaves, 3);          // { index: 3n, tree_size: BigInt(n), path }
//   merkleVerify(root, leaves[3], proof);          // true
//
// Verification never throws on a malformed proof; it returns false.

import { bytesEqual, concatBytes, isBytes } from './bytes.js';
import { decodeWhole } from './codec.js';
import { sha256 } from './hash.js';

export const MERKLE_MAX_PATH = 64;

export function merkleLeafHash(leaf) {
  return sha256(concatBytes(Uint8Array.of(0x00), leaf));
}

export function merkleNodeHash(left, right) {
  return sha256(concatBytes(Uint8Array.of(0x01), left, right));
}

export function merkleEmptyRoot() {
  return sha256(new Uint8Array(0));
}

// Largest power of two strictly smaller than n (n >= 2).
function splitPoint(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOf(hashes, lo, n) {
  if (n === 1) return hashes[lo];
  const k = splitPoint(n);
  return merkleNodeHash(rootOf(hashes, lo, k), rootOf(hashes, lo + k, n - k));
}

/** Root from leaf hashes (already merkleLeafHash'ed). */
export function merkleRootFromLeafHashes(leafHashes) {
  if (leafHashes.length === 0) return merkleEmptyRoot();
  return rootOf(leafHashes, 0, leafHashes.length);
}

export function merkleRoot(leaves) {
  return merkleRootFromLeafHashes(leaves.map(merkleLeafHash));
}

function pathOf(hashes, lo, n, index, path) {
  if (n === 1) return;
  const k = splitPoint(n);
  if (index < k) {
    pathOf(hashes, lo, k, index, path);
    path.push(rootOf(hashes, lo + k, n - k));
  } else {
    pathOf(hashes, lo + k, n - k, index - k, path);
    path.push(rootOf(hashes, lo, k));
  }
}

/** Audit path for leaf `index` (a number < leafHashes.length). */
export function merkleProveFromLeafHashes(leafHashes, index) {
  if (!Number.isInteger(index) || index < 0 || index >= leafHashes.length) {
    throw new RangeError(`merkle: index ${index} out of range`);
  }
  const path = [];
  pathOf(leafHashes, 0, leafHashes.length, index, path);
  return { index: BigInt(index), tree_size: BigInt(leafHashes.length), path };
}

export function merkleProve(leaves, index) {
  return merkleProveFromLeafHashes(leaves.map(merkleLeafHash), index);
}

/**
 * RFC 9162 §2.1.3.2. False for a wrong leaf, sibling, index, size or path length.
 * proof = { index: bigint, tree_size: bigint, path: Uint8Array(32)[] } (numbers are accepted).
 */
export function merkleVerifyLeafHash(root, leafHash, proof) {
  let fn;
  let sn;
  try {
    fn = BigInt(proof.index);
    sn = BigInt(proof.tree_size);
  } catch {
    return false;
  }
  if (fn < 0n || fn >= sn || !Array.isArray(proof.path)) return false;
  sn -= 1n;
  let r = leafHash;
  for (const p of proof.path) {
    if (sn === 0n) return false;
    if (!isBytes(p) || p.length !== 32) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = merkleNodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && isBytes(root) && bytesEqual(r, root);
}

export function merkleVerify(root, leaf, proof) {
  return merkleVerifyLeafHash(root, merkleLeafHash(leaf), proof);
}

export function encodeMerkleProofTo(w, p) {
  w.u64(p.index);
  w.u64(p.tree_size);
  w.u32(p.path.length);
  for (const h of p.path) w.raw(h, 32);
  return w;
}

export function decodeMerkleProofFrom(r) {
  const index = r.u64('index');
  const tree_size = r.u64('tree_size');
  const n = r.count(MERKLE_MAX_PATH, 32, 'path');
  const path = [];
  for (let i = 0; i < n; i++) path.push(r.raw(32, 'path'));
  return { index, tree_size, path };
}

/** A MerkleProof on its own (no version byte, as the C++ MerkleProof::EncodeTo). */
export function decodeMerkleProof(bytes) {
  return decodeWhole(bytes, 'merkle_proof', decodeMerkleProofFrom);
}
