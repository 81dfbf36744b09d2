// proof_bundle.js — verifiable answers, as sdk/include/tidemark/proof_bundle.h (docs/proofs.md):
// several state values proven against one committed header (StateBundle), a tx and its receipt
// (TxBundle), and the epoch-change chain that leads from the genesis validator set to the set
// that signed the header. Pure and synchronous: works on plain http (no crypto.subtle).
//
//   const trust = trustFromGenesis(await (await fetch('/v1/genesis')).json());  // or pinned
//   const answer = await (await fetch(url + '?proof=true',
//                                     { headers: { Accept: 'application/json' } })).json();
//   const r = verifyTraceAnswer(answer, trust);   // throws VerifyError with a reason
//   r.facts.state, r.facts.product.name, r.height, r.signers, r.checked
//
// trust = { chainId, genesis } where genesis is a validator set object, its canonical encoding
// (Uint8Array or hex), or the /v1/genesis JSON ({chain_id, validator_set}) itself.

import { DecodeError, bytesEqual, fromHex, isBytes, toHex } from './bytes.js';
import { Reader } from './codec.js';
import { sha256 } from './hash.js';
import { decodeMerkleProofFrom, merkleLeafHash, merkleVerifyLeafHash } from './merkle.js';
import { verifyCommittedHeader } from './proofs.js';
import { stateKeys } from './state_keys.js';
import {
  SMT_DEPTH,
  SMT_EMPTY_HASH,
  MAX_STATE_KEY_LEN,
  MAX_STATE_VALUE_LEN,
  decodeStateProof,
  smtKeyHash,
  smtLeafHash,
  smtNodeHash,
  smtPathBit,
  verifyStateProof,
} from './state_proof.js';
import {
  MAX_TX_SIZE,
  VerifyError,
  blockHeaderId,
  decodeBlockHeaderFrom,
  decodeQuorumCertFrom,
  decodeReceipt,
  decodeTransaction,
  decodeValidatorSet,
  receiptHash,
  transactionId,
} from './types.js';
import { decodeValue, valueToJson } from './value.js';

export const PROOF_BUNDLE_VERSION = 1;
export const MAX_MULTI_PROOF_KEYS = 256;
export const MAX_EPOCH_CHAIN = 1024;
// The state key where governance keeps the current validator set (state_keys.js).
export const VALIDATOR_SET_STATE_KEY = stateKeys.gov.VALIDATORS;
const MAX_BUNDLE_VALUE_BYTES = 4 * 1024 * 1024;

const enc = new TextEncoder();

function unauth(msg) {
  return new VerifyError(msg);
}

// Runs fn, turning a DecodeError into a VerifyError (a malformed proof proves nothing).
function asVerify(prefix, fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DecodeError) throw new VerifyError(`${prefix}: ${e.message}`);
    throw e;
  }
}

// ---- Trust -------------------------------------------------------------------------------------

/** The trust anchor from GET /v1/genesis ({chain_id, validator_set: hex, ...}). */
export function trustFromGenesis(g) {
  return { chainId: g.chain_id, genesis: decodeValidatorSet(fromHex(g.validator_set)) };
}

export function normaliseTrust(trust) {
  if (!trust) throw new VerifyError('trust: no trust anchor given');
  if (typeof trust.validator_set === 'string') return trustFromGenesis(trust);
  let genesis = trust.genesis;
  if (typeof genesis === 'string') genesis = decodeValidatorSet(fromHex(genesis));
  else if (isBytes(genesis)) genesis = decodeValidatorSet(genesis);
  const chainId = trust.chainId ?? trust.chain_id;
  if (typeof chainId !== 'string' || !genesis || !Array.isArray(genesis.validators)) {
    throw new VerifyError('trust: expected { chainId, genesis }');
  }
  if (genesis.validators.length === 0) throw new VerifyError('trust: empty genesis validator set');
  return { chainId, genesis };
}

// ---- Multi-key state proofs --------------------------------------------------------------------

function bitAt(bits, i) {
  return ((bits[i >> 3] >> (7 - (i & 7))) & 1) === 1;
}

function popcount(bytes) {
  let n = 0;
  for (let b of bytes) for (; b; b >>= 1) n += b & 1;
  return n;
}

export function decodeMultiStateProofFrom(r) {
  r.version(PROOF_BUNDLE_VERSION);
  const n = r.count(MAX_MULTI_PROOF_KEYS, 8, 'keys');
  if (n === 0) throw r.error('no keys');
  const entries = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const key = r.blob(MAX_STATE_KEY_LEN, 'key');
    if (key.length === 0) throw r.error('multi proof: key length out of range');
    let value = null;
    let value_hash = null;
    const tag = r.u8('value tag');
    if (tag > 2) throw r.error('unknown value tag');
    if (tag === 1) {
      value = r.blob(MAX_STATE_VALUE_LEN, 'value');
      total += value.length;
      if (total > MAX_BUNDLE_VALUE_BYTES) throw r.error('values too large');
    } else if (tag === 2) {
      value_hash = r.raw(32, 'value hash');
    }
    const depth = r.u16('depth');
    if (depth > SMT_DEPTH) throw r.error('multi proof: depth above 256');
    let other_leaf = null;
    if (r.bool('other leaf tag')) {
      other_leaf = { key_hash: r.raw(32, 'other key hash'), value_hash: r.raw(32, 'other value hash') };
    }
    if ((value !== null || value_hash !== null) && other_leaf !== null) {
      throw r.error('multi proof: inclusion with another leaf');
    }
    entries.push({ key, value, value_hash, depth, other_leaf });
  }
  const slots = r.u32('slots');
  if (slots > MAX_MULTI_PROOF_KEYS * SMT_DEPTH) throw r.error('too many slots');
  const present = r.raw(Math.ceil(slots / 8), 'present bits');
  if (slots % 8 !== 0 && (present[present.length - 1] & (0xff >> (slots % 8))) !== 0) {
    throw r.error('present bits set beyond slots');
  }
  const set = popcount(present);
  if (set * 32 > r.remaining()) throw r.error('truncated at siblings');
  const siblings = [];
  for (let i = 0; i < set; i++) {
    const s = r.raw(32, 'sibling');
    if (s.every((b) => b === 0)) throw r.error('empty sibling must be omitted');
    siblings.push(s);
  }
  return { entries, slots, present, siblings };
}

function sharePrefix(a, b, bits) {
  for (let i = 0; i < bits; i++) if (smtPathBit(a, i) !== smtPathBit(b, i)) return false;
  return true;
}

function comparePaths(a, b) {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The root a multi proof hashes to; throws DecodeError if malformed (structure only). */
export function multiStateProofRoot(p) {
  const bad = (m) => new DecodeError(`multi proof: ${m}`);
  if (p.entries.length === 0 || p.entries.length > MAX_MULTI_PROOF_KEYS) throw bad('1 to 256 keys');
  const paths = p.entries.map((e) => smtKeyHash(e.key));
  for (let i = 1; i < paths.length; i++) {
    if (comparePaths(paths[i - 1], paths[i]) >= 0) throw bad('keys not strictly ascending by path');
  }
  let slot = 0;
  let next = 0;
  const sibling = () => {
    if (slot >= p.slots) throw bad('too few slots');
    const has = bitAt(p.present, slot++);
    if (!has) return SMT_EMPTY_HASH;
    if (next >= p.siblings.length) throw bad('too few siblings');
    return p.siblings[next++];
  };
  const terminal = (i) => {
    const e = p.entries[i];
    if (e.value !== null && e.value !== undefined) return smtLeafHash(paths[i], sha256(e.value));
    if (e.value_hash) return smtLeafHash(paths[i], e.value_hash);
    if (e.other_leaf === null) return SMT_EMPTY_HASH;
    if (bytesEqual(e.other_leaf.key_hash, paths[i])) throw bad("absence names the key's own leaf");
    if (!sharePrefix(e.other_leaf.key_hash, paths[i], e.depth)) {
      throw bad("other leaf is not on the key's path");
    }
    return smtLeafHash(e.other_leaf.key_hash, e.other_leaf.value_hash);
  };
  // Same depth-first walk as the C++ Walk(): keys is a run of indexes sharing `depth` bits.
  const walk = (depth, lo, hi) => {
    if (hi - lo === 1 && p.entries[lo].depth === depth) return terminal(lo);
    for (let i = lo; i < hi; i++) {
      if (p.entries[i].depth <= depth) throw bad("a key's leaf place is shared with another key");
    }
    if (depth >= SMT_DEPTH) throw bad('depth above 256');
    let split = lo;
    while (split < hi && !smtPathBit(paths[split], depth)) split++;
    const l = split === lo ? sibling() : walk(depth + 1, lo, split);
    const r = split === hi ? sibling() : walk(depth + 1, split, hi);
    return smtNodeHash(l, r);
  };
  const root = walk(0, 0, p.entries.length);
  if (slot !== p.slots || next !== p.siblings.length) throw bad('unused slots or siblings');
  return root;
}

// ---- Epoch chain -------------------------------------------------------------------------------

export function decodeEpochChangeFrom(r) {
  const header = decodeBlockHeaderFrom(r);
  const cert = decodeQuorumCertFrom(r);
  const proof = decodeStateProof(r.blob(64 * 1024, 'epoch change proof'));
  return { header, cert, proof };
}

function decodeEpochsFrom(r) {
  const n = r.count(MAX_EPOCH_CHAIN, 64, 'epoch chain');
  const out = [];
  for (let i = 0; i < n; i++) out.push(decodeEpochChangeFrom(r));
  return out;
}

/** A committed header: the certificate names it and verifies with the set of its epoch. */
export function verifyHeaderWithSets(sets, chainId, header, cert) {
  if (header.chain_id !== chainId) throw unauth('header: for another chain');
  const epoch = Number(header.epoch);
  if (BigInt(header.epoch) >= BigInt(sets.length)) {
    throw unauth(`header: epoch ${header.epoch} is not reached by the epoch chain (stale trust)`);
  }
  try {
    verifyCommittedHeader(header, cert, sets[epoch]);
  } catch (e) {
    if (e instanceof VerifyError) throw unauth(`certificate: ${e.reason}`);
    throw e;
  }
  return true;
}

/** Follows the links from the genesis set; returns the set of every epoch (index = epoch). */
export function followEpochChain(trust, chain) {
  const t = normaliseTrust(trust);
  const sets = [t.genesis];
  for (const link of chain) {
    const cur = sets[sets.length - 1];
    if (BigInt(link.header.epoch) !== BigInt(cur.epoch)) {
      throw unauth(`epoch chain: link for epoch ${link.header.epoch}, expected ${cur.epoch}`);
    }
    try {
      verifyHeaderWithSets(sets, t.chainId, link.header, link.cert);
    } catch (e) {
      if (e instanceof VerifyError) throw unauth(`epoch chain: ${e.reason}`);
      throw e;
    }
    if (link.proof.value === null) throw unauth('epoch chain: no validator set proven');
    try {
      verifyStateProof(link.header.state_root, enc.encode(VALIDATOR_SET_STATE_KEY),
                       link.proof.value, link.proof);
    } catch (e) {
      if (e instanceof VerifyError) throw unauth(`epoch chain: ${e.reason}`);
      throw e;
    }
    const next = asVerify('epoch chain', () => decodeValidatorSet(link.proof.value));
    if (BigInt(next.epoch) !== BigInt(cur.epoch) + 1n) {
      throw unauth("epoch chain: proven set is not the next epoch's");
    }
    sets.push(next);
  }
  return sets;
}

// ---- State bundles -----------------------------------------------------------------------------

export function decodeStateBundle(bytes) {
  const r = new Reader(bytes, 'state bundle');
  r.version(PROOF_BUNDLE_VERSION);
  const epochs = decodeEpochsFrom(r);
  const header = decodeBlockHeaderFrom(r);
  const cert = decodeQuorumCertFrom(r);
  const state = decodeMultiStateProofFrom(r);
  r.finish();
  return { epochs, header, cert, state };
}

function signersOf(cert, set) {
  return cert.signatures.map(({ signer }) => ({
    index: signer,
    org: set.validators[signer].org,
    key: toHex(set.validators[signer].key),
  }));
}

/**
 * Verifies a decoded StateBundle against the trust anchor. Returns { height, stateVersion, epoch,
 * blockId, stateRoot, timestampMs, signers, validatorCount, entries: [{key, value|null}] };
 * throws VerifyError.
 */
export function verifyStateBundle(trust, b) {
  const t = normaliseTrust(trust);
  const sets = followEpochChain(t, b.epochs);
  verifyHeaderWithSets(sets, t.chainId, b.header, b.cert);
  const root = asVerify('state proof', () => multiStateProofRoot(b.state));
  if (!bytesEqual(root, b.header.state_root)) throw unauth('state proof: root mismatch');
  const set = sets[Number(b.header.epoch)];
  return {
    height: Number(b.header.height),
    stateVersion: Number(b.header.exec_height),
    epoch: Number(b.header.epoch),
    blockId: toHex(blockHeaderId(b.header)),
    stateRoot: toHex(b.header.state_root),
    timestampMs: Number(b.header.timestamp_ms),
    signers: signersOf(b.cert, set),
    validatorCount: set.validators.length,
    // value: the bytes (null when absent or when only the hash was carried); valueHash: the
    // proven SHA-256 of the value (null when absent); present: the key has a value.
    entries: b.state.entries.map((e) => ({
      key: e.key,
      value: e.value ?? null,
      valueHash: e.value ? sha256(e.value) : e.value_hash ?? null,
      present: !!(e.value || e.value_hash),
    })),
  };
}

/** Bytes (or hex) of a StateBundle -> verification result; DecodeError becomes VerifyError. */
export function verifyStateBundleBytes(trust, bytes) {
  const raw = typeof bytes === 'string' ? asVerify('bundle', () => fromHex(bytes)) : bytes;
  const b = asVerify('bundle', () => decodeStateBundle(raw));
  return verifyStateBundle(trust, b);
}

// ---- Tx bundles --------------------------------------------------------------------------------

export function decodeTxBundle(bytes) {
  const r = new Reader(bytes, 'tx bundle');
  r.version(PROOF_BUNDLE_VERSION);
  const epochs = decodeEpochsFrom(r);
  const header = decodeBlockHeaderFrom(r);
  const cert = decodeQuorumCertFrom(r);
  const tx = decodeTransaction(r.blob(MAX_TX_SIZE, 'tx'));
  const tx_path = decodeMerkleProofFrom(r);
  let receipt = null;
  if (r.bool('receipt tag')) {
    const rh = decodeBlockHeaderFrom(r);
    const rc = decodeQuorumCertFrom(r);
    const rec = decodeReceipt(r.blob(MAX_TX_SIZE * 2, 'receipt'));
    const path = decodeMerkleProofFrom(r);
    receipt = { header: rh, cert: rc, receipt: rec, path };
  }
  r.finish();
  return { epochs, header, cert, tx, tx_path, receipt };
}

/** { txId, height, index, epoch, signers, receipt|null }; throws VerifyError. */
export function verifyTxBundle(trust, b) {
  const t = normaliseTrust(trust);
  const sets = followEpochChain(t, b.epochs);
  verifyHeaderWithSets(sets, t.chainId, b.header, b.cert);
  if (b.tx.chain_id !== t.chainId) throw unauth('tx: for another chain');
  const id = transactionId(b.tx);
  if (BigInt(b.tx_path.tree_size) !== BigInt(b.header.tx_count)) {
    throw unauth('tx proof: tree size != tx_count');
  }
  if (!merkleVerifyLeafHash(b.header.tx_root, merkleLeafHash(id), b.tx_path)) {
    throw unauth("tx proof: does not lead to the header's tx_root");
  }
  const out = {
    txId: toHex(id),
    height: Number(b.header.height),
    index: Number(b.tx_path.index),
    epoch: Number(b.header.epoch),
    signers: signersOf(b.cert, sets[Number(b.header.epoch)]),
    receipt: null,
  };
  if (b.receipt) {
    const p = b.receipt;
    try {
      verifyHeaderWithSets(sets, t.chainId, p.header, p.cert);
    } catch (e) {
      if (e instanceof VerifyError) throw unauth(`receipt: ${e.reason}`);
      throw e;
    }
    if (BigInt(p.header.exec_height) !== BigInt(b.header.height)) {
      throw unauth("receipt proof: header certifies another height's execution");
    }
    if (!bytesEqual(p.receipt.tx_id, id) || BigInt(p.receipt.height) !== BigInt(b.header.height) ||
        Number(p.receipt.index) !== out.index || Number(p.path.index) !== out.index) {
      throw unauth('receipt proof: receipt is for another tx');
    }
    if (!merkleVerifyLeafHash(p.header.receipts_root, merkleLeafHash(receiptHash(p.receipt)), p.path)) {
      throw unauth("receipt proof: does not lead to the header's receipts_root");
    }
    out.receipt = p.receipt;
  }
  return out;
}

export function verifyTxBundleBytes(trust, bytes) {
  const raw = typeof bytes === 'string' ? asVerify('bundle', () => fromHex(bytes)) : bytes;
  return verifyTxBundle(trust, asVerify('bundle', () => decodeTxBundle(raw)));
}
