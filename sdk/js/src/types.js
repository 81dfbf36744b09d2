// types.js — the ledger's core objects and their canonical encodings, as
// sdk/include/tidemark/types.h (docs/encoding.md). Field names are the C++ ones (snake_case);
// u64 fields are BigInt, u32 fields numbers, hashes / keys / signatures Uint8Array.
//
//   const tx = { chain_id: 'tidemark-local', nonce: 1n, contract: 'test', method: 'put',
//                args: encodeValue({ k: 'v' }), expiry_height: null };
//   signTransaction(tx, seed);            // sets tx.signer and tx.signature
//   const wire = encodeTransaction(tx);
//   toHex(transactionId(tx));             // SHA-256 of the signed encoding
//   decodeTransaction(wire);              // throws DecodeError on anything non-canonical
//
// Every decoder rejects other versions, trailing bytes, over-long fields and non-canonical forms
// with a DecodeError whose message matches the C++ Status message.

import { assertBytes, isZero } from './bytes.js';
import { Reader, Writer, decodeWhole } from './codec.js';
import { publicKeyFromSeed, sign, verifyRaw, signingMessage, verify } from './crypto.js';
import { sha256 } from './hash.js';
import { merkleLeafHash, merkleRootFromLeafHashes } from './merkle.js';

export const ENCODING_VERSION = 1;
export const MAX_CHAIN_ID_LEN = 64;
export const MAX_CONTRACT_LEN = 32;
export const MAX_METHOD_LEN = 64;
export const MAX_ARGS_LEN = 512 * 1024;
export const MAX_TX_SIZE = MAX_ARGS_LEN + 1024;
export const MAX_TXS_PER_BLOCK = 10000;
export const MAX_VALIDATORS = 256;
export const MAX_REASON_LEN = 1024;
export const MAX_EVENTS_PER_RECEIPT = 256;
export const MAX_EVENT_DATA_LEN = 64 * 1024;

const ZERO32 = new Uint8Array(32);
const ZERO64 = new Uint8Array(64);

function checkIdent(r, s, allowUpperDot, field) {
  if (s.length === 0) throw r.error(`${field} is empty`);
  for (const c of s) {
    const ok =
      (c >= 'a' && c <= 'z') ||
      (c >= '0' && c <= '9') ||
      c === '_' ||
      (allowUpperDot && ((c >= 'A' && c <= 'Z') || c === '.'));
    if (!ok) throw r.error(`${field} has an invalid character`);
  }
}

// ---- Transaction -------------------------------------------------------------------------------

function writeTxBody(w, tx) {
  w.u8(ENCODING_VERSION);
  w.str(tx.chain_id);
  w.raw(tx.signer ?? ZERO32, 32);
  w.u64(tx.nonce);
  w.str(tx.contract);
  w.str(tx.method);
  w.blob(tx.args);
  const exp = tx.expiry_height ?? null;
  w.bool(exp !== null);
  if (exp !== null) w.u64(exp);
}

/** What the signer signs (everything but the signature); domain "tx" over chain_id. */
export function transactionSigningBody(tx) {
  const w = new Writer();
  writeTxBody(w, tx);
  return w.bytes();
}

export function encodeTransaction(tx) {
  const w = new Writer();
  writeTxBody(w, tx);
  w.raw(tx.signature ?? ZERO64, 64);
  return w.bytes();
}

/** SHA-256 of the signed encoding. */
export function transactionId(tx) {
  return sha256(encodeTransaction(tx));
}

/** Sets tx.signer from the seed, then tx.signature. Returns tx. */
export function signTransaction(tx, seed) {
  tx.signer = publicKeyFromSeed(seed);
  tx.signature = sign(seed, 'tx', tx.chain_id, transactionSigningBody(tx));
  return tx;
}

export function verifyTransactionSignature(tx) {
  return verify(tx.signer, 'tx', tx.chain_id, transactionSigningBody(tx), tx.signature);
}

export function decodeTransactionFrom(r) {
  r.version(ENCODING_VERSION);
  const chain_id = r.str(MAX_CHAIN_ID_LEN, 'chain_id');
  if (chain_id.length === 0) throw r.error('chain_id is empty');
  const signer = r.raw(32, 'signer');
  const nonce = r.u64('nonce');
  const contract = r.str(MAX_CONTRACT_LEN, 'contract');
  checkIdent(r, contract, false, 'contract');
  const method = r.str(MAX_METHOD_LEN, 'method');
  checkIdent(r, method, true, 'method');
  const args = r.blob(MAX_ARGS_LEN, 'args');
  const hasExpiry = r.bool('expiry_height');
  const expiry_height = hasExpiry ? r.u64('expiry_height') : null;
  const signature = r.raw(64, 'signature');
  return { chain_id, signer, nonce, contract, method, args, expiry_height, signature };
}

export function decodeTransaction(bytes) {
  assertBytes(bytes, undefined, 'tx');
  if (bytes.length > MAX_TX_SIZE) {
    throw new Reader(bytes, 'tx').error(`too large (${bytes.length} > ${MAX_TX_SIZE} bytes)`);
  }
  return decodeWhole(bytes, 'tx', decodeTransactionFrom);
}

// ---- Votes and quorum certificates -------------------------------------------------------------

export function encodeVoteDataTo(w, d) {
  w.u8(ENCODING_VERSION);
  w.u64(d.epoch);
  w.u64(d.round);
  w.u64(d.height);
  w.raw(d.block_id, 32);
  w.u64(d.commit_height);
  w.raw(d.commit_id, 32);
  return w;
}

/** The body a vote signs (domain "vote"). */
export function encodeVoteData(d) {
  return encodeVoteDataTo(new Writer(), d).bytes();
}

export function decodeVoteDataFrom(r) {
  r.version(ENCODING_VERSION);
  const epoch = r.u64('epoch');
  const round = r.u64('round');
  const height = r.u64('height');
  const block_id = r.raw(32, 'block_id');
  const commit_height = r.u64('commit_height');
  const commit_id = r.raw(32, 'commit_id');
  if (isZero(commit_id) !== (commit_height === 0n)) {
    throw r.error('commit_height and commit_id disagree');
  }
  return { epoch, round, height, block_id, commit_height, commit_id };
}

export function decodeVoteData(bytes) {
  return decodeWhole(bytes, 'vote_data', decodeVoteDataFrom);
}

export function encodeVote(v) {
  const w = encodeVoteDataTo(new Writer(), v.data);
  w.u32(v.voter);
  w.raw(v.signature, 64);
  return w.bytes();
}

export function decodeVote(bytes) {
  return decodeWhole(bytes, 'vote', (r) => {
    const data = decodeVoteDataFrom(r);
    const voter = r.u32('voter');
    const signature = r.raw(64, 'signature');
    return { data, voter, signature };
  });
}

/** A vote signature by `seed` over `data` (domain "vote"). */
export function signVoteData(data, seed, chainId) {
  return sign(seed, 'vote', chainId, encodeVoteData(data));
}

export function verifyVote(vote, validatorSet, chainId) {
  const v = validatorSet.validators[vote.voter];
  if (v === undefined || BigInt(vote.data.epoch) !== BigInt(validatorSet.epoch)) return false;
  return verify(v.key, 'vote', chainId, encodeVoteData(vote.data), vote.signature);
}

/** qc.signatures is an array of { signer: u32, signature: Uint8Array(64) }, signers ascending. */
export function encodeQuorumCertTo(w, qc) {
  encodeVoteDataTo(w, qc.data);
  w.u32(qc.signatures.length);
  for (const { signer, signature } of qc.signatures) {
    w.u32(signer);
    w.raw(signature, 64);
  }
  return w;
}

export function encodeQuorumCert(qc) {
  return encodeQuorumCertTo(new Writer(), qc).bytes();
}

export function quorumCertHash(qc) {
  return sha256(encodeQuorumCert(qc));
}

export function decodeQuorumCertFrom(r) {
  const data = decodeVoteDataFrom(r);
  const n = r.count(MAX_VALIDATORS, 68, 'signatures');
  const signatures = [];
  for (let i = 0; i < n; i++) {
    const signer = r.u32('signer');
    const signature = r.raw(64, 'signature');
    if (i > 0 && signer <= signatures[i - 1].signer)
      throw r.error('signers not strictly ascending');
    signatures.push({ signer, signature });
  }
  return { data, signatures };
}

export function decodeQuorumCert(bytes) {
  return decodeWhole(bytes, 'qc', decodeQuorumCertFrom);
}

export function isGenesisQuorumCert(qc) {
  return qc.signatures.length === 0 && BigInt(qc.data.round) === 0n;
}

/** Thrown by the verify* functions that explain a failure; `reason` says what was wrong. */
export class VerifyError extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'VerifyError';
    this.reason = reason;
  }
}

export function maxFaulty(validatorSet) {
  const n = validatorSet.validators.length;
  return n === 0 ? 0 : Math.floor((n - 1) / 3);
}

/** n - floor((n - 1) / 3): 2f + 1 for n = 3f + 1. */
export function quorumSize(validatorSet) {
  return validatorSet.validators.length - maxFaulty(validatorSet);
}

/**
 * Same rules as C++ QuorumCert::Verify: epochs match, signers strictly ascending members of the
 * set, at least quorumSize() of them, every signature valid over the vote data (domain "vote",
 * chainId). Returns true, or throws VerifyError with the reason (so a forgotten check of the
 * result cannot pass a bad certificate).
 */
export function verifyQuorumCert(qc, validatorSet, chainId) {
  const vs = validatorSet;
  // An empty set has quorum 0: without this check any QC would verify against it.
  if (vs.validators.length === 0) throw new VerifyError('qc: empty validator set');
  if (BigInt(qc.data.epoch) !== BigInt(vs.epoch)) {
    throw new VerifyError(
      `qc: epoch ${qc.data.epoch} does not match validator set epoch ${vs.epoch}`,
    );
  }
  const quorum = quorumSize(vs);
  if (qc.signatures.length < quorum) {
    throw new VerifyError(`qc: ${qc.signatures.length} signatures, quorum is ${quorum}`);
  }
  const msg = signingMessage('vote', chainId, encodeVoteData(qc.data));
  for (let i = 0; i < qc.signatures.length; i++) {
    const { signer, signature } = qc.signatures[i];
    if (i > 0 && signer <= qc.signatures[i - 1].signer) {
      throw new VerifyError('qc: signers not strictly ascending');
    }
    if (!Number.isInteger(signer) || signer < 0 || signer >= vs.validators.length) {
      throw new VerifyError(`qc: signer ${signer} is not a validator`);
    }
    if (!verifyRaw(vs.validators[signer].key, msg, signature)) {
      throw new VerifyError(`qc: bad signature from validator ${signer}`);
    }
  }
  return true;
}

// ---- Validator sets ----------------------------------------------------------------------------

/** validatorSet = { epoch: bigint, validators: [{ key: Uint8Array(32), org: string }] } */
export function encodeValidatorSet(vs) {
  const w = new Writer();
  w.u8(ENCODING_VERSION);
  w.u64(vs.epoch);
  w.u32(vs.validators.length);
  for (const v of vs.validators) {
    w.raw(v.key, 32);
    w.str(v.org);
  }
  return w.bytes();
}

export function validatorSetHash(vs) {
  return sha256(encodeValidatorSet(vs));
}

export function decodeValidatorSetFrom(r) {
  r.version(ENCODING_VERSION);
  const epoch = r.u64('epoch');
  const n = r.count(MAX_VALIDATORS, 36, 'validators');
  if (n === 0) throw r.error('empty validator set');
  const validators = [];
  for (let i = 0; i < n; i++) {
    const key = r.raw(32, 'key');
    const org = r.str(64, 'org');
    validators.push({ key, org });
  }
  const seen = new Set();
  for (const v of validators) {
    const k = v.key.join(',');
    if (seen.has(k)) throw r.error('duplicate validator key');
    seen.add(k);
  }
  return { epoch, validators };
}

export function decodeValidatorSet(bytes) {
  return decodeWhole(bytes, 'validator_set', decodeValidatorSetFrom);
}

/** Index of a public key in the set, or -1. */
export function validatorIndexOf(vs, key) {
  return vs.validators.findIndex(
    (v) => v.key.length === key.length && v.key.every((b, i) => b === key[i]),
  );
}

// ---- Blocks ------------------------------------------------------------------------------------

export function encodeBlockHeaderTo(w, h) {
  w.u8(ENCODING_VERSION);
  w.str(h.chain_id);
  w.u64(h.epoch);
  w.u64(h.round);
  w.u64(h.height);
  w.raw(h.parent, 32);
  w.raw(h.justify_hash, 32);
  w.u32(h.proposer);
  w.u64(h.timestamp_ms);
  w.raw(h.tx_root, 32);
  w.u32(h.tx_count);
  w.u64(h.exec_height);
  w.raw(h.state_root, 32);
  w.raw(h.receipts_root, 32);
  w.raw(h.validators_hash, 32);
  return w;
}

export function encodeBlockHeader(h) {
  return encodeBlockHeaderTo(new Writer(), h).bytes();
}

/** The block id: SHA-256 of the header's encoding. */
export function blockHeaderId(h) {
  return sha256(encodeBlockHeader(h));
}

export function decodeBlockHeaderFrom(r) {
  r.version(ENCODING_VERSION);
  const h = {};
  h.chain_id = r.str(MAX_CHAIN_ID_LEN, 'chain_id');
  h.epoch = r.u64('epoch');
  h.round = r.u64('round');
  h.height = r.u64('height');
  h.parent = r.raw(32, 'parent');
  h.justify_hash = r.raw(32, 'justify_hash');
  h.proposer = r.u32('proposer');
  h.timestamp_ms = r.u64('timestamp_ms');
  h.tx_root = r.raw(32, 'tx_root');
  h.tx_count = r.u32('tx_count');
  if (h.tx_count > MAX_TXS_PER_BLOCK) throw r.error('tx_count too large');
  h.exec_height = r.u64('exec_height');
  if (h.exec_height > h.height) throw r.error('exec_height above height');
  h.state_root = r.raw(32, 'state_root');
  h.receipts_root = r.raw(32, 'receipts_root');
  h.validators_hash = r.raw(32, 'validators_hash');
  return h;
}

export function decodeBlockHeader(bytes) {
  return decodeWhole(bytes, 'header', decodeBlockHeaderFrom);
}

/** RFC 6962 root over the tx ids, in block order. */
export function txRoot(txs) {
  return merkleRootFromLeafHashes(txs.map((tx) => merkleLeafHash(transactionId(tx))));
}

/** block = { header, justify (a QC), txs: [tx] } */
export function encodeBlock(b) {
  const w = new Writer();
  encodeBlockHeaderTo(w, b.header);
  encodeQuorumCertTo(w, b.justify);
  w.u32(b.txs.length);
  for (const tx of b.txs) w.blob(encodeTransaction(tx));
  return w.bytes();
}

export function decodeBlock(bytes) {
  return decodeWhole(bytes, 'block', (r) => {
    const header = decodeBlockHeaderFrom(r);
    const justify = decodeQuorumCertFrom(r);
    const n = r.count(MAX_TXS_PER_BLOCK, 4 + 1 + 4 + 32 + 8 + 64, 'txs');
    const txs = [];
    for (let i = 0; i < n; i++) {
      const raw = r.blob(MAX_TX_SIZE, 'tx');
      try {
        txs.push(decodeTransaction(raw));
      } catch (e) {
        e.message = `block: ${e.message}`;
        throw e;
      }
    }
    return { header, justify, txs };
  });
}

/**
 * What a block says about itself (C++ Block::CheckInternal): justify_hash, parent (above
 * genesis), tx_count, tx_root and every tx's chain. Not signatures or state. Returns true or
 * throws VerifyError.
 */
export function checkBlockInternal(b) {
  const h = b.header;
  const same = (x, y) => x.length === y.length && x.every((v, i) => v === y[i]);
  if (!same(h.justify_hash, quorumCertHash(b.justify)))
    throw new VerifyError('block: justify_hash mismatch');
  if (BigInt(h.height) > 0n && !same(h.parent, b.justify.data.block_id)) {
    throw new VerifyError('block: parent is not the justified block');
  }
  if (h.tx_count !== b.txs.length) throw new VerifyError('block: tx_count mismatch');
  if (!same(h.tx_root, txRoot(b.txs))) throw new VerifyError('block: tx_root mismatch');
  for (const tx of b.txs) {
    if (tx.chain_id !== h.chain_id) throw new VerifyError('block: tx for another chain');
  }
  return true;
}

// ---- Receipts ----------------------------------------------------------------------------------

export const TxStatus = Object.freeze({ committed: 0, rejected: 1 });

/** receipt = { tx_id, height: bigint, index: u32, status: 0|1, reason, events: [{type, data}] } */
export function encodeReceipt(rc) {
  const w = new Writer();
  w.u8(ENCODING_VERSION);
  w.raw(rc.tx_id, 32);
  w.u64(rc.height);
  w.u32(rc.index);
  w.u8(rc.status);
  w.str(rc.reason);
  w.u32(rc.events.length);
  for (const e of rc.events) {
    w.str(e.type);
    w.blob(e.data);
  }
  return w.bytes();
}

export function receiptHash(rc) {
  return sha256(encodeReceipt(rc));
}

/**
 * RFC 6962 root over the receipt hashes in block order (leaf i = receipt i's 32-byte hash), the
 * header's receipts_root for block exec_height — the same construction as txRoot over tx ids.
 */
export function receiptsRoot(receipts) {
  return merkleRootFromLeafHashes(receipts.map((r) => merkleLeafHash(receiptHash(r))));
}

export function decodeReceipt(bytes) {
  return decodeWhole(bytes, 'receipt', (r) => {
    r.version(ENCODING_VERSION);
    const tx_id = r.raw(32, 'tx_id');
    const height = r.u64('height');
    const index = r.u32('index');
    const status = r.u8('status');
    if (status > 1) throw r.error(`unknown status ${status}`);
    const reason = r.str(MAX_REASON_LEN, 'reason');
    const n = r.count(MAX_EVENTS_PER_RECEIPT, 8, 'events');
    const events = [];
    for (let i = 0; i < n; i++) {
      const type = r.str(128, 'event type');
      const data = r.blob(MAX_EVENT_DATA_LEN, 'event data');
      events.push({ type, data });
    }
    return { tx_id, height, index, status, reason, events };
  });
}
