// The finance client (src/finance.js) against the shared vectors the C++ SDK generates and passes:
// invoice fingerprints ("fin_fingerprints" of tests/vectors/vectors.json, with the normalisation
// edge cases and the refused inputs), signed-read headers ("fin_signed_reads"), and the finance
// answers with their proofs ("fin_answers" of tests/vectors/proof_vectors.json: good answers are
// accepted, every tampered one is rejected). Plus the args builders of every fin method.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as tm from '../src/index.js';

const doc = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/vectors.json', import.meta.url)),
);

const invoice = (c) => ({
  creditor: c.creditor, debtor: c.debtor, number: c.number, amount: c.amount, date: c.date,
});

test('fin_fingerprints: every vector is reproduced or refused naming the same field', () => {
  assert.ok(doc.fin_fingerprints.length >= 12);
  for (const c of doc.fin_fingerprints) {
    if (c.expect === 'ok') {
      assert.equal(tm.normaliseInvoiceNumber(c.number), c.normalised, c.name);
      // The amount as decimal string, bigint and (when safe) number: one fingerprint.
      for (const amount of [c.amount, BigInt(c.amount), Number(c.amount)]) {
        const h = tm.invoiceFingerprint({ ...invoice(c), amount });
        assert.deepEqual(h, { fingerprint: c.fingerprint, invoiceKey: c.invoice_key }, c.name);
      }
    } else {
      assert.throws(() => tm.invoiceFingerprint(invoice(c)), (e) => {
        assert.ok(e instanceof RangeError || e instanceof TypeError, c.name);
        assert.ok(e.message.startsWith(`${c.field}:`), `${c.name}: ${e.message}`);
        return true;
      }, c.name);
    }
  }
});

test('fingerprint inputs a JS caller can get wrong are refused, not coerced', () => {
  const ok = { creditor: 'bondedwh', debtor: 'platform', number: 'INV-1', amount: 5,
    date: '2026-11-30' };
  tm.invoiceFingerprint(ok);
  for (const amount of [1.5, 2 ** 60, '05', '+5', ' 5', '5e3', '', null, undefined, -1n,
    1_000_000_000_000_001n]) {
    assert.throws(() => tm.invoiceFingerprint({ ...ok, amount }), /^(Type|Range)Error: amount/,
      String(amount));
  }
  assert.throws(() => tm.invoiceFingerprint({ ...ok, number: 7 }), /invoice number/);
  assert.throws(() => tm.invoiceFingerprint({ ...ok, date: new Date() }), /date/);
  // Only ASCII letters are folded: the Kelvin sign (lower-cases to 'k') is refused.
  assert.throws(() => tm.invoiceFingerprint({ ...ok, creditor: 'bonded\u212Awh' }), /creditor/);
  assert.throws(() => tm.normaliseInvoiceNumber('INV\u00A01'), /invoice number/); // NBSP
  assert.throws(() => tm.normaliseInvoiceNumber('\uFEFFINV1'), /invoice number/); // BOM
  assert.throws(() => tm.invoiceFingerprint(), /creditor/);
});

test('fin_signed_reads: the header of every vector, byte for byte', () => {
  assert.ok(doc.fin_signed_reads.length >= 3);
  for (const v of doc.fin_signed_reads) {
    const seed = tm.fromHex(v.seed);
    assert.equal(tm.utf8Decode(tm.readAuthBody(v.method, v.target, v.ts_ms)), v.body, v.name);
    assert.equal(tm.readAuthHeader(seed, v.chain_id, v.method, v.target, v.ts_ms), v.header,
      v.name);
    assert.equal(tm.readAuthHeader(v.seed, v.chain_id, v.method, v.target, BigInt(v.ts_ms)),
      v.header, v.name);
    assert.equal(tm.readAuthHeader({ seed }, v.chain_id, v.method.toLowerCase(), v.target,
      Number(v.ts_ms)), v.header, v.name);
    // The signature is what the node verifies: domain "read", the chain id, the body.
    const sig = tm.fromHex(v.header.split(',sig=')[1]);
    const key = tm.publicKeyFromSeed(seed);
    assert.ok(tm.verify(key, 'read', v.chain_id, tm.utf8Encode(v.body), sig), v.name);
    assert.ok(!tm.verify(key, 'read', `${v.chain_id}x`, tm.utf8Encode(v.body), sig), v.name);
    assert.ok(!tm.verify(key, 'tx', v.chain_id, tm.utf8Encode(v.body), sig), v.name);
  }
});

test('readAuthHeader refuses what the node would never accept', () => {
  const seed = new Uint8Array(32).fill(1);
  const h = (m, t, ts) => () => tm.readAuthHeader(seed, 'tidemark-test', m, t, ts);
  assert.throws(h('GET', 'v1/fin', 1), /target/);
  assert.throws(h('GET', '/v1/fin x', 1), /target/);
  assert.throws(h('GET', '/v1/fin\n', 1), /target/);
  assert.throws(h('GE T', '/v1/fin', 1), /method/);
  assert.throws(h('GET', '/v1/fin', -1), /ts/);
  assert.throws(h('GET', '/v1/fin', 10_000_000_000_000), /ts/);
  assert.throws(h('GET', '/v1/fin', 1.5), /ts/);
  assert.throws(() => tm.readAuthHeader(new Uint8Array(31), 'c', 'GET', '/', 1), /seed/);
  assert.throws(() => tm.readAuthHeader('AB'.repeat(32), 'c', 'GET', '/', 1), /seed/);
});

const proofDoc = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/proof_vectors.json', import.meta.url)),
);

test('fin_answers: good answers verify with the proven states, tampered ones are refused', () => {
  const trust = proofDoc.trust;
  const cases = proofDoc.fin_answers;
  assert.ok(cases.length >= 20);
  for (const c of cases) {
    const run = () => (c.kind === 'check'
      ? tm.verifyFinCheckAnswer(c.answer, trust,
        { fingerprint: c.ask.fingerprint, invoiceKey: c.ask.invoice_key })
      : tm.verifyReceivableAnswer(c.answer, trust, c.ask.id));
    if (c.expect === 'ok') {
      const r = run();
      assert.equal(r.ok, true, c.name);
      if (c.state) assert.equal(r.state, c.state, c.name);
      if (c.kind === 'receivable') {
        assert.equal(r.record.id, c.ask.id, c.name);
        assert.equal(r.overdue, c.answer.overdue, c.name);
      }
      assert.equal(r.quorum.signed, 3, c.name);
    } else {
      assert.throws(run, tm.VerifyError, c.name);
    }
  }
});

test('fin_answers: a free check is an absence proof of both keys', () => {
  const c = proofDoc.fin_answers.find((x) => x.name === 'check_free');
  const ask = { fingerprint: c.ask.fingerprint, invoiceKey: c.ask.invoice_key };
  const r = tm.verifyFinCheckAnswer(c.answer, proofDoc.trust, ask);
  assert.equal(r.fingerprint.state, 'free');
  assert.equal(r.invoiceKey.state, 'free');
  assert.equal(r.fingerprint.record, null);
  // The same answer proves nothing about another invoice.
  const other = { ...ask, invoiceKey: `${ask.invoiceKey.slice(0, 63)}0` === ask.invoiceKey
    ? `${ask.invoiceKey.slice(0, 63)}1` : `${ask.invoiceKey.slice(0, 63)}0` };
  assert.throws(() => tm.verifyFinCheckAnswer(c.answer, proofDoc.trust, other), tm.VerifyError);
  assert.throws(() => tm.verifyFinCheckAnswer(c.answer, proofDoc.trust, {}), /fingerprint/);
});

test('fin_answers: the registered invoice, computed in JS, is the one the vectors prove', () => {
  const c = proofDoc.fin_answers.find((x) => x.name === 'check_registered');
  const h = tm.invoiceFingerprint({ creditor: 'bondedwh', debtor: 'platform',
    number: 'inv 2026/0001', amount: '1250000', date: '2026-03-30' });
  const r = tm.verifyFinCheckAnswer(c.answer, proofDoc.trust, h);
  assert.equal(r.state, 'encumbered');
  assert.equal(r.fingerprint.key, tm.stateKeys.fin.fingerprint(h.fingerprint));
});

test('finOverdueAt: from 00:00 UTC of the day after the due date, CONFIRMED only', () => {
  const end = 20601 * 86400000; // 2026-05-28T00:00:00Z
  const r = { state: 'CONFIRMED', due_date: '2026-05-27' };
  assert.equal(tm.finOverdueAt(r, end - 1), false);
  assert.equal(tm.finOverdueAt(r, end), true);
  assert.equal(tm.finOverdueAt({ ...r, state: 'SETTLED' }, end + 86400000), false);
  assert.equal(tm.finOverdueAt({ ...r, due_date: '2026-02-29' }, end), false);
});
