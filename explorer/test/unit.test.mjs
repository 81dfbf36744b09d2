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
