// fin.js — the finance pages' pure helpers (no DOM, unit-tested in node): reading an invoice from
// a form or a JSON file, amounts in minor units, and the invoice's fingerprint and invoice key
// (docs/finance.md §3), computed here so the invoice never leaves the browser.
//
//   const inv = invoiceFromJson(JSON.parse(text));      // or invoiceFromFields({...})
//   const { fingerprint, invoiceKey } = fingerprints(inv);
//   formatAmount(123456n, 'CNY')                         // "CNY 1,234.56"
import * as tm from '../../sdk/js/src/index.js';

export class InvoiceError extends Error {}

const MAX_AMOUNT = 10n ** 15n;

/** Decimal places of an ISO 4217 currency (CNY 2, JPY 0, KWD 3), from the browser's Intl data. */
export function currencyDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/**
 * An amount in minor units (BigInt) from the user's text: `unit` 'minor' takes an integer of
 * minor units ("123456"); 'decimal' a decimal in the currency ("1234.56", at most the currency's
 * decimal places; "1,234.56" with thousands commas too). No floating point anywhere.
 */
export function parseAmount(text, currency, unit = 'decimal') {
  const s = String(text ?? '').trim();
  let minor;
  if (unit === 'minor') {
    if (!/^\d{1,16}$/.test(s)) throw new InvoiceError(`amount: "${s}" is not a whole number of minor units`);
    minor = BigInt(s);
  } else {
    const m = /^(\d{1,3}(?:,\d{3})+|\d{1,16})(?:\.(\d+))?$/.exec(s);
    if (!m) throw new InvoiceError(`amount: "${s}" is not a decimal amount such as 1234.56`);
    const digits = currencyDigits(currency);
    const frac = m[2] || '';
    if (frac.length > digits) throw new InvoiceError(`amount: ${currency} has ${digits} decimal place${digits === 1 ? '' : 's'}`);
    minor = BigInt(m[1].replace(/,/g, '') + frac.padEnd(digits, '0'));
  }
  if (minor < 1n || minor > MAX_AMOUNT) throw new InvoiceError('amount: must be between 1 and 10^15 minor units');
  return minor;
}

/** "CNY 1,234.56" from minor units. */
export function formatAmount(minor, currency) {
  if (minor === null || minor === undefined || minor === '') return '';
  let v;
  try {
    v = BigInt(minor);
  } catch {
    return String(minor);
  }
  const digits = currencyDigits(currency);
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(digits + 1, '0');
  const int = s.slice(0, s.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = digits ? `.${s.slice(s.length - digits)}` : '';
  return `${currency ? `${currency} ` : ''}${neg ? '-' : ''}${int}${frac}`;
}

const ORG = /^[a-z0-9_-]{1,64}$/;

/**
 * The invoice from form fields {creditor, debtor, number, amount, unit, currency, date};
 * throws InvoiceError naming the field. Org ids are lower-cased (as the fingerprint does).
 */
export function invoiceFromFields(f) {
  const creditor = String(f.creditor ?? '').trim().toLowerCase();
  const debtor = String(f.debtor ?? '').trim().toLowerCase();
  if (!ORG.test(creditor)) throw new InvoiceError('creditor: an organisation id such as "platform"');
  if (!ORG.test(debtor)) throw new InvoiceError('debtor: an organisation id such as "platform"');
  const number = String(f.number ?? '').trim();
  if (!number) throw new InvoiceError('invoice number: required');
  const currency = String(f.currency ?? '').trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new InvoiceError('currency: an ISO 4217 code such as CNY');
  const amount = parseAmount(f.amount, currency, f.unit === 'minor' ? 'minor' : 'decimal');
  const date = String(f.date ?? '').trim();
  if (!/^\d{4}-\d\d-\d\d$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ||
      new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    throw new InvoiceError('invoice date: a calendar date YYYY-MM-DD');
  }
  return { creditor, debtor, number, amount, currency, date };
}

/**
 * The invoice from a JSON document: {creditor, debtor, number | invoice_number, amount (minor
 * units: an integer or a digit string) | amount_decimal ("1234.56"), currency, date |
 * invoice_date}; or a `fin register` argument object {creditor, debtor, currency, invoices:
 * [one invoice {number, amount, date}]}. Returns the form fields (strings) to show and check.
 */
export function fieldsFromJson(j) {
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new InvoiceError('invoice file: not a JSON object');
  let inv = j;
  if (Array.isArray(j.invoices)) {
    if (j.invoices.length !== 1) throw new InvoiceError('invoice file: "invoices" must hold exactly one invoice to check');
    inv = { ...j, ...j.invoices[0] };
  }
  const pick = (...names) => {
    for (const n of names) if (inv[n] !== undefined && inv[n] !== null) return String(inv[n]);
    return '';
  };
  const decimal = pick('amount_decimal');
  return {
    creditor: pick('creditor'), debtor: pick('debtor'), number: pick('number', 'invoice_number', 'invno'),
    amount: decimal || pick('amount', 'amount_minor'), unit: decimal ? 'decimal' : 'minor',
    currency: pick('currency'), date: pick('date', 'invoice_date'),
  };
}

/**
 * {fingerprint, invoiceKey} (hex) of an invoice: the SDK's invoiceFingerprint (the C++ and JS
 * twins pass the shared fin_fingerprints vectors). Its RangeError / TypeError becomes an
 * InvoiceError for the form.
 */
export function fingerprints(inv) {
  try {
    return tm.invoiceFingerprint({ creditor: inv.creditor, debtor: inv.debtor, number: inv.number,
      amount: inv.amount, date: inv.date });
  } catch (e) {
    throw new InvoiceError(e.message);
  }
}
