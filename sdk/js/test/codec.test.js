// Strict decoding: every rule of the C++ Reader / Value / type decoders, each with a case that
// must be rejected and (where it matters) a neighbouring case that must be accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as tm from '../src/index.js';
import { CHAIN, makeQc, makeValidatorSet, seedOf } from './helpers.js';

const unhex = tm.fromHex;
const rejects = (fn, pattern) =>
  assert.throws(
    fn,
    (e) => e instanceof tm.DecodeError && pattern.test(e.message),
    `expected DecodeError ${pattern}`,
  );

function sampleTx() {
  const tx = {
    chain_id: CHAIN,
    nonce: 1n,
    contract: 'test',
    method: 'put',
    args: tm.encodeValue({ k: 'v' }),
    expiry_height: null,
  };
  return tm.signTransaction(tx, seedOf(9));
}

test('writer: fixed-width big-endian integers and length prefixes', () => {
  const w = new tm.Writer()
    .u8(1)
    .u16(0x0203)
    .u32(0x04050607)
    .u64(0x08090a0b0c0d0e0fn)
    .i64(-2n)
    .bool(true)
    .str('hé')
    .blob(Uint8Array.of(9));
  assert.equal(
    tm.toHex(w.bytes()),
    '0102030405060708090a0b0c0d0e0ffffffffffffffffe010000000368c3a90000000109',
  );
  assert.throws(() => new tm.Writer().u32(2 ** 32), RangeError);
  assert.throws(() => new tm.Writer().u64(-1n), RangeError);
  assert.throws(() => new tm.Writer().u64(1.5), TypeError);
  assert.throws(() => new tm.Writer().str('\ud800'), /lone surrogate/);
});

test('reader: truncated, trailing, over-long, counts, versions, bools', () => {
  rejects(
    () => new tm.Reader(unhex('000102'), 'x').u32('n'),
    /^x: truncated at n \(need 4 bytes, have 3\)$/,
  );
  const r = new tm.Reader(unhex('0102'), 'x');
  r.u8();
  rejects(() => r.finish(), /^x: trailing bytes \(1\)$/);
  rejects(() => new tm.Reader(unhex('0000000541'), 'x').blob(4, 'name'), /name too long \(5 > 4\)/);
  rejects(() => new tm.Reader(unhex('0000000541'), 'x').blob(8, 'name'), /truncated at name/);
  rejects(() => new tm.Reader(unhex('02'), 'x').bool('flag'), /non-canonical bool at flag/);
  rejects(() => new tm.Reader(unhex('02'), 'x').version(1), /unknown version 2 \(expected 1\)/);
  rejects(() => new tm.Reader(unhex('ffffffff'), 'x').count(10, 1, 'list'), /list too large/);
  rejects(
    () => new tm.Reader(unhex('00000003aabb'), 'x').count(10, 1, 'list'),
    /truncated at list \(3 elements cannot fit in 2 bytes\)/,
  );
  assert.equal(new tm.Reader(unhex('ffffffffffffffff')).u64(), (1n << 64n) - 1n);
  assert.equal(new tm.Reader(unhex('ffffffffffffffff')).i64(), -1n);
  assert.equal(new tm.Reader(unhex('ffffffff')).u32(), 2 ** 32 - 1);
});

test('UTF-8: same acceptance as the C++ IsValidUtf8', () => {
  const good = ['', '41', 'c3a9', 'e282ac', 'f09f9880', 'f48fbfbf', 'efbfbf', 'ed9fbf'];
  const bad = [
    '80',
    'c0af',
    'c1bf',
    'e080af',
    'f08080af',
    'eda080',
    'edbfbf',
    'f4908080',
    'f8888080',
    'c3',
    'e282',
    'f09f98',
    'c328',
    'ff',
  ];
  for (const h of good) assert.ok(tm.isValidUtf8(unhex(h)), h);
  for (const h of bad) assert.ok(!tm.isValidUtf8(unhex(h)), h);
  rejects(
    () => new tm.Reader(unhex('00000002c328'), 'x').str(8, 'name'),
    /name is not valid UTF-8/,
  );
});

test('value: tags, canonical map order by UTF-8 bytes, rejects', () => {
  assert.equal(tm.toHex(tm.encodeValue(null)), '00');
  assert.equal(tm.toHex(tm.encodeValue([true, false, -1n])), '0600000003020103ffffffffffffffff');
  // U+FF41 (efbd81) sorts before U+1F600 (f09f9880) by bytes, after it in UTF-16 order.
  const v = { '\u{1F600}': 1, '\uFF41': 2, b: 3, '': 4 };
  const enc = tm.encodeValue(v);
  assert.deepEqual(Object.keys(tm.decodeValue(enc)), ['', 'b', '\uFF41', '\u{1F600}']);
  rejects(
    () => tm.decodeValue(unhex('070000000200000001620000000001610000')),
    /value: map keys not strictly ascending at "a"/,
  );
  rejects(
    () => tm.decodeValue(unhex('070000000200000001610000000001610000')),
    /map keys not strictly ascending/,
  );
  rejects(() => tm.decodeValue(unhex('08')), /value: unknown value tag 8/);
  rejects(() => tm.decodeValue(unhex('0000')), /value: trailing bytes \(1\)/);
  rejects(() => tm.decodeValue(unhex('0300')), /truncated at int/);
  rejects(() => tm.decodeValue(unhex('0400000002c328')), /string is not valid UTF-8/);
  // Depth: 32 nested lists decode, 33 do not (C++ kMaxDepth = 32 counted from the root at 0).
  const nest = (d) => unhex('0600000001'.repeat(d) + '00');
  assert.doesNotThrow(() => tm.decodeValue(nest(32)));
  rejects(() => tm.decodeValue(nest(33)), /value nested deeper than 32/);
  assert.throws(() => tm.encodeValue(1.5), TypeError);
  assert.throws(() => tm.encodeValue(1n << 63n), RangeError);
  assert.throws(() => tm.encodeValue(new Date()), TypeError);
});

test('value: keys such as "__proto__" are plain map keys', () => {
  const v = tm.decodeValue(tm.encodeValue(tm.valueFromJsonText('{"__proto__":{"x":1}}')));
  assert.deepEqual(Object.keys(v), ['__proto__']);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
});

test('value JSON bridge: $bytes, exact int64, rejects floats and lost precision', () => {
  const v = tm.valueFromJsonText('{"b":{"$bytes":"00FF"},"n":-9223372036854775808,"l":[1,"x"]}');
  assert.deepEqual(v, { b: Uint8Array.of(0, 255), n: -(1n << 63n), l: [1n, 'x'] });
  assert.equal(
    tm.valueToJsonText(v),
    '{"b":{"$bytes":"00ff"},"l":[1,"x"],"n":-9223372036854775808}',
  );
  assert.deepEqual(tm.valueToJson(v), { b: { $bytes: '00ff' }, l: [1, 'x'], n: -(1n << 63n) });
  rejects(() => tm.valueFromJsonText('{"x":1.5}'), /\$\.x: non-integer numbers are not allowed/);
  rejects(() => tm.valueFromJsonText('9223372036854775808'), /integer out of range/);
  rejects(() => tm.valueFromJson(2 ** 60), /lost precision/);
  rejects(() => tm.valueFromJsonText('{"$bytes":"0"}'), /\$bytes: hex: odd length/);
  rejects(() => tm.valueFromJsonText('{"$bytes":7}'), /must be a hex string/);
  rejects(() => tm.valueFromJsonText('"\\ud800"'), /not valid UTF-8/);
  rejects(
    () => tm.valueFromJson({ ['k'.repeat(1025)]: 1 }),
    /map key is not valid UTF-8 or longer/,
  );
  assert.doesNotThrow(() => tm.valueFromJson({ ['k'.repeat(1024)]: 1 }));
  rejects(() => tm.valueFromJson({ ['\ud800']: 1 }), /map key is not valid UTF-8/);
  rejects(() => tm.valueFromJson('x'.repeat((1 << 20) + 1)), /^\$: string too long$/);
  rejects(
    () => tm.valueFromJson({ b: { $bytes: '00'.repeat((1 << 20) + 1) } }),
    /\$\.b: bytes too long/,
  );
  rejects(() => tm.parseJsonExact('{"a":1,"a":2}'), /duplicate key/);
  rejects(() => tm.parseJsonExact('[1,]'), /unexpected character/);
  rejects(() => tm.parseJsonExact('1 2'), /trailing characters/);
  // {"$bytes": ..} with another key is an ordinary map.
  assert.deepEqual(tm.valueFromJsonText('{"$bytes":"00","x":1}'), { $bytes: '00', x: 1n });
});

test('transaction decoder rejects what C++ rejects', () => {
  const enc = tm.encodeTransaction(sampleTx());
  assert.deepEqual(tm.decodeTransaction(enc), sampleTx());
  const bad = (mutate) => {
    const b = Uint8Array.from(enc);
    mutate(b);
    return b;
  };
  rejects(
    () =>
      tm.decodeTransaction(
        bad((b) => {
          b[0] = 2;
        }),
      ),
    /^tx: unknown version 2/,
  );
  rejects(
    () => tm.decodeTransaction(enc.subarray(0, enc.length - 1)),
    /^tx: truncated at signature/,
  );
  rejects(
    () => tm.decodeTransaction(tm.concatBytes(enc, Uint8Array.of(0))),
    /^tx: trailing bytes \(1\)/,
  );
  // The expiry tag sits right before the 64-byte signature.
  rejects(
    () =>
      tm.decodeTransaction(
        bad((b) => {
          b[b.length - 65] = 2;
        }),
      ),
    /non-canonical bool at expiry_height/,
  );
  const mk = (fields) => tm.encodeTransaction({ ...sampleTx(), ...fields });
  rejects(() => tm.decodeTransaction(mk({ chain_id: '' })), /chain_id is empty/);
  rejects(
    () => tm.decodeTransaction(mk({ chain_id: 'x'.repeat(65) })),
    /chain_id too long \(65 > 64\)/,
  );
  rejects(
    () => tm.decodeTransaction(mk({ contract: 'Test' })),
    /contract has an invalid character/,
  );
  rejects(() => tm.decodeTransaction(mk({ contract: '' })), /contract is empty/);
  rejects(() => tm.decodeTransaction(mk({ method: 'put-x' })), /method has an invalid character/);
  assert.equal(tm.decodeTransaction(mk({ method: 'Put.v2_x' })).method, 'Put.v2_x');
  const withExpiry = tm.decodeTransaction(mk({ expiry_height: 10n }));
  assert.equal(withExpiry.expiry_height, 10n);
  rejects(() => tm.decodeTransaction(new Uint8Array(tm.MAX_TX_SIZE + 1)), /^tx: too large/);
});

test('transaction: any change to a signed field breaks the signature and the id', () => {
  const tx = sampleTx();
  const id = tm.toHex(tm.transactionId(tx));
  assert.ok(tm.verifyTransactionSignature(tx));
  for (const change of [
    { nonce: 2n },
    { chain_id: 'other' },
    { method: 'get' },
    { args: tm.encodeValue({ k: 'w' }) },
    { expiry_height: 5n },
  ]) {
    const t = { ...tx, ...change };
    assert.ok(!tm.verifyTransactionSignature(t), JSON.stringify(Object.keys(change)));
    assert.notEqual(tm.toHex(tm.transactionId(t)), id);
  }
});

test('vote data, validator set, header, receipt decoders enforce their invariants', () => {
  const { seeds, vs } = makeValidatorSet(4);
  const qc = makeQc(seeds, [0, 1, 2]);
  const d = { ...qc.data, commit_height: 0n };
  rejects(() => tm.decodeVoteData(tm.encodeVoteData(d)), /commit_height and commit_id disagree/);
  const genesis = { ...qc.data, commit_height: 0n, commit_id: new Uint8Array(32) };
  assert.deepEqual(tm.decodeVoteData(tm.encodeVoteData(genesis)), genesis);

  assert.deepEqual(tm.decodeValidatorSet(tm.encodeValidatorSet(vs)), vs);
  const dup = { epoch: 1n, validators: [vs.validators[0], vs.validators[0]] };
  rejects(() => tm.decodeValidatorSet(tm.encodeValidatorSet(dup)), /duplicate validator key/);
  rejects(
    () => tm.decodeValidatorSet(tm.encodeValidatorSet({ epoch: 1n, validators: [] })),
    /empty validator set/,
  );

  const header = {
    chain_id: CHAIN,
    epoch: 3n,
    round: 7n,
    height: 5n,
    parent: new Uint8Array(32),
    justify_hash: tm.quorumCertHash(qc),
    proposer: 1,
    timestamp_ms: 1n,
    tx_root: tm.merkleEmptyRoot(),
    tx_count: 0,
    exec_height: 4n,
    state_root: new Uint8Array(32),
    receipts_root: new Uint8Array(32),
    validators_hash: tm.validatorSetHash(vs),
  };
  assert.deepEqual(tm.decodeBlockHeader(tm.encodeBlockHeader(header)), header);
  rejects(
    () => tm.decodeBlockHeader(tm.encodeBlockHeader({ ...header, exec_height: 6n })),
    /header: exec_height above height/,
  );
  rejects(
    () => tm.decodeBlockHeader(tm.encodeBlockHeader({ ...header, tx_count: 10001 })),
    /tx_count too large/,
  );

  const block = {
    header: { ...header, parent: qc.data.block_id, tx_count: 1, tx_root: tm.txRoot([sampleTx()]) },
    justify: qc,
    txs: [sampleTx()],
  };
  const back = tm.decodeBlock(tm.encodeBlock(block));
  assert.deepEqual(back, block);
  assert.equal(tm.checkBlockInternal(back), true);
  assert.throws(() => tm.checkBlockInternal({ ...block, txs: [] }), /block: tx_count mismatch/);
  assert.throws(
    () =>
      tm.checkBlockInternal({
        ...block,
        header: { ...block.header, justify_hash: new Uint8Array(32) },
      }),
    /block: justify_hash mismatch/,
  );
  assert.throws(
    () =>
      tm.checkBlockInternal({ ...block, header: { ...block.header, parent: new Uint8Array(32) } }),
    /block: parent is not the justified block/,
  );
  const otherTx = tm.signTransaction({ ...sampleTx(), nonce: 2n }, seedOf(9));
  assert.throws(
    () => tm.checkBlockInternal({ ...block, txs: [otherTx] }),
    /block: tx_root mismatch/,
  );
  assert.equal(
    tm.toHex(back.header.tx_root),
    tm.toHex(tm.merkleRoot([tm.transactionId(sampleTx())])),
  );

  const rc = {
    tx_id: new Uint8Array(32),
    height: 4n,
    index: 0,
    status: 0,
    reason: '',
    events: [{ type: 'x.Y', data: tm.encodeValue(null) }],
  };
  assert.deepEqual(tm.decodeReceipt(tm.encodeReceipt(rc)), rc);
  rejects(() => tm.decodeReceipt(tm.encodeReceipt({ ...rc, status: 2 })), /unknown status 2/);
});
