// proofs.js — checks a browser makes without trusting the node: a block header is committed
// (its commit certificate verifies against a known validator set), a tx is in a block, a receipt
// belongs to a block's execution results.
//
//   verifyCommittedHeader(header, commitQc, validatorSet);   // true, or throws VerifyError
//   verifyTxInclusion(header, txId, proof);                  // true, or throws VerifyError
//   verifyReceiptInclusion(header, receipt, proof);          // true, or throws VerifyError
//
// A quorum certificate whose data.commit_id is block B (and commit_height B's height) is B's
// commit certificate (docs/architecture.md, two-chain HotStuff); it is checkable with only the
// validator set of its epoch.

import { bytesEqual, toHex } from './bytes.js';
import { merkleLeafHash, merkleVerifyLeafHash } from './merkle.js';
import {
  VerifyError,
  blockHeaderId,
  receiptHash,
  validatorSetHash,
  verifyQuorumCert,
} from './types.js';

/**
 * The header is committed: qc is its commit certificate, signed by a quorum of validatorSet, and
 * the header names that validator set (validators_hash) and epoch. The chain id is the header's.
 */
export function verifyCommittedHeader(header, qc, validatorSet) {
  const id = blockHeaderId(header);
  if (
    !bytesEqual(qc.data.commit_id, id) ||
    BigInt(qc.data.commit_height) !== BigInt(header.height)
  ) {
    throw new VerifyError(
      `commit: certificate commits ${toHex(qc.data.commit_id)} at height ` +
        `${qc.data.commit_height}, not block ${toHex(id)} at height ${header.height}`,
    );
  }
  if (
    BigInt(header.epoch) !== BigInt(validatorSet.epoch) ||
    !bytesEqual(header.validators_hash, validatorSetHash(validatorSet))
  ) {
    throw new VerifyError('commit: header does not name this validator set');
  }
  return verifyQuorumCert(qc, validatorSet, header.chain_id);
}

/** The tx with this id (Uint8Array(32)) is in the block with this header, at proof.index. */
export function verifyTxInclusion(header, txId, proof) {
  if (BigInt(proof.tree_size) !== BigInt(header.tx_count)) {
    throw new VerifyError(`tx proof: tree size ${proof.tree_size} != tx_count ${header.tx_count}`);
  }
  if (!merkleVerifyLeafHash(header.tx_root, merkleLeafHash(txId), proof)) {
    throw new VerifyError("tx proof: does not lead to the header's tx_root");
  }
  return true;
}

/**
 * The receipt is one of the results of executing block receipt.height, which this header
 * certifies (header.exec_height === receipt.height; receipts_root is over receipt hashes).
 */
export function verifyReceiptInclusion(header, receipt, proof) {
  if (BigInt(header.exec_height) !== BigInt(receipt.height)) {
    throw new VerifyError(
      `receipt proof: header certifies execution of height ` +
        `${header.exec_height}, receipt is for ${receipt.height}`,
    );
  }
  if (BigInt(proof.index) !== BigInt(receipt.index)) {
    throw new VerifyError('receipt proof: index does not match the receipt');
  }
  if (!merkleVerifyLeafHash(header.receipts_root, merkleLeafHash(receiptHash(receipt)), proof)) {
    throw new VerifyError("receipt proof: does not lead to the header's receipts_root");
  }
  return true;
}
