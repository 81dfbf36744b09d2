// rest.js — check the node's REST answers (node/src/api/json.cc, docs/api.md) in the browser.
//
// The JSON fields of an answer are for display; what is trusted is only what these functions
// decode from the canonical bytes the answer carries ("raw", "raw_header", "proof") and check
// against a validator set the page already trusts (from the genesis, or a previous epoch).
//
//   const vs = validatorSetFromJson(await (await fetch('/v1/validators')).json(), trustedHash);
//   const block = verifyBlockResponse(await (await fetch('/v1/blocks/5')).json(), vs);
//   // block.header, block.txs, block.certificate: decoded from bytes, certified by a quorum
//   const st = verifyStateProofResponse(await (await fetch(`/v1/state/${k}/proof`)).json(), hdr);
//   // st.value: Uint8Array, or null when the key is proven absent
//
// Every function returns the verified objects or throws VerifyError (DecodeError for bytes that
// do not decode). Large integers in JSON are never relied on: heights are read from the bytes.

import { bytesEqual, fromHex, fromHexFixed, toHex } from './bytes.js';
import { merkleLeafHash, merkleRootFromLeafHashes } from './merkle.js';
import { verifyCommittedHeader } from './proofs.js';
import { decodeStateProof, verifyStateProof } from './state_proof.js';
import { encodeValue, valueFromJson } from './value.js';
import {
  VerifyError,
  blockHeaderId,
  decodeBlockHeader,
  decodeQuorumCert,
  decodeTransaction,
  quorumCertHash,
  receiptHash,
  transactionId,
  validatorSetHash,
} from './types.js';

function need(cond, reason) {
  if (!cond) throw new VerifyError(reason);
}

/**
 * A validator set from GET /v1/validators ({epoch, hash, validators: [{index, key, org}]}).
 * Pass the hash the page trusts (e.g. a header's validators_hash already verified, or the
 * genesis); the set is rebuilt from keys and orgs and must hash to it.
 */
export function validatorSetFromJson(j, trustedHash) {
  const validators = [...j.validators]
    .sort((a, b) => a.index - b.index)
    .map((v, i) => {
      need(v.index === i, 'validators: indexes are not 0..n-1');
      return { key: fromHexFixed(v.key, 32, 'validator key'), org: v.org };
    });
  const vs = { epoch: BigInt(j.epoch), validators };
  const hash = validatorSetHash(vs);
  if (j.hash !== undefined) need(toHex(hash) === j.hash, 'validators: hash field does not match');
  if (trustedHash !== undefined) {
    const want = typeof trustedHash === 'string' ? fromHex(trustedHash) : trustedHash;
    need(bytesEqual(hash, want), 'validators: not the trusted validator set');
  }
  return vs;
}

/**
 * A block from GET /v1/blocks/{id}: raw_header must hash to `id`, `certificate` (a QC whose
 * commit_id is this block) must verify against `validatorSet`, `justify` must hash to the
 * header's justify_hash, and the txs (decoded from their raw bytes) must match tx_root and
 * tx_count. A redacted tx of a private contract (fin: `raw` null, `redacted` true; docs/api.md
 * §Finance) enters tx_root by its id alone and is returned as { redacted: true, id, contract,
 * method }. Returns { id, header, certificate, justify, txs }.
 */
export function verifyBlockResponse(j, validatorSet) {
  const header = decodeBlockHeader(fromHex(j.raw_header));
  const id = blockHeaderId(header);
  need(toHex(id) === j.id, 'block: raw_header does not hash to the block id');
  need(j.certificate != null, 'block: no commit certificate');
  const certificate = decodeQuorumCert(fromHex(j.certificate.raw));
  verifyCommittedHeader(header, certificate, validatorSet);
  const justify = decodeQuorumCert(fromHex(j.justify.raw));
  need(bytesEqual(quorumCertHash(justify), header.justify_hash), 'block: justify_hash mismatch');
  const ids = [];
  const txs = j.txs.map((t) => {
    if (t.raw === null && t.redacted === true) {
      const txId = fromHexFixed(t.id, 32, 'tx id');
      ids.push(txId);
      return { redacted: true, id: txId, contract: t.contract, method: t.method };
    }
    const tx = decodeTransaction(fromHex(t.raw));
    need(toHex(transactionId(tx)) === t.id, `block: tx ${t.id} does not match its bytes`);
    ids.push(transactionId(tx));
    return tx;
  });
  need(txs.length === header.tx_count, 'block: tx_count mismatch');
  const root = merkleRootFromLeafHashes(ids.map(merkleLeafHash));
  need(bytesEqual(root, header.tx_root), 'block: txs do not match tx_root');
  return { id, header, certificate, justify, txs };
}

/**
 * A state proof from GET /v1/state/{key}/proof, checked against `header`, the verified header
 * of block `height` (its state_root is the one used, never the answer's). Returns
 * { key, value } with value null when the key is proven absent.
 */
export function verifyStateProofResponse(j, header) {
  need(BigInt(j.height) === BigInt(header.height), 'state: proof is for another block');
  need(j.state_root === toHex(header.state_root), 'state: state_root differs from the header');
  const key = fromHex(j.key);
  const value = j.value === null ? null : fromHex(j.value);
  need(j.exists === (value !== null), 'state: exists disagrees with value');
  verifyStateProof(header.state_root, key, value, decodeStateProof(fromHex(j.proof)));
  return { key, value };
}

const STATUS = { committed: 0, rejected: 1 };

/**
 * The receipts of one block (the "receipts" array of GET /v1/blocks/{id}, in block order),
 * rebuilt from their fields and checked against `execHeader`: a verified header whose
 * exec_height is that block's height (its receipts_root covers them). Event data must be given
 * as JSON Values; parse the answer with parseJsonExact so int64s stay exact. A redacted receipt
 * (`redacted` true: a fin tx's, its data and reason withheld) cannot be rebuilt: its `hash` is
 * taken as its leaf, and it is returned as { redacted: true, tx_id, index, status, hash }.
 * Returns the receipts as SDK objects.
 */
export function verifyReceiptsResponse(receiptsJson, execHeader) {
  need(Array.isArray(receiptsJson), 'receipts: block not executed yet');
  const leaves = [];
  const receipts = receiptsJson.map((r, i) => {
    need(r.status in STATUS, `receipts: unknown status ${r.status}`);
    if (r.redacted === true) {
      const hash = fromHexFixed(r.hash, 32, 'receipt hash');
      need(Number(r.index) === i, 'receipts: not in block order');
      leaves.push(hash);
      return {
        redacted: true,
        tx_id: fromHexFixed(r.tx_id, 32, 'tx_id'),
        index: i,
        status: STATUS[r.status],
        hash,
      };
    }
    const rc = {
      tx_id: fromHexFixed(r.tx_id, 32, 'tx_id'),
      height: BigInt(r.height),
      index: Number(r.index),
      status: STATUS[r.status],
      reason: r.reason,
      events: r.events.map((e) => {
        need(e.data !== null, `receipts: event data of receipt ${i} is not a Value`);
        return { type: e.type, data: encodeValue(valueFromJson(e.data)) };
      }),
    };
    need(rc.index === i, 'receipts: not in block order');
    need(rc.height === BigInt(execHeader.exec_height), 'receipts: not of the certified height');
    if (r.hash !== undefined) need(toHex(receiptHash(rc)) === r.hash, `receipts: hash of ${i}`);
    leaves.push(receiptHash(rc));
    return rc;
  });
  const root = merkleRootFromLeafHashes(leaves.map(merkleLeafHash));
  need(bytesEqual(root, execHeader.receipts_root), 'receipts: root mismatch');
  return receipts;
}
