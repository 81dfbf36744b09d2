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
  // A plain key file works; one whose public key is not the seed's is refused.
  const keyFile = { public_key: tm.toHex(tm.publicKeyFromSeed(seed)), seed: tm.toHex(seed) };
  assert.equal(tm.readAuthHeader(keyFile, 'c', 'GET', '/', 1),
    tm.readAuthHeader(seed, 'c', 'GET', '/', 1));
  assert.throws(() => tm.readAuthHeader({ ...keyFile, public_key: '00'.repeat(32) }, 'c', 'GET',
    '/', 1), /public_key/);
  assert.throws(() => tm.readAuthHeader({ cipher: {} }, 'c', 'GET', '/', 1), /seed/);
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
      // Refused for the reason the C++ verifier gives, word for word.
      assert.throws(run, (e) => e instanceof tm.VerifyError && e.message === c.reason,
        `${c.name}: expected "${c.reason}"`);
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

// ---- fin tx args -------------------------------------------------------------------------------

const H = (s) => tm.toHex(tm.sha256(tm.utf8Encode(s)));
const RCV = 'rcv_0a1b2c3d4e5f60718293';
const registerArgs = () => ({
  debtor: 'Platform',
  currency: 'CNY',
  contract: { number: 'C-2026-17', hash: H('contract') },
  invoices: [{ number: 'INV-2026/0001', amount: '1250000', tax: 162500n, date: '2026-03-30',
    hash: H('invoice') }],
  issue_date: '2026-03-30',
  due_date: '2027-03-31',
  refs: [{ type: 'po', id: 'PO-7' }],
  require_delivery: true,
});

test('finArgs.register: a valid registration encodes as the contract reads it', () => {
  const tx = tm.buildFinTx('register', registerArgs(), { chainId: 'tidemark-test', nonce: 3 });
  assert.equal(tx.contract, 'fin');
  assert.equal(tx.method, 'register');
  assert.equal(tx.nonce, 3n);
  const args = tm.decodeValue(tx.args);
  assert.equal(args.debtor, 'platform'); // folded like the fingerprint's org ids
  assert.equal(args.invoices[0].amount, 1250000n);
  assert.equal(args.invoices[0].tax, 162500n);
  assert.equal(args.invoices[0].number, 'INV-2026/0001'); // as printed; fingerprinted normalised
  assert.equal(args.require_delivery, true);
  // Signed like any tx; the node checks the same signature.
  const seed = new Uint8Array(32).fill(7);
  tm.signTransaction(tx, seed);
  assert.ok(tm.verifyTransactionSignature(tm.decodeTransaction(tm.encodeTransaction(tx))));
});

test('finArgs.register: what the contract would refuse is refused here, naming the field', () => {
  const bad = (mutate, re) => {
    const a = registerArgs();
    mutate(a);
    assert.throws(() => tm.finArgs.register(a), re);
  };
  bad((a) => { a.due_date = '2027-04-01'; }, /due_date: .*fin-term/); // 367 days
  bad((a) => { a.due_date = '2026-03-30'; }, /due_date/); // not after issue
  bad((a) => { a.due_date = '2026-02-29'; }, /due_date/);
  bad((a) => { a.currency = 'cny'; }, /currency/);
  bad((a) => { a.refs = []; }, /refs: .*fin-delivery-refs/);
  bad((a) => { delete a.refs; }, /refs/);
  bad((a) => { a.contract.hash = 'zz'.repeat(32); }, /contract\.hash/);
  bad((a) => { a.contract.hash = H('c').slice(1); }, /contract\.hash/);
  bad((a) => { a.invoices[0].amount = 0; }, /invoices\[0\]\.amount/);
  bad((a) => { a.invoices[0].tax = -1; }, /invoices\[0\]\.tax/);
  bad((a) => { a.invoices[0].number = 'INV#1'; }, /invoice number/);
  bad((a) => { a.invoices = []; }, /invoices/);
  bad((a) => { a.debtor = 'plat form'; }, /debtor/);
  bad((a) => { a.amount = 5; }, /unknown field "amount"/);
  bad((a) => { a.require_delivery = 'yes'; }, /require_delivery/);
  bad((a) => { a.invoices.push({ ...a.invoices[0], number: 'inv 2026.0001', amount: 5 }); },
    /invoices\[1\]: the same invoice is listed twice/);
  bad((a) => { a.invoices.push({ ...a.invoices[0], number: 'X', amount: 10n ** 15n }); },
    /invoices: the amounts add up/);
  bad((a) => { a.refs = Array.from({ length: 17 }, (_, i) => ({ type: 'po', id: `P${i}` })); },
    /refs/);
  bad((a) => { a.refs = [{ type: 'PO', id: 'P1' }]; }, /refs\[0\]\.type/);
  bad((a) => { a.refs = [{ type: 'po', id: 'P 1' }]; }, /refs\[0\]\.id/);
  bad((a) => { a.refs = [{ type: 'po', id: 'P1' }, { type: 'desadv', id: ' P1 ' }]; },
    /refs\[1\]\.id: listed twice/);
  const ok = registerArgs();
  ok.refs = undefined;
  ok.require_delivery = false;
  tm.finArgs.register(ok);
  ok.refs = [{ type: 'desadv', id: ' DESADV-9\n' }];
  assert.deepEqual(tm.finArgs.register(ok).refs, [{ type: 'desadv', id: 'DESADV-9' }]);
});

test('finArgs: every method of docs/finance.md §7, and their refusals', () => {
  assert.deepEqual([...tm.FIN_METHODS].sort(), ['accept_finance', 'cancel', 'confirm', 'dispute',
    'offer_finance', 'register', 'reject', 'release', 'resolve', 'settle', 'split', 'transfer',
    'withdraw_offer']);
  const part = `${RCV}.2.1`;
  const good = {
    confirm: { id: RCV }, dispute: { id: RCV, reason_hash: H('why') }, resolve: { id: RCV },
    reject: { id: RCV, reason_hash: H('why') }, cancel: { id: RCV }, settle: { id: RCV },
    split: { part, amounts: [1, '2', 3n] }, transfer: { part, to: 'trucker' },
    offer_finance: { part, bank: 'bank-a', kind: 'factoring_recourse', amount: 5 },
    withdraw_offer: { part }, accept_finance: { part }, release: { part },
  };
  for (const [m, a] of Object.entries(good)) {
    const tx = tm.buildFinTx(m, a, { chainId: 'c', nonce: 1n, expiryHeight: 99 });
    assert.equal(tx.expiry_height, 99n, m);
    assert.deepEqual(Object.keys(tm.decodeValue(tx.args)).sort(), Object.keys(a).sort(), m);
  }
  assert.throws(() => tm.finArgs.confirm({ id: 'rcv_1' }), /id/);
  assert.throws(() => tm.finArgs.confirm({ id: RCV, extra: 1 }), /unknown field/);
  assert.throws(() => tm.finArgs.split({ part, amounts: [5] }), /amounts/);
  assert.throws(() => tm.finArgs.split({ part, amounts: Array(17).fill(1) }), /amounts/);
  assert.throws(() => tm.finArgs.split({ part, amounts: [1, 0] }), /amounts\[1\]/);
  assert.throws(() => tm.finArgs.split({ part: `${RCV}.0`, amounts: [1, 2] }), /part/);
  assert.throws(() => tm.finArgs.offer_finance({ ...good.offer_finance, kind: 'loan' }), /kind/);
  assert.throws(() => tm.finArgs.dispute({ id: RCV }), /reason_hash/);
  assert.throws(() => tm.buildFinTx('mint', {}, { chainId: 'c', nonce: 1 }), /method/);
  assert.throws(() => tm.buildFinTx('confirm', { id: RCV }, { nonce: 1 }), /chainId/);
});

// ---- REST helpers ------------------------------------------------------------------------------

// A fetch that records requests and answers from `routes` (target -> [status, body]).
function fakeFetch(routes, seen) {
  return async (url, init) => {
    seen.push({ url, init });
    const target = url.replace('http://node:8080', '');
    const [status, body] = routes[target] ?? [404, { title: 'Not Found' }];
    return { status, text: async () => JSON.stringify(body) };
  };
}

test('REST: reads are signed over the exact target; the bank check verifies', async () => {
  const check = proofDoc.fin_answers.find((x) => x.name === 'check_registered');
  const target =
    `/v1/fin/check?fingerprint=${check.ask.fingerprint}&invoice_key=${check.ask.invoice_key}`;
  const seen = [];
  const seed = new Uint8Array(32).fill(9);
  const conn = tm.finConnection({ baseUrl: 'http://node:8080/', chainId: 'tidemark-test', seed,
    fetch: fakeFetch({ [target]: [200, check.answer] }, seen), now: () => 1780000000000 });
  const r = await tm.checkInvoice(conn, proofDoc.trust, { creditor: 'bondedwh',
    debtor: 'platform', number: 'INV-2026/0001', amount: 1250000, date: '2026-03-30' });
  assert.equal(r.state, 'encumbered');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].url, `http://node:8080${target}`);
  const auth = seen[0].init.headers.Authorization;
  assert.equal(auth, tm.readAuthHeader(seed, 'tidemark-test', 'GET', target, 1780000000000));
  const m = /^Tidemark-Read key=([0-9a-f]{64}),ts=(\d+),sig=([0-9a-f]{128})$/.exec(auth);
  assert.ok(m);
  assert.ok(tm.verify(tm.fromHex(m[1]), 'read', 'tidemark-test',
    tm.readAuthBody('GET', target, m[2]), tm.fromHex(m[3])));
});

test('REST: a tampered answer fails verification; refusals surface as FinApiError', async () => {
  const rc = proofDoc.fin_answers.find((x) => x.name === 'receivable_state_settled');
  const id = rc.ask.id;
  const seen = [];
  const conn = tm.finConnection({ baseUrl: 'http://node:8080', chainId: 'tidemark-test',
    seed: '09'.repeat(32), fetch: fakeFetch({
      [`/v1/fin/receivables/${id}?proof=true`]: [200, rc.answer],
      [`/v1/fin/receivables/${id}/history?limit=5`]: [403, { type: 'forbidden', title: 'Forbidden',
        detail: 'not readable' }],
    }, seen) });
  await assert.rejects(tm.getVerifiedReceivable(conn, proofDoc.trust, id), tm.VerifyError);
  await assert.rejects(tm.getReceivableHistory(conn, id, { limit: 5 }),
    (e) => e instanceof tm.FinApiError && e.status === 403 && /not readable/.test(e.message));
  await assert.rejects(tm.listPartyReceivables(conn, 'acme'), (e) => e.status === 404);
  assert.equal(seen.at(-1).url, 'http://node:8080/v1/fin/parties/acme/receivables');
  await assert.rejects(async () => tm.getReceivable(conn, '../x'), /id/);
  const anon = tm.finConnection({ chainId: 'c', fetch: async () => null });
  await assert.rejects(tm.finCheck(anon, { fingerprint: H('a'), invoiceKey: H('b') }), /seed/);
});

test('bin/verify-answer.mjs verifies a saved finance answer, against what was asked', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'tm-fin-'));
  try {
    const bin = new URL('../bin/verify-answer.mjs', import.meta.url).pathname;
    const genesis = join(dir, 'genesis.json');
    writeFileSync(genesis, JSON.stringify(proofDoc.trust));
    const run = (name, asked) => {
      const c = proofDoc.fin_answers.find((x) => x.name === name);
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(c.answer));
      try {
        return { code: 0, out: JSON.parse(execFileSync('node', [bin, file, genesis,
          ...(asked ? [asked] : [])], { encoding: 'utf8' })) };
      } catch (e) {
        return { code: e.status, out: JSON.parse(e.stdout) };
      }
    };
    const reg = proofDoc.fin_answers.find((x) => x.name === 'check_registered').ask;
    const free = run('check_free');
    assert.deepEqual([free.code, free.out.state], [0, 'free']);
    assert.equal(run('check_free', `${reg.fingerprint},${reg.invoice_key}`).code, 1);
    const bad = run('receivable_state_settled');
    assert.deepEqual([bad.code, bad.out.ok], [1, false]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hashes given in upper case are taken lower-cased (the node answers in lower case)', () => {
  const c = proofDoc.fin_answers.find((x) => x.name === 'check_registered');
  const r = tm.verifyFinCheckAnswer(c.answer, proofDoc.trust, {
    fingerprint: c.ask.fingerprint.toUpperCase(), invoiceKey: c.ask.invoice_key.toUpperCase() });
  assert.equal(r.state, 'encumbered');
  const a = tm.finArgs.register({ ...registerArgs(),
    contract: { number: 'C', hash: H('x').toUpperCase() } });
  assert.equal(a.contract.hash, H('x'));
});
