// state_proof.js — proofs of inclusion and of absence in the authenticated state tree, as
// sdk/include/tidemark/state_proof.h (storage module; docs/storage.md has the design).
//
// The state is a sparse Merkle tree over 256-bit paths: path(key) = SHA-256(key), bit 0 the most
// significant bit of the first byte (0 = left). A subtree holding one leaf is stored as that leaf
// at the highest level where it is alone; an empty subtree hashes to 32 zero bytes.
//   leaf     = SHA-256(0x02 || SHA-256(key) || SHA-256(value))
//   internal = SHA-256(0x03 || left || right)
//
//   const proof = decodeStateProof(bytesFromServer);
//   verifyStateProof(header.state_root, utf8Encode('provenance/lot/42'), expectedValue, proof);
//   // true, or throws VerifyError; expectedValue null proves absence
//
// proof = { key: Uint8Array, value: Uint8Array | null, depth: number (0..256),
//           bitmap: Uint8Array (ceil(depth / 8) bytes), siblings: Uint8Array(32)[],
//           other_leaf: { key_hash, value_hash } | null }

import { DecodeError, bytesEqual, concatBytes, isBytes, isZero } from './bytes.js';
import { Reader, Writer } from './codec.js';
import { sha256 } from './hash.js';
import {
  VerifyError,
  blockHeaderId,
  decodeBlockHeaderFrom,
  decodeQuorumCertFrom,
  encodeBlockHeaderTo,
  encodeQuorumCertTo,
  validatorSetHash,
  verifyQuorumCert,
} from './types.js';

export const STATE_PROOF_VERSION = 1;
export const SMT_DEPTH = 256;
export const MAX_STATE_KEY_LEN = 1024;
export const MAX_STATE_VALUE_LEN = 1024 * 1024;
export const SMT_EMPTY_HASH = new Uint8Array(32);

export function smtKeyHash(key) {
  return sha256(key);
}

export function smtLeafHash(keyHash, valueHash) {
  return sha256(concatBytes(Uint8Array.of(0x02), keyHash, valueHash));
}

export function smtNodeHash(left, right) {
  return sha256(concatBytes(Uint8Array.of(0x03), left, right));
}

/** Bit `depth` (0..255) of a path: false = left, true = right. */
export function smtPathBit(path, depth) {
  return ((path[depth >> 3] >> (7 - (depth & 7))) & 1) === 1;
}

function popcount(bytes) {
  let n = 0;
  for (let b of bytes) {
    for (; b; b >>= 1) n += b & 1;
  }
  return n;
}

function sharePrefix(a, b, bits) {
  for (let i = 0; i < bits; i++) if (smtPathBit(a, i) !== smtPathBit(b, i)) return false;
  return true;
}

// Everything decodeStateProof enforces beyond the byte layout, so hand-built proofs get the same
// checks. Throws DecodeError with the C++ message.
function checkShape(p) {
  const bad = (msg) => new DecodeError(`state proof: ${msg}`);
  if (!isBytes(p.key)) throw bad('key must be bytes');
  if (p.key.length > MAX_STATE_KEY_LEN) throw bad('key too long');
  const value = p.value ?? null;
  if (value !== null && !isBytes(value)) throw bad('value must be bytes or null');
  if (value !== null && value.length > MAX_STATE_VALUE_LEN) throw bad('value too long');
  if (!Number.isInteger(p.depth) || p.depth < 0 || p.depth > SMT_DEPTH)
    throw bad('depth above 256');
  if (!isBytes(p.bitmap) || p.bitmap.length !== Math.ceil(p.depth / 8)) {
    throw bad('bitmap length does not match depth');
  }
  if (p.depth % 8 !== 0 && (p.bitmap[p.bitmap.length - 1] & (0xff >> (p.depth % 8))) !== 0) {
    throw bad('bitmap bits set beyond depth');
  }
  if (!Array.isArray(p.siblings) || popcount(p.bitmap) !== p.siblings.length) {
    throw bad('sibling count does not match bitmap');
  }
  for (const s of p.siblings) {
    if (!isBytes(s) || s.length !== 32) throw bad('sibling must be 32 bytes');
    if (isZero(s)) throw bad('empty sibling must be omitted');
  }
  const other = p.other_leaf ?? null;
  if (
    other !== null &&
    !(
      isBytes(other.key_hash) &&
      other.key_hash.length === 32 &&
      isBytes(other.value_hash) &&
      other.value_hash.length === 32
    )
  ) {
    throw bad('other leaf must be two 32-byte hashes');
  }
  if (value !== null && other !== null) throw bad('inclusion proof with another leaf');
}

export function encodeStateProof(p) {
  const w = new Writer();
  w.u8(STATE_PROOF_VERSION);
  w.blob(p.key);
  const value = p.value ?? null;
  w.bool(value !== null);
  if (value !== null) w.blob(value);
  w.u16(p.depth);
  w.raw(p.bitmap);
  for (const s of p.siblings) w.raw(s, 32);
  const other = p.other_leaf ?? null;
  w.bool(other !== null);
  if (other !== null) w.raw(other.key_hash, 32).raw(other.value_hash, 32);
  return w.bytes();
}

/** Strict decoding, the C++ StateProof::Decode rules; throws DecodeError. */
export function decodeStateProof(bytes) {
  const r = new Reader(bytes, 'state proof');
  r.version(STATE_PROOF_VERSION);
  const key = r.blob(MAX_STATE_KEY_LEN, 'key');
  const value = r.bool('value tag') ? r.blob(MAX_STATE_VALUE_LEN, 'value') : null;
  const depth = r.u16('depth');
  if (depth > SMT_DEPTH) throw r.error('depth above 256');
  const bitmap = r.raw(Math.ceil(depth / 8), 'bitmap');
  const set = popcount(bitmap);
  if (set * 32 > r.remaining()) throw r.error('truncated at siblings');
  const siblings = [];
  for (let i = 0; i < set; i++) siblings.push(r.raw(32, 'sibling'));
  let other_leaf = null;
  if (r.bool('other leaf tag')) {
    const key_hash = r.raw(32, 'other leaf key hash');
    const value_hash = r.raw(32, 'other leaf value hash');
    other_leaf = { key_hash, value_hash };
  }
  r.finish();
  const proof = { key, value, depth, bitmap, siblings, other_leaf };
  checkShape(proof);
  return proof;
}

/**
 * The root the proof hashes to (structure only: it says nothing until compared with a trusted
 * root). Throws DecodeError for a malformed proof.
 */
export function stateProofRoot(p) {
  checkShape(p);
  const path = smtKeyHash(p.key);
  let cur = SMT_EMPTY_HASH;
  const value = p.value ?? null;
  const other = p.other_leaf ?? null;
  if (value !== null) {
    cur = smtLeafHash(path, sha256(value));
  } else if (other !== null) {
    if (bytesEqual(other.key_hash, path)) {
      throw new DecodeError("state proof: absence proof names the key's own leaf");
    }
    if (!sharePrefix(other.key_hash, path, p.depth)) {
      throw new DecodeError("state proof: other leaf is not on the key's path");
    }
    cur = smtLeafHash(other.key_hash, other.value_hash);
  }
  let next = p.siblings.length;
  for (let d = p.depth - 1; d >= 0; d--) {
    const bit = ((p.bitmap[d >> 3] >> (7 - (d & 7))) & 1) === 1;
    const sibling = bit ? p.siblings[--next] : SMT_EMPTY_HASH;
    cur = smtPathBit(path, d) ? smtNodeHash(sibling, cur) : smtNodeHash(cur, sibling);
  }
  return cur;
}

/**
 * True iff `proof` shows that under `root`, `key` maps exactly to `value` (or is absent when
 * `value` is null), and the proof's own key / value are those; throws VerifyError otherwise.
 */
export function verifyStateProof(root, key, value, proof) {
  if (!isBytes(key) || !isBytes(proof.key) || !bytesEqual(key, proof.key)) {
    throw new VerifyError('state proof: proves another key');
  }
  const want = value ?? null;
  const got = proof.value ?? null;
  if ((want === null) !== (got === null) || (want !== null && !bytesEqual(want, got))) {
    throw new VerifyError('state proof: proves another value');
  }
  let computed;
  try {
    computed = stateProofRoot(proof);
  } catch (e) {
    if (e instanceof DecodeError) throw new VerifyError(e.message);
    throw e;
  }
  if (!isBytes(root) || !bytesEqual(computed, root)) {
    throw new VerifyError('state proof: root mismatch');
  }
  return true;
}

// ---- Certified state proofs ---------------------------------------------------------------------

const MAX_PROOF_LEN = MAX_STATE_KEY_LEN + MAX_STATE_VALUE_LEN + 257 * 32 + 128;

/**
 * What a node serves so that a client trusting only the validator set can check a value (C++
 * CertifiedStateProof): { header, cert (the header's commit certificate), proof }. The proof is
 * against header.state_root, the state after block header.exec_height.
 * Encoding: version u8 | header | cert | proof blob (encodeStateProof).
 */
export function encodeCertifiedStateProof(c) {
  const w = new Writer();
  w.u8(STATE_PROOF_VERSION);
  encodeBlockHeaderTo(w, c.header);
  encodeQuorumCertTo(w, c.cert);
  w.blob(encodeStateProof(c.proof));
  return w.bytes();
}

export function decodeCertifiedStateProof(bytes) {
  const r = new Reader(bytes, 'certified state proof');
  r.version(STATE_PROOF_VERSION);
  const header = decodeBlockHeaderFrom(r);
  const cert = decodeQuorumCertFrom(r);
  const proofBytes = r.blob(MAX_PROOF_LEN, 'proof');
  r.finish();
  return { header, cert, proof: decodeStateProof(proofBytes) };
}

/**
 * True iff the header is for chainId and names `validators`, `cert` is a valid quorum of
 * `validators` committing exactly this header, and the proof shows key -> value (null: absence)
 * under header.state_root. Throws VerifyError with the C++ message otherwise.
 */
export function verifyCertifiedStateProof(validators, chainId, key, value, c) {
  if (c.header.chain_id !== chainId) {
    throw new VerifyError('certified proof: header is for another chain');
  }
  if (!bytesEqual(c.header.validators_hash, validatorSetHash(validators))) {
    throw new VerifyError('certified proof: header names another validator set');
  }
  if (
    !bytesEqual(c.cert.data.commit_id, blockHeaderId(c.header)) ||
    BigInt(c.cert.data.commit_height) !== BigInt(c.header.height)
  ) {
    throw new VerifyError('certified proof: certificate does not commit the header');
  }
  try {
    verifyQuorumCert(c.cert, validators, chainId);
  } catch (e) {
    if (e instanceof VerifyError) throw new VerifyError(`certified proof: ${e.reason}`);
    throw e;
  }
  return verifyStateProof(c.header.state_root, key, value, c.proof);
}
