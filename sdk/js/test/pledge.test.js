// The pledge registry's client side (src/pledge.js, docs/finance.md §12-§15): the args of every
// `plg` method as the contract reads them, and what the contract would refuse (rule plg-args)
// refused here first, naming the field; the GB 32100-2015 USCC check; record and asset ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as tm from '../src/index.js';

const H = (s) => tm.toHex(tm.sha256(tm.utf8Encode(s)));
const IPP = 'ipp_0a1b2c3d4e5f60718293';
const EQP = 'eqp_0a1b2c3d4e5f60718293';
const WR = 'wr_0a1b2c3d4e5f60718293';
const USCC = '91350100M000100Y43'; // the standard's example
const ASSET = 'invention:ZL2024100001.1';

// One valid args object per method (docs/finance.md §13-§15 tables).
const good = {
  ip_asset_register: { kind: 'invention', number: 'zl2024100001.1', title: 'Pump impeller',
    owners: ['beta', 'acme'], filing_date: '2024-01-02', grant_date: '2025-03-04',
    expiry_date: '2044-01-02', annuity_paid_until: '2027-01-02', status: 'valid' },
  ip_asset_update: { asset: ASSET, status: 'fee_unpaid' },
  ip_transfer: { asset: ASSET, to: ['newco'] },
  ip_licence: { asset: ASSET, licensee: 'lic', contract_hash: H('licence') },
  ip_pledgee_consent: { pledge: IPP, action: 'transfer', to: ['zeta', 'newco'] },
  ip_apply: { asset: ASSET, pledgee: 'bank', debt_amount: '5000000', currency: 'CNY',
    debt_start: '2026-12-01', debt_due: '2027-12-01', contract_hash: H('loan') },
  ip_accept: { pledge: IPP, acknowledge_invalidation: true },
  ip_consent: { pledge: IPP },
  ip_register: { pledge: IPP, registration_no: 'Y2026990001' },
  ip_change: { pledge: IPP, debt_due: '2028-01-01', application_hash: H('app') },
  ip_object: { pledge: IPP, reason_hash: H('why') },
  ip_resolve_objection: { pledge: IPP, upheld: false },
  ip_release: { pledge: IPP },
  ip_enforce: { pledge: IPP, to: ['bank'] },
  ip_expire: { pledge: IPP },
  ip_withdraw: { pledge: IPP },
  review: { subject: ASSET },
  eq_holding: { org: 'acme', uscc: USCC, company: 'Acme Ltd', listed: false, amount: 1000000 },
  eq_apply: { uscc: USCC, pledgee: 'bank', amount: 400000n, debt_amount: '2000000',
    currency: 'CNY', debt_due: '2027-12-01', contract_hash: H('loan') },
  eq_accept: { pledge: EQP },
  eq_register: { pledge: EQP, registration_no: 'GQ-2026-0001' },
  eq_change: { pledge: EQP, amount: 300000, application_hash: H('app') },
  eq_release: { pledge: EQP },
  eq_enforce: { pledge: EQP },
  eq_withdraw: { pledge: EQP },
  wr_issue: { items: ['urn:epc:id:sgtin:6901234.000017.1'], depositor: 'acme',
    description: 'milk powder' },
  wr_offer: { receipt: WR, bank: 'bank', amount: 900000, currency: 'CNY', debt_due: '2027-06-01' },
  wr_accept: { receipt: WR },
  wr_release: { receipt: WR, quantity: 10 },
  wr_cancel: { receipt: WR },
  wr_transfer: { receipt: WR, to: 'acme' },
};

test('PLG_METHODS: every method of docs/finance.md §13-§15 and review, and nothing else', () => {
  assert.deepEqual([...tm.PLG_METHODS].sort(), Object.keys(good).sort());
});

test('plgArgs: every method builds, encodes and signs; the args are as the contract reads', () => {
  for (const [m, a] of Object.entries(good)) {
    const tx = tm.buildPlgTx(m, a, { chainId: 'tidemark-test', nonce: 4, expiryHeight: 99 });
    assert.equal(tx.contract, 'plg', m);
    assert.equal(tx.method, m);
    assert.equal(tx.nonce, 4n);
    assert.equal(tx.expiry_height, 99n);
    const args = tm.decodeValue(tx.args);
    assert.deepEqual(Object.keys(args).sort(), Object.keys(a).sort(), m);
    tm.signTransaction(tx, new Uint8Array(32).fill(3));
    assert.ok(tm.verifyTransactionSignature(tm.decodeTransaction(tm.encodeTransaction(tx))), m);
  }
  const reg = tm.plgArgs.ip_asset_register(good.ip_asset_register);
  assert.equal(reg.number, 'ZL2024100001.1'); // upper-cased as the registry keys it
  assert.deepEqual(reg.owners, ['acme', 'beta']); // sorted
  const ap = tm.plgArgs.ip_apply(good.ip_apply);
  assert.equal(ap.debt_amount, 5000000n);
  assert.equal(tm.plgArgs.ip_asset_update({ asset: 'invention:zl1', status: 'valid' }).asset,
    'invention:ZL1');
  // A consent to a transfer names the new owners sorted and joined by ",".
  assert.equal(tm.plgArgs.ip_pledgee_consent(good.ip_pledgee_consent).to, 'newco,zeta');
  assert.equal(tm.plgArgs.ip_pledgee_consent({ ...good.ip_pledgee_consent, to: 'zeta,newco' }).to,
    'newco,zeta');
  // Optional args are not sent when absent.
  assert.deepEqual(tm.plgArgs.ip_accept({ pledge: IPP }), { pledge: IPP });
  assert.deepEqual(tm.plgArgs.wr_issue({ items: ['x'] }), { items: ['x'] });
  assert.equal(tm.plgArgs.ip_licence({ ...good.ip_licence, contract_hash: H('l').toUpperCase() })
    .contract_hash, H('l'));
  assert.deepEqual(tm.plgArgs.wr_release({ receipt: WR, items: ['a', 'b'] }),
    { receipt: WR, items: ['a', 'b'] });
});

test('plgArgs: what the contract would refuse is refused here, naming the field', () => {
  const bad = (m, patch, re) => {
    const a = { ...good[m], ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete a[k];
    assert.throws(() => tm.plgArgs[m](a), re, `${m} ${Object.keys(patch)}`);
    assert.throws(() => tm.buildPlgTx(m, a, { chainId: 'c', nonce: 1 }), re);
  };
  // Unknown and missing fields.
  bad('ip_release', { extra: 1 }, /unknown field "extra"/);
  bad('ip_apply', { pledgee: undefined }, /pledgee: required/);
  bad('eq_change', { application_hash: undefined }, /application_hash: required/);
  // Ids.
  bad('ip_release', { pledge: EQP }, /pledge: not a IP pledge id/);
  bad('ip_release', { pledge: 'ipp_0A1B2C3D4E5F60718293' }, /pledge/);
  bad('eq_accept', { pledge: IPP }, /pledge/);
  bad('wr_accept', { receipt: 'wr_123' }, /receipt/);
  bad('ip_transfer', { asset: 'patent:ZL1' }, /asset: not an IP asset id/);
  bad('ip_transfer', { asset: 'invention:ZL 1' }, /asset/);
  bad('review', { subject: 'invention:' }, /subject/);
  bad('ip_asset_register', { number: 'X'.repeat(33) }, /number/);
  bad('ip_asset_register', { number: 'ZL/1' }, /number/);
  bad('ip_register', { registration_no: 'Y 2026' }, /registration_no/);
  bad('eq_register', { registration_no: 'Y'.repeat(65) }, /registration_no/);
  // Organisations.
  bad('ip_asset_register', { owners: [] }, /owners: 1 to 8/);
  bad('ip_asset_register', { owners: Array.from({ length: 9 }, (_, i) => `o${i}`) }, /owners/);
  bad('ip_asset_register', { owners: ['acme', 'acme'] }, /owners: acme is listed twice/);
  bad('ip_asset_register', { owners: ['Acme Ltd'] }, /owners\[0\]/);
  bad('ip_apply', { pledgee: 'Bank One' }, /pledgee/);
  bad('ip_pledgee_consent', { action: 'licence', to: 'a,b' }, /to: a licence names one/);
  bad('ip_pledgee_consent', { action: 'sell' }, /action: one of transfer, licence/);
  // Dates.
  bad('ip_apply', { debt_due: '2027-02-29' }, /debt_due: not a YYYY-MM-DD date/);
  bad('ip_apply', { debt_due: '2027-1-01' }, /debt_due/);
  bad('ip_apply', { debt_due: '2026-11-30' }, /debt_due: before debt_start/);
  assert.equal(tm.plgArgs.ip_apply({ ...good.ip_apply, debt_due: '2026-12-01' }).debt_due,
    '2026-12-01'); // due on the start day: allowed, as the contract
  bad('ip_asset_register', { grant_date: '2024-01-01' }, /grant_date: before filing_date/);
  bad('ip_asset_register', { expiry_date: '2024-01-01' }, /expiry_date: before filing_date/);
  bad('ip_asset_register', { kind: 'trademark' }, /annuity_paid_until: .*patent kinds only/);
  assert.ok(tm.plgArgs.ip_asset_register({ ...good.ip_asset_register, kind: 'trademark',
    annuity_paid_until: undefined }));
  bad('ip_asset_update', { status: undefined }, /at least one of/);
  bad('ip_asset_update', { asset: 'copyright:C1', annuity_paid_until: '2027-01-01' },
    /patent kinds only/);
  assert.deepEqual(tm.plgArgs.ip_asset_update({ asset: 'design:d1', grant_date: '2025-01-01' }),
    { asset: 'design:D1', grant_date: '2025-01-01' });
  bad('ip_asset_register', { grant_date: '2025-13-01' }, /grant_date/);
  bad('wr_offer', { debt_due: 20270601 }, /debt_due: expected a string/);
  // Amounts.
  bad('ip_apply', { debt_amount: 0 }, /debt_amount: 1 to 10\^15/);
  bad('ip_apply', { debt_amount: '1000000000000001' }, /debt_amount: 1 to 10\^15/);
  bad('ip_apply', { debt_amount: '-5' }, /debt_amount/);
  bad('ip_apply', { debt_amount: '05' }, /debt_amount/);
  bad('ip_apply', { debt_amount: 1.5 }, /debt_amount: not a safe integer/);
  bad('eq_apply', { amount: -1n }, /amount/);
  bad('wr_offer', { currency: 'cny' }, /currency/);
  // Hashes, booleans, kinds, statuses.
  bad('ip_licence', { contract_hash: 'abc' }, /contract_hash: expected 64 hex/);
  bad('ip_resolve_objection', { upheld: 'yes' }, /upheld: expected a boolean/);
  bad('eq_holding', { listed: undefined }, /listed: required/);
  bad('ip_asset_register', { kind: 'patent' }, /kind: one of invention/);
  bad('ip_asset_update', { status: 'lapsed' }, /status/);
  // USCC.
  bad('eq_holding', { uscc: '91350100M000100Y44' }, /uscc: .*GB 32100-2015/);
  bad('eq_apply', { uscc: '91350100M000100Y4' }, /uscc/);
  bad('eq_apply', { uscc: '91350100I000100Y43' }, /uscc/); // I is not in the alphabet
  // Receipts.
  bad('wr_issue', { items: [] }, /items: 1 to 1000/);
  bad('wr_issue', { items: Array(1001).fill('x') }, /items/);
  bad('wr_issue', { items: [''] }, /items\[0\]/);
  bad('wr_issue', { items: ['x'.repeat(257)] }, /items\[0\]/);
  bad('wr_issue', { description: 'a\nb' }, /description: control characters/);
  bad('wr_release', { quantity: undefined }, /exactly one of items, quantity/);
  bad('wr_release', { items: ['a'] }, /exactly one of items, quantity/);
  bad('wr_release', { quantity: 1001 }, /quantity: 1 to 1000/);
  bad('wr_release', { quantity: 0 }, /quantity/);
  // The tx.
  assert.throws(() => tm.buildPlgTx('ip_mint', {}, { chainId: 'c', nonce: 1 }), /method/);
  assert.throws(() => tm.buildPlgTx('ip_release', good.ip_release, { nonce: 1 }), /chainId/);
  assert.throws(() => tm.buildPlgTx('ip_release', good.ip_release, { chainId: 'c', nonce: -1 }),
    /nonce/);
});

test('USCC: the GB 32100-2015 check character (docs/finance.md §14)', () => {
  assert.equal(tm.isValidUscc(USCC), true);
  assert.equal(tm.isValidUscc('91110000600037341L'), true);
  assert.equal(tm.usccCheckChar('91350100M000100Y4'), '3');
  // By hand: Σ v_i · w_i, check = 31 − Σ mod 31 (31 → 0), over the 31 characters.
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  for (const body of ['91350100M000100Y4', '12100000400000624', 'Y1000000000000000']) {
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += chars.indexOf(body[i]) * w[i];
    const want = chars[(31 - (sum % 31)) % 31];
    assert.equal(tm.usccCheckChar(body), want, body);
    assert.equal(tm.isValidUscc(body + want), true, body);
    for (const other of chars) {
      if (other !== want) assert.equal(tm.isValidUscc(body + other), false);
    }
  }
  // Σ ≡ 0 (mod 31) gives check 0, not 31.
  assert.equal(tm.usccCheckChar('00000000000000000'), '0');
  for (const u of ['', USCC.toLowerCase(), `${USCC}0`, 'O1350100M000100Y43', null, 91350100]) {
    assert.equal(tm.isValidUscc(u), false, String(u));
  }
  assert.equal(tm.usccCheckChar('91350100S00010'), null);
});

test('record and asset ids', () => {
  const tx = tm.buildPlgTx('eq_apply', good.eq_apply, { chainId: 'c', nonce: 1 });
  tm.signTransaction(tx, new Uint8Array(32).fill(5));
  const id = tm.transactionId(tx);
  assert.equal(tm.plgRecordId('eqp', id), `eqp_${tm.toHex(id).slice(0, 20)}`);
  assert.equal(tm.plgRecordId('wr', tm.toHex(id)), `wr_${tm.toHex(id).slice(0, 20)}`);
  assert.throws(() => tm.plgRecordId('rcv', id), /prefix/);
  assert.equal(tm.ipAssetId('trademark', 'tm12.3'), 'trademark:TM12.3');
  assert.throws(() => tm.ipAssetId('patent', '1'), /kind/);
});
