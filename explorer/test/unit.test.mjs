// Unit tests of the explorer's pure helpers (no browser): CSV export and the chart's series.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { series } from '../src/chart.js';
import { TX_CSV_COLUMNS, toCsv } from '../src/csv.js';

test('CSV quotes commas, quotes and newlines, and defuses spreadsheet formulas', () => {
  const cols = [{ label: 'a', value: (r) => r.a }, { label: 'b', value: (r) => r.b }];
  const csv = toCsv(cols, [{ a: 'x,y', b: 'say "hi"' }, { a: '=SUM(A1)', b: 'line\nbreak' }, { a: null, b: 7 }]);
  assert.equal(csv, 'a,b\r\n"x,y","say ""hi"""\r\n\'=SUM(A1),"line\nbreak"\r\n,7\r\n');
});

test('the tx CSV has one column per tx field', () => {
  const csv = toCsv(TX_CSV_COLUMNS, [{ id: 'ab', height: 3, index: 0, status: 'committed', signer: 'cd', nonce: 1,
    contract: 'prov', method: 'scan', reason: '' }]);
  assert.equal(csv.split('\r\n')[1], 'ab,3,0,committed,cd,1,prov,scan,');
});

test('the chart series is tx/s over each block interval', () => {
  const s = series([
    { height: 1, timestamp_ms: 1000, tx_count: 5 },
    { height: 2, timestamp_ms: 1500, tx_count: 10 },
    { height: 3, timestamp_ms: 1500, tx_count: 1 },
  ]);
  assert.deepEqual(s, [{ height: 2, blockMs: 500, tps: 20 }, { height: 3, blockMs: 1, tps: 1000 }]);
});

// ---- finance pages: invoices, amounts, fingerprints, key files ------------------------------
import { readFileSync } from 'node:fs';
import * as tm from '../../sdk/js/src/index.js';
import { InvoiceError, fieldsFromJson, fingerprints, formatAmount, invoiceFromFields, parseAmount } from '../src/fin.js';
import { KeyFileError, decryptKeyFile, parseKeyFile } from '../src/keyfile.js';

test('amounts: decimals in the currency or minor units, exactly, never floats', () => {
  assert.equal(parseAmount('12500.00', 'CNY'), 1250000n);
  assert.equal(parseAmount('12,500.5', 'CNY'), 1250050n);
  assert.equal(parseAmount('0.07', 'CNY'), 7n);
  assert.equal(parseAmount('1250000', 'CNY', 'minor'), 1250000n);
  assert.equal(parseAmount('1500', 'JPY'), 1500n);
  assert.equal(parseAmount('1.234', 'KWD'), 1234n);
  assert.equal(parseAmount('999999999999.99', 'CNY'), 99999999999999n);
  for (const [text, cur, unit] of [['1.234', 'CNY'], ['1.5', 'JPY'], ['-1', 'CNY'], ['1e3', 'CNY'], ['', 'CNY'],
    ['0', 'CNY'], ['0.00', 'CNY'], ['12.5', 'CNY', 'minor'], ['10000000000000.01', 'CNY'], ['1,23.00', 'CNY']]) {
    assert.throws(() => parseAmount(text, cur, unit), InvoiceError, `${text} ${cur}`);
  }
  assert.equal(formatAmount(1250000n, 'CNY'), 'CNY 12,500.00');
  assert.equal(formatAmount(7, 'CNY'), 'CNY 0.07');
  assert.equal(formatAmount(1500, 'JPY'), 'JPY 1,500');
});

test('an invoice from the form or a JSON file, and its fingerprint (docs/finance.md §3)', () => {
  const inv = invoiceFromFields({ creditor: ' Platform ', debtor: 'customs', number: 'inv-2026/0001 ', amount: '12500.00',
    unit: 'decimal', currency: 'cny', date: '2026-11-30' });
  assert.deepEqual(inv, { creditor: 'platform', debtor: 'customs', number: 'inv-2026/0001', amount: 1250000n, currency: 'CNY', date: '2026-11-30' });
  // SHA-256 over the LF-joined fields, computed independently (Python's hashlib).
  assert.deepEqual(fingerprints(inv), {
    fingerprint: '1f5d70c476557bedcde984affcd709a4080adf09448203253c48e8dd11f2c0ce',
    invoiceKey: '3462e5442f468be79ad6540057dec3cc5bc2b00d3c6aab329c76b6560c2fd7ef' });
  const same = invoiceFromFields(fieldsFromJson({ creditor: 'platform', debtor: 'customs', number: 'INV 2026 0001',
    amount: 1250000, currency: 'CNY', date: '2026-11-30' }));
  assert.deepEqual(fingerprints(same), fingerprints(inv));
  const wrapped = fieldsFromJson({ creditor: 'platform', debtor: 'customs', currency: 'CNY',
    invoices: [{ number: 'INV-2026/0001', amount_decimal: '12500', date: '2026-11-30' }] });
  assert.deepEqual(fingerprints(invoiceFromFields(wrapped)), fingerprints(inv));
  assert.throws(() => fieldsFromJson([1]), InvoiceError);
  assert.throws(() => fieldsFromJson({ invoices: [{}, {}] }), /exactly one/);
  for (const bad of [{ creditor: 'Pla tform' }, { debtor: '' }, { number: '' }, { currency: 'yuan' }, { date: '2026-02-30' }, { date: '30.11.2026' }]) {
    assert.throws(() => invoiceFromFields({ creditor: 'platform', debtor: 'customs', number: 'X1', amount: '1', currency: 'CNY', date: '2026-11-30', ...bad }), InvoiceError, JSON.stringify(bad));
  }
  assert.throws(() => fingerprints({ ...inv, number: 'INV#1' }), InvoiceError);
  assert.throws(() => fingerprints({ ...inv, number: 'RÉF1' }), InvoiceError);
});

test('key files: plain, seed text, and the keystore\'s encrypted file (Argon2id + secretbox)', async () => {
  const seedHex = 'a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00';
  const pub = tm.toHex(tm.publicKeyFromSeed(tm.fromHex(seedHex)));
  const plain = parseKeyFile(JSON.stringify({ public_key: pub, seed: seedHex }));
  assert.equal(plain.kind, 'plain');
  assert.equal(plain.publicKey, pub);
  assert.equal(tm.toHex(plain.seed), seedHex);
  assert.equal(parseKeyFile(`${seedHex}\n`).publicKey, pub);
  assert.equal(parseKeyFile(JSON.stringify({ name: 'b', public_key: pub, seed: seedHex })).name, 'b');
  assert.throws(() => parseKeyFile(JSON.stringify({ public_key: '00'.repeat(32), seed: seedHex })), /does not match/);
  assert.throws(() => parseKeyFile(JSON.stringify({ seed: 'xyz' })), KeyFileError);
  assert.throws(() => parseKeyFile('hello'), KeyFileError);
  assert.throws(() => parseKeyFile(' '.repeat(70000)), /64 KiB/);

  const text = readFileSync(new URL('./fixtures/key-encrypted.json', import.meta.url), 'utf8');
  const enc = parseKeyFile(text);
  assert.equal(enc.kind, 'encrypted');
  assert.equal(enc.publicKey, pub);
  assert.equal(parseKeyFile(JSON.stringify({ name: 'x', key_file: JSON.parse(text) })).publicKey, pub);  // -o json export
  const seed = await decryptKeyFile(enc.file, 'correct horse battery staple');
  assert.equal(tm.toHex(seed), seedHex);
  await assert.rejects(decryptKeyFile(enc.file, 'wrong'), /wrong passphrase or corrupted key file/);
  const j = JSON.parse(text);
  const flip = (hex) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
  const tampered = parseKeyFile(JSON.stringify({ ...j, cipher: { ...j.cipher, ciphertext: flip(j.cipher.ciphertext) } }));
  await assert.rejects(decryptKeyFile(tampered.file, 'correct horse battery staple'), /wrong passphrase or corrupted/);
  // Bounds as the C++ keystore: a hostile file cannot ask for 100 GiB or an hour.
  for (const [kdf, why] of [[{ memlimit: 2 ** 31 }, /memlimit/], [{ opslimit: 11 }, /opslimit/], [{ opslimit: 0 }, /opslimit/],
    [{ alg: 'scrypt' }, /kdf.alg/], [{ salt: 'ab' }, /kdf.salt/]]) {
    assert.throws(() => parseKeyFile(JSON.stringify({ ...j, kdf: { ...j.kdf, ...kdf } })), why);
  }
  assert.throws(() => parseKeyFile(JSON.stringify({ ...j, version: 2 })), /version/);
  assert.throws(() => parseKeyFile(JSON.stringify({ ...j, cipher: { ...j.cipher, alg: 'aes' } })), /cipher.alg/);
});

// ---- pledge registry pages: gazette, records, borrower standings, the regulator's export -----
import { BORROWER_SECTIONS, PlgInputError, alertDetail, borrowerItems, exportQuery, gazetteChanges, gazetteKey, gazetteRows,
  itemClaims, itemStanding, recordFamily, recordKey, registrationNo, verifyBorrowerAnswer, verifyKeyAnswer } from '../src/plg.js';

const proofVectors = JSON.parse(readFileSync(new URL('../../tests/vectors/proof_vectors.json', import.meta.url)));
const vector = (name) => structuredClone(proofVectors.fin_answers.find((c) => c.name === name));

test('registration numbers: trimmed, [A-Za-z0-9-]{1,64}, else a message for the user', () => {
  assert.equal(registrationNo('  EQ-2026-000123 '), 'EQ-2026-000123');
  for (const bad of ['', '   ', 'EQ 1', 'EQ/1', 'x'.repeat(65), 'ÉQ-1', '../x']) {
    assert.throws(() => registrationNo(bad), PlgInputError, JSON.stringify(bad));
  }
  assert.equal(gazetteKey('EQ-1'), 'plg/gazette/EQ-1');
});

test('record ids name their family and state key', () => {
  assert.equal(recordFamily('eqp_0123456789abcdef0123'), 'equity');
  assert.equal(recordFamily('ipp_0123456789abcdef0123'), 'ip');
  assert.equal(recordFamily('wr_0123456789abcdef0123'), 'receipt');
  assert.equal(recordFamily('rcv_0123456789abcdef0123'), null);
  assert.equal(recordKey('eqp_ab'), 'plg/eq/pledge/eqp_ab');
  assert.equal(recordKey('ipp_ab'), 'plg/ip/pledge/ipp_ab');
  assert.equal(recordKey('wr_ab'), 'plg/wr/receipt/wr_ab');
  assert.throws(() => recordKey('eqp_AB'), PlgInputError);
});

test('a gazette entry shows exactly what the registry publishes, nothing more', () => {
  const eq = { registration_no: 'EQ-7', kind: 'equity', company: 'Acme Ltd', uscc: '91110000600037341X', pledgor: 'Platform Co',
    pledgee: 'Bank Co', registered_on: '2026-12-06', state: 'REGISTERED', changes: [{ on: '2026-12-07', what: 'changed' }],
    amount: 400000, contract_hash: 'ab'.repeat(32), debt_amount: 5 };
  const rows = gazetteRows(eq);
  assert.deepEqual(rows.map(([k]) => k), ['Registration number', 'Kind', 'Company', 'USCC', 'Pledgor', 'Pledgee', 'Registered on', 'State']);
  assert.deepEqual(Object.fromEntries(rows), { 'Registration number': 'EQ-7', Kind: 'Equity pledge', Company: 'Acme Ltd',
    USCC: '91110000600037341X', Pledgor: 'Platform Co', Pledgee: 'Bank Co', 'Registered on': '2026-12-06', State: 'registered' });
  assert.ok(!JSON.stringify(rows).includes('400000') && !JSON.stringify(rows).includes('abab'), 'no amount, no contract');
  assert.deepEqual(gazetteChanges(eq), [{ on: '2026-12-07', what: 'changed' }]);
  const ip = gazetteRows({ registration_no: 'IP-1', kind: 'ip', asset: 'invention:CN1', asset_kind: 'invention', title: 'A pump',
    pledgor: 'P', pledgee: 'B', registered_on: '2026-12-01', state: 'RELEASED' });
  assert.deepEqual(ip.map(([k]) => k), ['Registration number', 'Kind', 'Asset', 'Asset kind', 'Title', 'Pledgor', 'Pledgee', 'Registered on', 'State']);
  assert.equal(Object.fromEntries(ip)['Asset kind'], 'invention patent');
  assert.deepEqual(gazetteRows(null), []);
  assert.deepEqual(gazetteChanges({}), []);
});

test('a single-key answer verifies against its proof; tampered ones are refused', () => {
  const trust = proofVectors.trust;
  for (const name of ['receivable_overdue', 'receivable_not_yet_due', 'receivable_hash_only']) {
    const c = vector(name);
    const r = verifyKeyAnswer(c.answer, trust, { key: `fin/rcv/${c.ask.id}`, field: 'receivable' });
    assert.equal(r.ok, true, name);
    assert.equal(r.value.id, c.ask.id, name);
    assert.equal(r.signers.length, 3, name);
  }
  for (const name of ['receivable_part_holder_swapped', 'receivable_encumbrance_dropped', 'receivable_state_settled',
    'receivable_hash_only_amount_changed', 'receivable_proof_for_another_id', 'receivable_bundle_byte_flipped',
    'receivable_as_of_time', 'receivable_proof_state_root']) {
    const c = vector(name);
    assert.throws(() => verifyKeyAnswer(c.answer, trust, { key: `fin/rcv/${c.ask.id}`, field: 'receivable' }), tm.VerifyError, name);
  }
  // A proof of another key than the one asked (a true entry passed off as another's).
  const c = vector('receivable_overdue');
  assert.throws(() => verifyKeyAnswer(c.answer, trust, { key: 'plg/gazette/EQ-1', field: 'receivable' }), /does not prove/);
  const noProof = vector('receivable_overdue');
  delete noProof.answer.proof;
  assert.throws(() => verifyKeyAnswer(noProof.answer, trust, { key: `fin/rcv/${c.ask.id}`, field: 'receivable' }), /no proof/);
});

test('borrower standings: each claimed standing is the proven one, absent = free', () => {
  const trust = proofVectors.trust;
  const reg = vector('check_registered');
  const fpKey = `fin/fp/${reg.ask.fingerprint}`;
  const ikKey = `fin/ik/${reg.ask.invoice_key}`;
  const fpState = reg.answer.fingerprint.state;
  const ikState = reg.answer.invoice_key.state;
  // A receivable's standings are its invoices' (docs/api.md, /v1/fin/borrowers/{org}).
  const answer = (states, from, extra = {}) => ({ org: 'platform', receivables: [{ id: 'rcv_x', invoices: [{ number: '1', standing: { key: fpKey, state: states[0] } }] }],
    ip_assets: [], equity: [], receipts: [{ id: 'wr_1', standing: { key: ikKey, state: states[1] } }], truncated: [],
    as_of: from.answer.as_of, proof: from.answer.proof, ...extra });
  const ok = verifyBorrowerAnswer(answer([fpState, ikState], reg), trust, 'platform');
  assert.equal(ok.checked, 2);
  assert.equal(ok.signers.length, 3);
  assert.throws(() => verifyBorrowerAnswer(answer(['free', ikState], reg), trust, 'platform'), new RegExp(`"free" in the answer but "${fpState}"`));
  assert.throws(() => verifyBorrowerAnswer(answer([fpState, ikState], reg), trust, 'bank'), /not the borrower asked/);
  assert.throws(() => verifyBorrowerAnswer(answer([fpState, ikState], reg, { as_of: { ...reg.answer.as_of, height: 1 } }), trust, 'platform'), /as_of/);
  // A standing the bundle does not prove, or a key proven that no standing claims.
  const one = answer([fpState, ikState], reg);
  one.receipts = [];
  assert.throws(() => verifyBorrowerAnswer(one, trust, 'platform'), /keys that were not asked/);
  const free = vector('check_free');
  const fk = `fin/fp/${free.ask.fingerprint}`;
  const ik = `fin/ik/${free.ask.invoice_key}`;
  const eq = (state) => ({ org: 'platform', equity: [{ uscc: 'X', standing: { key: fk, state } }, { uscc: 'Y', standing: { key: ik, state: 'free' } }],
    as_of: free.answer.as_of, proof: free.answer.proof });
  assert.equal(verifyBorrowerAnswer(eq('free'), trust, 'platform').checked, 2);
  assert.throws(() => verifyBorrowerAnswer(eq('pledged'), trust, 'platform'), /"pledged" in the answer but "free"/);
  // Nothing to prove: no proof; a proof with no standing is refused.
  assert.equal(verifyBorrowerAnswer({ org: 'platform', receivables: [], equity: [], proof: null }, trust, 'platform').checked, 0);
  assert.throws(() => verifyBorrowerAnswer({ org: 'platform', proof: free.answer.proof }, trust, 'platform'), /a proof for no standing/);
  assert.throws(() => verifyBorrowerAnswer({ org: 'platform', equity: [{ standing: { key: fk, state: 'free' } }] }, trust, 'platform'), /no proof/);
  // The standing shown: the item's own, or a receivable's from its invoices.
  assert.equal(itemStanding({ standing: { key: 'k', state: 'pledged' } }), 'pledged');
  assert.equal(itemStanding({ invoices: [{ standing: { key: 'a', state: 'free' } }, { standing: { key: 'b', state: 'encumbered' } }] }), 'encumbered');
  assert.equal(itemStanding({ invoices: [{ standing: { key: 'a', state: 'free' } }] }), 'free');
  assert.equal(itemStanding({}), '');
  assert.deepEqual(itemClaims({ standing: { key: 'k', state: 's' }, invoices: [{ standing: { key: 'a', state: 'free' } }, { number: 'x' }] }),
    [{ key: 'k', state: 's' }, { key: 'a', state: 'free' }]);
  assert.equal(borrowerItems({ equity: [{ uscc: 'a' }, 7] }, BORROWER_SECTIONS[2]).length, 1);
});

test('the export query covers whole UTC days, both included ([from_ms, to_ms) of block time)', () => {
  const q = exportQuery({ from: '2026-12-01', to: '2026-12-05', format: 'csv' });
  assert.equal(q.fromMs, Date.UTC(2026, 11, 1));
  assert.equal(q.toMs, Date.UTC(2026, 11, 6));
  assert.equal(q.path, `/v1/reg/export?from_ms=${q.fromMs}&to_ms=${q.toMs}&format=csv`);
  assert.equal(q.filename, 'tidemark-export-2026-12-01-to-2026-12-05.csv');
  assert.equal(exportQuery({ from: '2026-12-05', to: '2026-12-05', format: 'json' }).filename.endsWith('.json'), true);
  for (const [a, why] of [[{ from: '2026-12-06', to: '2026-12-05', format: 'csv' }, /not be before/],
    [{ from: '2026-02-30', to: '2026-12-05', format: 'csv' }, /not a calendar date/], [{ from: '', to: '2026-12-05', format: 'csv' }, /From/],
    [{ from: '2026-12-01', to: '2026-12-05', format: 'xml' }, /Format/]]) {
    assert.throws(() => exportQuery(a), why);
  }
});

test('alert details read as one line', () => {
  assert.equal(alertDetail({ detail: 'x' }), 'x');
  assert.equal(alertDetail({ detail: { from: 'a', to: 'b' } }), 'from: a, to: b');
  assert.equal(alertDetail({}), '');
});

// ---- the consumer trace page: proven warnings only, route with places, en / zh-CN ------------
import { countryName, dateText, pickLang, stepText, t as tr, warningText } from '../src/i18n.js';
import { placeKey, routeOf, traceView } from '../src/trace_view.js';

const proofDoc = JSON.parse(readFileSync(new URL('../../tests/vectors/proof_vectors.json', import.meta.url)));
const proofTrust = tm.trustFromGenesis(proofDoc.trust);
const answerCase = (name) => proofDoc.trace_answers.find((c) => c.name === name).answer;

test('the language: the stored choice, else the first zh* or en* of the browser, else English', () => {
  assert.equal(pickLang(['zh-TW', 'en'], null), 'zh-CN');
  assert.equal(pickLang(['zh'], null), 'zh-CN');
  assert.equal(pickLang(['de-DE', 'en-GB', 'zh-CN'], null), 'en');
  assert.equal(pickLang(['fr'], null), 'en');
  assert.equal(pickLang(['zh-CN'], 'en'), 'en');
  assert.equal(pickLang(['en'], 'zh-CN'), 'zh-CN');
  assert.equal(pickLang(['en'], 'xx'), 'en');
});

test('every consumer string of the trace page exists in English and Simplified Chinese', () => {
  for (const key of ['verifying', 'origin', 'route', 'thisItem', 'customs', 'scans', 'okTitle', 'badTitle', 'badDetail', 'disagrees', 'details']) {
    assert.notEqual(tr('zh-CN', key), tr('en', key), key);
    assert.match(tr('zh-CN', key), /[\u4e00-\u9fff]/, key);
  }
  assert.equal(stepText('en', { bizStep: 'retail_selling' }), 'Sold');  // a sale is a sale, not "On sale"
  assert.equal(stepText('zh-CN', { bizStep: 'retail_selling' }), '售出');
  assert.equal(stepText('en', { type: 'customs', action: 'RELEASED' }), 'Released by customs');
  assert.equal(countryName('zh-CN', 'NZ'), '新西兰');
  assert.equal(countryName('en', 'NZ'), 'New Zealand');
  assert.match(dateText('zh-CN', '2026-03-05'), /2026年3月5日/);
  // A failed verification never prints "null".
  assert.ok(!/null|undefined/.test(tr('en', 'badMore', { reason: null })));
});

test('warnings read as sentences, with times and no block heights, in both languages', () => {
  const sold = { kind: 'sold', params: { time: '2026-03-05T10:00:00Z' } };
  assert.match(warningText('en', sold), /already sold on .*2026/);
  assert.ok(!/height/.test(warningText('en', sold)));
  assert.match(warningText('zh-CN', sold), /售出/);
  const recall = { kind: 'recalled', params: { recall_id: 'R-1', lot: 'x', reason: 'foreign matter' } };
  assert.match(warningText('en', recall), /^Recalled: .*foreign matter/);
  assert.match(warningText('zh-CN', recall), /^已召回/);
  assert.match(warningText('en', { kind: 'scanned', params: { count: 1, first_time: '2026-03-06T12:00:00Z' } }), /scanned once before/);
});

test('place ids: SGLN URN and Digital Link to the ledger key; names from proven location records', () => {
  assert.equal(placeKey('urn:epc:id:sgln:9521234.00001.0'), '/414/9521234000013');
  assert.equal(placeKey('urn:epc:id:sgln:9521234.00001.dock7'), '/414/9521234000013/254/dock7');
  assert.equal(placeKey('https://id.gs1.org/414/9521234000013'), '/414/9521234000013');
  assert.equal(placeKey('urn:example:somewhere'), null);
  const records = {
    'prov/obj/x': {},
    'prov/event/0000000000000007': { seq: 7, event: { readPoint: { id: 'urn:epc:id:sgln:9521234.00004.0' } } },
    'prov/location//414/9521234000013': { id: '/414/9521234000013', name: 'Kaimai packing house', country: 'NZ' },
    'prov/location//414/9521234000044': { id: '/414/9521234000044', name: 'Ningbo Beilun port', country: 'CN' },
  };
  assert.equal(placeKey('urn:epc:id:sgln:9521234.00004.0'), '/414/9521234000044');
  const route = routeOf('en', [{ seq: 7, bizStep: 'shipping', location: '/414/9521234000013', eventTime: '2026-03-01T10:00:00Z' },
    { seq: 8, bizStep: 'retail_selling', location: '/414/9521234000099', eventTime: '2026-03-02T10:00:00Z' }], records);
  assert.equal(route[0].place, 'Kaimai packing house, New Zealand');
  assert.equal(route[0].readPoint, 'Ningbo Beilun port, China');
  assert.equal(route[1].step, 'Sold');
  assert.equal(route[1].place, 'GLN 9521234000099');  // not registered: its GLN
  assert.equal(routeOf('zh-CN', [{ seq: 7, bizStep: 'shipping', location: '/414/9521234000013' }], records)[0].readPoint, 'Ningbo Beilun port, 中国');
});

test('the page shows the warnings derived from the proof; emptied warnings are flagged, not believed', () => {
  // Regression (issue 19, finding 1): the page rendered the answer's own, unproven warnings.
  const good = answerCase('answer_ok');
  const tampered = answerCase('answer_warnings_emptied');
  assert.deepEqual(tampered.warnings, []);
  const r = tm.verifyTraceAnswer(tampered, proofTrust);
  const v = traceView(tampered, { state: 'ok', result: r }, 'en');
  assert.deepEqual(v.disagrees, ['warnings']);
  assert.equal(v.warnings.length, 1);
  assert.match(v.warnings[0].text, /scanned 2 times/);
  const honest = traceView(good, { state: 'ok', result: tm.verifyTraceAnswer(good, proofTrust) }, 'zh-CN');
  assert.deepEqual(honest.disagrees, []);
  assert.equal(honest.origin, '新西兰');
  // Not verified: the node's warnings are only "what the node says", never shown as proven ones.
  const bad = traceView({ ...good, warnings: [{ kind: 'recalled', params: { reason: 'x' } }] }, { state: 'bad' }, 'en');
  assert.deepEqual(bad.warnings, []);
  assert.equal(bad.unprovenWarnings.length, 1);
});
