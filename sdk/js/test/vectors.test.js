// Every vector of tests/vectors/vectors.json — the cross-language vectors that the C++ core
// generates and passes (docs/encoding.md describes the format). For each vector: the JS encoder
// reproduces `hex` from `fields`, the decoder returns `fields` from `hex`, `hash` matches (id /
// hash / root as the kind defines it), signatures verify and re-signing with the named key gives
// the same bytes. Every reject must fail to decode with exactly the C++ error message. A kind this
// file does not know fails the test, so new vectors cannot be skipped silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as tm from '../src/index.js';

const doc = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/vectors.json', import.meta.url)),
);
const hex = tm.toHex;
const unhex = tm.fromHex;
const big = (s) => BigInt(s);
const optBig = (s) => (s === null ? null : BigInt(s));

// ---- fields (JSON) -> SDK objects -----------------------------------------------------------

function value(t) {
  switch (t.type) {
    case 'null':
      return null;
    case 'bool':
      return t.value;
    case 'int':
      return BigInt(t.value);
    case 'string':
      return t.value;
    case 'bytes':
      return unhex(t.value);
    case 'list':
      return t.value.map(value);
    case 'map': {
      const out = {};
      for (const [k, v] of t.value) {
        Object.defineProperty(out, k, {
          value: value(v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    default:
      throw new Error(`unknown value type ${t.type}`);
  }
}

const tx = (f) => ({
  chain_id: f.chain_id,
  signer: unhex(f.signer),
  nonce: big(f.nonce),
  contract: f.contract,
  method: f.method,
  args: unhex(f.args),
  expiry_height: optBig(f.expiry_height),
  signature: unhex(f.signature),
});
const voteData = (f) => ({
  epoch: big(f.epoch),
  round: big(f.round),
  height: big(f.height),
  block_id: unhex(f.block_id),
  commit_height: big(f.commit_height),
  commit_id: unhex(f.commit_id),
});
const vote = (f) => ({ data: voteData(f.data), voter: f.voter, signature: unhex(f.signature) });
const validatorSet = (f) => ({
  epoch: big(f.epoch),
  validators: f.validators.map((v) => ({ key: unhex(v.key), org: v.org })),
});
const qc = (f) => ({
  data: voteData(f.data),
  signatures: f.signatures.map((s) => ({ signer: s.signer, signature: unhex(s.signature) })),
});
const header = (f) => ({
  chain_id: f.chain_id,
  epoch: big(f.epoch),
  round: big(f.round),
  height: big(f.height),
  parent: unhex(f.parent),
  justify_hash: unhex(f.justify_hash),
  proposer: f.proposer,
  timestamp_ms: big(f.timestamp_ms),
  tx_root: unhex(f.tx_root),
  tx_count: f.tx_count,
  exec_height: big(f.exec_height),
  state_root: unhex(f.state_root),
  receipts_root: unhex(f.receipts_root),
  validators_hash: unhex(f.validators_hash),
});
const block = (f) => ({ header: header(f.header), justify: qc(f.justify), txs: f.txs.map(tx) });
const receipt = (f) => ({
  tx_id: unhex(f.tx_id),
  height: big(f.height),
  index: f.index,
  status: f.status,
  reason: f.reason,
  events: f.events.map((e) => ({ type: e.type, data: unhex(e.data) })),
});
const merkleProof = (f) => ({
  index: big(f.index),
  tree_size: big(f.tree_size),
  path: f.path.map(unhex),
});
const encodeProof = (p) => tm.encodeMerkleProofTo(new tm.Writer(), p).bytes();

// kind -> { from: fields -> object, encode, decode, hash: object -> hash, body?: signed body }
const KINDS = {
  value: {
    from: (f) => value(f.value),
    encode: tm.encodeValue,
    decode: tm.decodeValue,
    hash: (v) => tm.sha256(tm.encodeValue(v)),
  },
  transaction: {
    from: tx,
    encode: tm.encodeTransaction,
    decode: tm.decodeTransaction,
    hash: tm.transactionId,
    sig: (t) => ['tx', t.chain_id, tm.transactionSigningBody(t)],
  },
  vote_data: {
    from: voteData,
    encode: tm.encodeVoteData,
    decode: tm.decodeVoteData,
    hash: (d) => tm.sha256(tm.encodeVoteData(d)),
    sig: (d, e) => ['vote', e.chain_id, tm.encodeVoteData(d)],
  },
  vote: {
    from: vote,
    encode: tm.encodeVote,
    decode: tm.decodeVote,
    hash: (v) => tm.sha256(tm.encodeVote(v)),
    sig: (v, e) => ['vote', e.chain_id, tm.encodeVoteData(v.data)],
  },
  validator_set: {
    from: validatorSet,
    encode: tm.encodeValidatorSet,
    decode: tm.decodeValidatorSet,
    hash: tm.validatorSetHash,
  },
  qc: {
    from: qc,
    encode: tm.encodeQuorumCert,
    decode: tm.decodeQuorumCert,
    hash: tm.quorumCertHash,
  },
  block_header: {
    from: header,
    encode: tm.encodeBlockHeader,
    decode: tm.decodeBlockHeader,
    hash: tm.blockHeaderId,
  },
  block: {
    from: block,
    encode: tm.encodeBlock,
    decode: tm.decodeBlock,
    hash: (b) => tm.blockHeaderId(b.header),
  },
  receipt: {
    from: receipt,
    encode: tm.encodeReceipt,
    decode: tm.decodeReceipt,
    hash: tm.receiptHash,
  },
  merkle_proof: {
    from: merkleProof,
    encode: encodeProof,
    decode: tm.decodeMerkleProof,
    hash: (p) => tm.sha256(encodeProof(p)),
  },
  state_proof: {
    from: (f) => tm.decodeStateProof(unhex(f.proof ?? f.hex)),
    encode: tm.encodeStateProof,
    decode: tm.decodeStateProof,
    hash: (p) => tm.sha256(tm.encodeStateProof(p)),
  },
};

const seedOf = new Map(doc.keys.map((k) => [k.public_key, unhex(k.seed)]));

test('vectors file: format and keys', () => {
  assert.equal(doc.format, 'tidemark-vectors/v1');
  assert.equal(doc.encoding_version, tm.ENCODING_VERSION);
  assert.ok(doc.vectors.length > 50 && doc.rejects.length > 20);
  for (const k of doc.keys)
    assert.equal(hex(tm.publicKeyFromSeed(unhex(k.seed))), k.public_key, k.name);
});

test('vectors: sha256, ed25519 and merkle roots', () => {
  for (const e of doc.vectors) {
    const at = `${e.kind}/${e.name}`;
    if (e.kind === 'sha256') {
      assert.equal(hex(tm.sha256(unhex(e.fields.input))), e.hash, at);
    } else if (e.kind === 'ed25519_raw') {
      const msg = unhex(e.fields.message);
      assert.ok(tm.verifyRaw(unhex(e.public_key), msg, unhex(e.signature)), at);
      assert.equal(hex(tm.signRaw(seedOf.get(e.public_key), msg)), e.signature, at);
    } else if (e.kind === 'ed25519_domain') {
      const f = e.fields;
      assert.equal(tm.sigDomain(f.sig_kind), f.domain, at);
      const msg = tm.signingMessage(f.sig_kind, f.chain_id, unhex(f.body));
      assert.equal(hex(msg), e.hex, at);
      assert.equal(e.signing_hex, e.hex, at);
      assert.equal(hex(tm.sha256(msg)), e.hash, at);
      assert.ok(
        tm.verify(unhex(e.public_key), f.sig_kind, f.chain_id, unhex(f.body), unhex(e.signature)),
        at,
      );
      assert.equal(
        hex(tm.sign(seedOf.get(e.public_key), f.sig_kind, f.chain_id, unhex(f.body))),
        e.signature,
        at,
      );
    } else if (e.kind === 'merkle_root') {
      assert.equal(hex(tm.merkleRoot(e.fields.leaves.map(unhex))), e.hash, at);
    }
  }
});

test('vectors: encodings, decodings, hashes and signatures of every object', () => {
  const handled = new Set(['sha256', 'ed25519_raw', 'ed25519_domain', 'merkle_root']);
  let n = 0;
  for (const e of doc.vectors) {
    if (handled.has(e.kind)) continue;
    const at = `${e.kind}/${e.name}`;
    const k = KINDS[e.kind];
    assert.ok(k, `no JS handler for vector kind "${e.kind}"`);
    const obj = k.from(e.fields);
    assert.equal(hex(k.encode(obj)), e.hex, `${at}: encode`);
    const back = k.decode(unhex(e.hex));
    assert.equal(hex(k.encode(back)), e.hex, `${at}: re-encode`);
    if (e.kind !== 'value') assert.deepEqual(back, obj, `${at}: decode`);
    else assert.equal(tm.valueToJsonText(back), tm.valueToJsonText(obj), `${at}: decode`);
    assert.equal(hex(k.hash(obj)), e.hash, `${at}: hash`);
    if (e.signature !== undefined && k.sig) {
      const [kind, chain, body] = k.sig(obj, e);
      assert.equal(
        hex(tm.signingMessage(kind, chain, body)),
        e.signing_hex,
        `${at}: signing message`,
      );
      assert.ok(
        tm.verify(unhex(e.public_key), kind, chain, body, unhex(e.signature)),
        `${at}: verify`,
      );
      assert.equal(
        hex(tm.sign(seedOf.get(e.public_key), kind, chain, body)),
        e.signature,
        `${at}: sign`,
      );
    }
    if (e.kind === 'transaction') assert.ok(tm.verifyTransactionSignature(obj), at);
    if (e.kind === 'merkle_proof') {
      const f = e.fields;
      assert.ok(tm.merkleVerify(unhex(f.root), unhex(f.leaf), obj), `${at}: verify`);
      assert.ok(
        !tm.merkleVerify(unhex(f.root), tm.concatBytes(unhex(f.leaf), Uint8Array.of(0)), obj),
        at,
      );
    }
    n++;
  }
  assert.ok(n > 30, `${n} object vectors`);
});

test("vectors: quorum certificates verify against the vectors' validator set", () => {
  const sets = new Map(
    doc.vectors
      .filter((e) => e.kind === 'validator_set')
      .map((e) => [e.name, validatorSet(e.fields)]),
  );
  const certs = doc.vectors
    .filter((e) => e.kind === 'qc' || e.kind === 'block')
    .map((e) => ({
      at: `${e.kind}/${e.name}`,
      vs: sets.get(e.validator_set ?? 'four'),
      chain: e.chain_id ?? doc.chain_id,
      cert: e.kind === 'qc' ? qc(e.fields) : block(e.fields).justify,
    }))
    .filter((c) => c.cert.signatures.length > 0);
  assert.ok(certs.some((c) => c.at === 'qc/three_of_four'));
  for (const { at, vs, chain, cert } of certs) {
    assert.ok(vs, `${at}: validator set`);
    assert.equal(tm.verifyQuorumCert(cert, vs, chain), true, at);
    assert.throws(() => tm.verifyQuorumCert(cert, vs, `${chain}-other`), tm.VerifyError, at);
    const flipped = { ...cert, signatures: cert.signatures.map((x) => ({ ...x })) };
    flipped.signatures[0].signature = Uint8Array.from(cert.signatures[0].signature);
    flipped.signatures[0].signature[10] ^= 0x20;
    assert.throws(() => tm.verifyQuorumCert(flipped, vs, chain), /bad signature/, at);
  }
  for (const e of doc.vectors.filter((v) => v.kind === 'block')) {
    const b = block(e.fields);
    assert.equal(hex(b.header.justify_hash), hex(tm.quorumCertHash(b.justify)), e.name);
    assert.equal(hex(b.header.tx_root), hex(tm.txRoot(b.txs)), e.name);
    assert.equal(b.header.tx_count, b.txs.length, e.name);
    assert.equal(tm.checkBlockInternal(b), true, e.name);
  }
});

test('rejects: every malformed input fails with the C++ error message', () => {
  for (const e of doc.rejects) {
    const k = KINDS[e.kind];
    assert.ok(k, `no JS decoder for reject kind "${e.kind}"`);
    assert.throws(
      () => k.decode(unhex(e.hex)),
      (err) => err instanceof tm.DecodeError && err.message === e.error,
      `${e.kind}/${e.name} (${e.reason}): expected "${e.error}"`,
    );
  }
});
