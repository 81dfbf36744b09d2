// REST answers shaped like node/src/api/json.cc: the browser trusts only what it decodes from the
// carried bytes and checks against a trusted validator set; every lie in an answer is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as tm from '../src/index.js';
import { CHAIN, makeQc, makeTree, makeValidatorSet, prove, seedOf } from './helpers.js';

const { seeds, vs } = makeValidatorSet(4);
const hex = tm.toHex;
const enc = tm.utf8Encode;

const kv = { 'provenance/lot/1': 'L1', 'provenance/lot/2': 'L2', 'provenance/lot/3': 'L3' };
const tree = makeTree(kv);

function makeTx(nonce) {
  const tx = {
    chain_id: CHAIN,
    nonce: BigInt(nonce),
    contract: 'provenance',
    method: 'capture',
    args: tm.encodeValue({ n: nonce }),
    expiry_height: null,
  };
  return tm.signTransaction(tx, seedOf(20));
}

const txJson = (tx) => ({ id: hex(tm.transactionId(tx)), raw: hex(tm.encodeTransaction(tx)) });
const qcJson = (qc) => ({ epoch: Number(qc.data.epoch), raw: hex(tm.encodeQuorumCert(qc)) });

function makeBlockResponse() {
  const txs = [makeTx(1), makeTx(2), makeTx(3)];
  const justifyData = {
    epoch: 3n,
    round: 8n,
    height: 6n,
    block_id: tm.sha256(enc('block6')),
    commit_height: 5n,
    commit_id: tm.sha256(enc('block5')),
  };
  const justify = makeQc(seeds, [0, 1, 2], justifyData);
  const header = {
    chain_id: CHAIN,
    epoch: 3n,
    round: 9n,
    height: 7n,
    parent: justifyData.block_id,
    justify_hash: tm.quorumCertHash(justify),
    proposer: 2,
    timestamp_ms: 1767225600000n,
    tx_root: tm.txRoot(txs),
    tx_count: txs.length,
    exec_height: 6n,
    state_root: tree.root,
    receipts_root: tm.merkleEmptyRoot(),
    validators_hash: tm.validatorSetHash(vs),
  };
  const id = tm.blockHeaderId(header);
  const certData = {
    epoch: 3n,
    round: 11n,
    height: 9n,
    block_id: tm.sha256(enc('block9')),
    commit_height: 7n,
    commit_id: id,
  };
  const certificate = makeQc(seeds, [1, 2, 3], certData);
  return {
    header,
    json: {
      id: hex(id),
      header: { height: 7 },
      raw_header: hex(tm.encodeBlockHeader(header)),
      justify: qcJson(justify),
      certificate: qcJson(certificate),
      txs: txs.map(txJson),
      receipts: null,
    },
  };
}

const validatorsJson = () => ({
  epoch: 3,
  quorum: 3,
  hash: hex(tm.validatorSetHash(vs)),
  validators: vs.validators.map((v, i) => ({ index: i, key: hex(v.key), org: v.org })),
});

const lie = (fn, pattern) =>
  assert.throws(fn, (e) => e instanceof tm.VerifyError && pattern.test(e.reason), `${pattern}`);

test('validators: rebuilt from keys and orgs, checked against the trusted hash', () => {
  const j = validatorsJson();
  const trusted = tm.validatorSetHash(vs);
  assert.deepEqual(tm.validatorSetFromJson(j, trusted), vs);
  assert.deepEqual(tm.validatorSetFromJson({ ...j, validators: [...j.validators].reverse() }), vs);
  const swapped = structuredClone(j);
  swapped.validators[1].key = hex(tm.publicKeyFromSeed(seedOf(99)));
  lie(() => tm.validatorSetFromJson(swapped), /hash field does not match/);
  delete swapped.hash;
  lie(() => tm.validatorSetFromJson(swapped, trusted), /not the trusted validator set/);
  lie(() => tm.validatorSetFromJson({ ...j, epoch: 4 }, hex(trusted)), /hash field does not match/);
});

test('a block answer verifies and yields the decoded header and txs', () => {
  const { header, json } = makeBlockResponse();
  const b = tm.verifyBlockResponse(json, vs);
  assert.deepEqual(b.header, header);
  assert.equal(b.txs.length, 3);
  assert.deepEqual(tm.decodeValue(b.txs[1].args), { n: 2n });
});

test('every lie in a block answer is caught', () => {
  const fresh = () => structuredClone(makeBlockResponse().json);
  let j = fresh();
  j.id = hex(tm.sha256(enc('other')));
  lie(() => tm.verifyBlockResponse(j, vs), /raw_header does not hash to the block id/);

  j = fresh();
  const h = tm.decodeBlockHeader(tm.fromHex(j.raw_header));
  h.timestamp_ms += 1n; // header changed, id recomputed: the certificate no longer names it
  j.raw_header = hex(tm.encodeBlockHeader(h));
  j.id = hex(tm.blockHeaderId(h));
  lie(() => tm.verifyBlockResponse(j, vs), /certificate commits/);

  j = fresh();
  j.certificate = null;
  lie(() => tm.verifyBlockResponse(j, vs), /no commit certificate/);

  j = fresh();
  const cert = tm.decodeQuorumCert(tm.fromHex(j.certificate.raw));
  cert.signatures[2].signature[7] ^= 1;
  j.certificate.raw = hex(tm.encodeQuorumCert(cert));
  lie(() => tm.verifyBlockResponse(j, vs), /bad signature from validator 3/);

  j = fresh();
  const few = tm.decodeQuorumCert(tm.fromHex(j.certificate.raw));
  few.signatures.pop();
  j.certificate.raw = hex(tm.encodeQuorumCert(few));
  lie(() => tm.verifyBlockResponse(j, vs), /2 signatures, quorum is 3/);

  j = fresh();
  j.justify = j.certificate;
  lie(() => tm.verifyBlockResponse(j, vs), /justify_hash mismatch/);

  j = fresh();
  j.txs.pop();
  lie(() => tm.verifyBlockResponse(j, vs), /tx_count mismatch/);

  j = fresh();
  j.txs.reverse();
  lie(() => tm.verifyBlockResponse(j, vs), /txs do not match tx_root/);

  j = fresh();
  j.txs[0] = txJson(makeTx(42));
  lie(() => tm.verifyBlockResponse(j, vs), /txs do not match tx_root/);

  j = fresh();
  j.txs[0].id = j.txs[1].id;
  lie(() => tm.verifyBlockResponse(j, vs), /does not match its bytes/);

  j = fresh();
  const other = makeValidatorSet(4, 3n);
  other.vs.validators[3].org = 'not-us';
  lie(() => tm.verifyBlockResponse(j, other.vs), /does not name this validator set/);
});

test('a state proof answer is checked against the verified header, never its own root', () => {
  const { json } = makeBlockResponse();
  const { header } = tm.verifyBlockResponse(json, vs);
  const answer = (key) => {
    const p = prove(tree, key);
    return {
      key: hex(enc(key)),
      exists: p.value !== null,
      value: p.value === null ? null : hex(p.value),
      height: 7,
      state_root: hex(header.state_root),
      proof: hex(tm.encodeStateProof(p)),
    };
  };
  const got = tm.verifyStateProofResponse(answer('provenance/lot/2'), header);
  assert.deepEqual(got, { key: enc('provenance/lot/2'), value: enc('L2') });
  assert.equal(tm.verifyStateProofResponse(answer('provenance/lot/9'), header).value, null);

  lie(
    () => tm.verifyStateProofResponse({ ...answer('provenance/lot/2'), height: 6 }, header),
    /proof is for another block/,
  );
  lie(
    () =>
      tm.verifyStateProofResponse(
        { ...answer('provenance/lot/2'), state_root: '00'.repeat(32) },
        header,
      ),
    /state_root differs from the header/,
  );
  lie(
    () =>
      tm.verifyStateProofResponse({ ...answer('provenance/lot/2'), value: hex(enc('L9')) }, header),
    /proves another value/,
  );
  lie(
    () => tm.verifyStateProofResponse({ ...answer('provenance/lot/2'), exists: false }, header),
    /exists disagrees/,
  );
  const absentClaim = { ...answer('provenance/lot/2'), exists: false, value: null };
  lie(() => tm.verifyStateProofResponse(absentClaim, header), /proves another value/);
  // A proof from another tree (a node lying about state) fails against the certified root.
  const forged = makeTree({ ...kv, 'provenance/lot/2': 'FORGED' });
  const p = prove(forged, 'provenance/lot/2');
  lie(
    () =>
      tm.verifyStateProofResponse(
        {
          ...answer('provenance/lot/2'),
          value: hex(enc('FORGED')),
          proof: hex(tm.encodeStateProof(p)),
        },
        header,
      ),
    /root mismatch/,
  );
});

test('receipts rebuilt from their JSON fields must match the certified receipts_root', () => {
  const receipts = [
    {
      tx_id: tm.sha256(enc('a')),
      height: 7n,
      index: 0,
      status: 0,
      reason: '',
      events: [
        { type: 'provenance.EventCaptured', data: tm.encodeValue({ lot: 'L1', n: 2n ** 60n }) },
      ],
    },
    {
      tx_id: tm.sha256(enc('b')),
      height: 7n,
      index: 1,
      status: 1,
      reason: 'PERMISSION_DENIED: x',
      events: [],
    },
  ];
  const execHeader = { exec_height: 7n, receipts_root: tm.receiptsRoot(receipts) };
  assert.equal(
    tm.toHex(execHeader.receipts_root),
    tm.toHex(tm.merkleRoot(receipts.map(tm.receiptHash))),
  );
  // As the node writes them (json.cc ReceiptToJson), parsed exactly.
  const text = JSON.stringify(
    receipts.map((r) => ({
      tx_id: hex(r.tx_id),
      height: 7,
      index: r.index,
      status: r.status === 0 ? 'committed' : 'rejected',
      reason: r.reason,
      events: r.events.map((e) => ({ type: e.type, data: '@DATA@' })),
      hash: hex(tm.receiptHash(r)),
    })),
  ).replace('"@DATA@"', tm.valueToJsonText(tm.decodeValue(receipts[0].events[0].data)));
  const answer = () => tm.parseJsonExact(text);
  assert.deepEqual(tm.verifyReceiptsResponse(answer(), execHeader), receipts);

  let j = answer();
  j[1].status = 'committed'; // a rejected tx shown as committed
  lie(() => tm.verifyReceiptsResponse(j, execHeader), /hash of 1/);
  delete j[1].hash;
  lie(() => tm.verifyReceiptsResponse(j, execHeader), /root mismatch/);
  j = answer();
  j[0].events[0].data.lot = 'L2';
  delete j[0].hash;
  lie(() => tm.verifyReceiptsResponse(j, execHeader), /root mismatch/);
  j = answer();
  j.reverse();
  lie(() => tm.verifyReceiptsResponse(j, execHeader), /not in block order/);
  lie(
    () => tm.verifyReceiptsResponse(answer(), { ...execHeader, exec_height: 8n }),
    /not of the certified height/,
  );
  lie(() => tm.verifyReceiptsResponse(null, execHeader), /not executed yet/);
  // JSON.parse rounds 2^60 + 1; the rebuilt receipt then cannot match (fail-safe, not wrong).
  const rounded = JSON.parse(text.replace(String(2n ** 60n), String(2n ** 60n + 1n)));
  assert.throws(() => tm.verifyReceiptsResponse(rounded, execHeader), /lost precision/);
});

test('a redacted fin tx enters tx_root by its id; a forged id is caught', () => {
  const { json } = makeBlockResponse();
  // As the node shows a fin tx (json.cc TxToJson): no bytes, only the id.
  const redacted = (t) => ({
    id: t.id,
    contract: 'fin',
    method: 'register',
    raw: null,
    redacted: true,
  });
  const j = structuredClone(json);
  j.txs[1] = redacted(j.txs[1]);
  const b = tm.verifyBlockResponse(j, vs);
  assert.equal(b.txs[1].redacted, true);
  assert.equal(hex(b.txs[1].id), json.txs[1].id);
  assert.deepEqual(tm.decodeValue(b.txs[2].args), { n: 3n });
  const forged = structuredClone(j);
  forged.txs[1].id = hex(tm.sha256(enc('another tx')));
  lie(() => tm.verifyBlockResponse(forged, vs), /txs do not match tx_root/);
  // Without the redacted flag a null raw is not accepted as a tx.
  const unflagged = structuredClone(j);
  delete unflagged.txs[1].redacted;
  assert.throws(() => tm.verifyBlockResponse(unflagged, vs));
});

test('a redacted receipt enters receipts_root by its hash; a forged hash is caught', () => {
  const dupEvent = { type: 'fin.duplicate_attempt', data: tm.encodeValue({ inv: 'X' }) };
  const receipts = [
    {
      tx_id: tm.sha256(enc('f')),
      height: 7n,
      index: 0,
      status: 1,
      reason: 'rule fin-duplicate: already registered as rcv_1',
      events: [dupEvent],
    },
    { tx_id: tm.sha256(enc('p')), height: 7n, index: 1, status: 0, reason: '', events: [] },
  ];
  const execHeader = { exec_height: 7n, receipts_root: tm.receiptsRoot(receipts) };
  // As the node shows them (json.cc ReceiptToJson): the fin tx's receipt redacted.
  const answer = () => [
    {
      tx_id: hex(receipts[0].tx_id),
      height: 7,
      index: 0,
      status: 'rejected',
      reason: 'FAILED_PRECONDITION: rule fin-duplicate (details redacted)',
      events: [
        {
          type: dupEvent.type,
          data: { redacted: true, data_sha256: hex(tm.sha256(dupEvent.data)) },
        },
      ],
      hash: hex(tm.receiptHash(receipts[0])),
      redacted: true,
    },
    {
      tx_id: hex(receipts[1].tx_id),
      height: 7,
      index: 1,
      status: 'committed',
      reason: '',
      events: [],
      hash: hex(tm.receiptHash(receipts[1])),
    },
  ];
  const got = tm.verifyReceiptsResponse(answer(), execHeader);
  assert.equal(got[0].redacted, true);
  assert.deepEqual(got[1], receipts[1]);
  const j = answer();
  j[0].hash = hex(tm.sha256(enc('other')));
  lie(() => tm.verifyReceiptsResponse(j, execHeader), /root mismatch/);
});
