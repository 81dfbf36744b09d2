// finance.js — the client side of supply-chain finance (docs/finance.md), the JS twin of
// sdk/include/tidemark/fin_fingerprint.h, signed_read.h and fin_answer.h: invoice fingerprints
// computed where the invoice is (it never leaves the bank's browser), the args of every `fin`
// contract method, the signed-read header of protected REST reads, REST helpers for /v1/fin, and
// the verifiers of the node's finance answers (proof bundles checked from the genesis anchor).
//
//   const { fingerprint, invoiceKey } = invoiceFingerprint({ creditor: 'bondedwh',
//     debtor: 'platform', number: 'INV-2026/0001', amount: 1250000, date: '2026-11-30' });
//   const auth = readAuthHeader(seed, 'tidemark-local', 'GET', `/v1/fin/check?...`, Date.now());
//   const answer = await finCheck(conn, { fingerprint, invoiceKey });
//   const r = verifyFinCheckAnswer(answer, trust, { fingerprint, invoiceKey });
//   r.state   // 'free' | 'registered' | 'encumbered' | 'closed', proven; or throws VerifyError
//
//   const tx = buildFinTx('confirm', { id: 'rcv_0a1b2c3d4e5f60718293' },
//                         { chainId: 'tidemark-local', nonce: 7n });
//   signTransaction(tx, seed);                     // types.js; POST encodeTransaction(tx)
//
// Bad input throws TypeError (wrong JS type) or RangeError (a value the contract would refuse),
// the message starting with the field's name; verifiers throw VerifyError with the reason.
// Everything but the REST helpers is pure and synchronous (no Node-only API, no crypto.subtle).

import { isBytes, toHex, utf8Decode, utf8Encode } from './bytes.js';
import { publicKeyFromSeed, sign } from './crypto.js';
import { sha256 } from './hash.js';
import { verifyStateBundleBytes } from './proof_bundle.js';
import { stateKeys } from './state_keys.js';
import { VerifyError } from './types.js';
import { decodeValue, encodeValue, valueFromJson, valueToJson } from './value.js';

export const FINGERPRINT_DOMAIN = 'tidemark/fin/fingerprint/v1';
export const INVOICE_KEY_DOMAIN = 'tidemark/fin/invoice/v1';
export const MAX_FIN_AMOUNT = 1_000_000_000_000_000n; // 10^15 minor units
export const READ_AUTH_SCHEME = 'Tidemark-Read';
export const READ_AUTH_MAX_TS_MS = 9_999_999_999_999n;
export const FIN_CONTRACT = 'fin';

// ---- Field checks (docs/finance.md §2) ---------------------------------------------------------

const ORG_ID = /^[a-z0-9_-]{1,64}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const RECEIVABLE_ID = /^rcv_[0-9a-f]{20}$/;
const PART_ID = /^rcv_[0-9a-f]{20}(\.[1-9][0-9]{0,2})*$/;

function bad(field, why) {
  return new RangeError(`${field}: ${why}`);
}

function needString(v, field) {
  if (typeof v !== 'string') throw new TypeError(`${field}: expected a string`);
  return v;
}

// Folds ASCII upper case only (String.toLowerCase would fold non-ASCII letters too).
function asciiLower(s) {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

function orgId(v, field) {
  const s = asciiLower(needString(v, field));
  if (!ORG_ID.test(s)) throw bad(field, 'not an organisation id');
  return s;
}

function hex64(v, field) {
  if (isBytes(v)) {
    if (v.length !== 32) throw bad(field, 'expected 32 bytes');
    return toHex(v);
  }
  if (!HEX64.test(needString(v, field))) throw bad(field, 'expected 64 lower-case hex digits');
  return v;
}

/** An integer given as bigint, safe number or decimal string (no sign, no leading zeros). */
function integer(v, field) {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypeError(`${field}: not a safe integer (use bigint)`);
    return BigInt(v);
  }
  if (typeof v === 'string') {
    if (!/^(0|[1-9][0-9]{0,18})$/.test(v)) {
      throw bad(field, 'expected decimal digits without sign or leading zeros');
    }
    return BigInt(v);
  }
  throw new TypeError(`${field}: expected an integer (bigint, safe number or decimal string)`);
}

function amount(v, field = 'amount', min = 1n) {
  const n = integer(v, field);
  if (n < min || n > MAX_FIN_AMOUNT) throw bad(field, `${min} to 10^15 minor units`);
  return n;
}

/** True iff `d` is a valid calendar date written YYYY-MM-DD (years 1900..9999), as IsIsoDate. */
export function isIsoDate(d) {
  if (typeof d !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(d)) return false;
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  const day = Number(d.slice(8, 10));
  if (y < 1900 || m < 1 || m > 12 || day < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const max = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return day <= max;
}

/** Days since 1970-01-01 of a valid YYYY-MM-DD date (IsoDateToDays). */
export function isoDateToDays(d) {
  if (!isIsoDate(d)) throw bad('date', 'not a YYYY-MM-DD date');
  return Math.round(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1,
    Number(d.slice(8, 10))) / 86400000);
}

function date(v, field = 'date') {
  if (!isIsoDate(needString(v, field))) throw bad(field, 'not a YYYY-MM-DD date');
  return v;
}

// ---- Fingerprints (docs/finance.md §3) ---------------------------------------------------------

const TRIM = new Set([' ', '\t', '\n', '\r']);
const DROP = new Set([' ', '-', '_', '/', '.']);

/**
 * The invoice number as fingerprinted: trimmed of ASCII white space (space, tab, CR, LF), ASCII
 * letters upper-cased, " -_/." dropped; then 1..64 of [A-Z0-9], else RangeError.
 *   normaliseInvoiceNumber(' inv-2026/0001 ')   // 'INV20260001'
 */
export function normaliseInvoiceNumber(number) {
  const s = needString(number, 'invoice number');
  let b = 0;
  let e = s.length;
  while (b < e && TRIM.has(s[b])) b++;
  while (e > b && TRIM.has(s[e - 1])) e--;
  let out = '';
  for (const ch of s.slice(b, e)) {
    if (DROP.has(ch)) continue;
    const c = ch >= 'a' && ch <= 'z' ? String.fromCharCode(ch.charCodeAt(0) - 32) : ch;
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      let first;
      try {
        first = utf8Encode(c)[0];
      } catch {
        first = 0xef; // a lone surrogate: not ASCII either
      }
      throw bad('invoice number',
        `only letters, digits and " -_/." are allowed (found byte 0x${first.toString(16).padStart(2, '0')})`);
    }
    out += c;
  }
  if (out.length === 0 || out.length > 64) {
    throw bad('invoice number', '1 to 64 letters or digits once normalised');
  }
  return out;
}

function hashLines(domain, parts) {
  return toHex(sha256(utf8Encode([domain, ...parts].join('\n'))));
}

/**
 * The fingerprint and invoice key of an invoice, lower-case hex (InvoiceFingerprint):
 *   fingerprint = SHA-256("tidemark/fin/fingerprint/v1" LF creditor LF debtor LF invno LF amount
 *                         LF date),  invoiceKey = the same without the amount, other domain.
 * `amount` in minor units: bigint, safe number or decimal string, 1..10^15.
 */
export function invoiceFingerprint({ creditor, debtor, number, amount: amt, date: d } = {}) {
  const c = orgId(creditor, 'creditor');
  const dbt = orgId(debtor, 'debtor');
  const n = normaliseInvoiceNumber(number);
  const a = amount(amt).toString();
  date(d);
  return {
    fingerprint: hashLines(FINGERPRINT_DOMAIN, [c, dbt, n, a, d]),
    invoiceKey: hashLines(INVOICE_KEY_DOMAIN, [c, dbt, n, d]),
  };
}

// ---- Signed reads (docs/api.md §Signed reads; signed_read.h) -----------------------------------

function seedOf(seedOrKey) {
  let s = seedOrKey;
  if (s && !isBytes(s) && typeof s === 'object' && 'seed' in s) s = s.seed;
  if (typeof s === 'string') {
    if (!HEX64.test(s)) throw bad('seed', 'expected 64 lower-case hex digits');
    s = Uint8Array.from(s.match(/../g).map((h) => parseInt(h, 16)));
  }
  if (!isBytes(s) || s.length !== 32) throw new TypeError('seed: expected 32 bytes');
  return s;
}

/** The signed body of a read: METHOD "\n" TARGET "\n" TS (ReadAuthBody). */
export function readAuthBody(method, target, tsMs) {
  return utf8Encode(`${method}\n${target}\n${tsMs}`);
}

/**
 * The Authorization header value of a protected read (ReadAuthHeader):
 *   'Tidemark-Read key=<64 hex>,ts=<ms>,sig=<128 hex>'
 * `seedOrKey`: the 32-byte seed (Uint8Array or 64 hex) or an object with a `seed`. `target`: the
 * request target exactly as sent (path plus "?query"). Ed25519 is deterministic: the same inputs
 * give the same header.
 */
export function readAuthHeader(seedOrKey, chainId, method, target, tsMs) {
  const seed = seedOf(seedOrKey);
  needString(chainId, 'chain id');
  const m = needString(method, 'method').toUpperCase();
  if (!/^[A-Z]{1,16}$/.test(m)) throw bad('method', 'expected an HTTP method');
  needString(target, 'target');
  if (!target.startsWith('/') || /[\s\0]/.test(target)) {
    throw bad('target', 'expected the request target ("/path?query", no white space)');
  }
  const ts = integer(tsMs, 'ts');
  if (ts < 0n || ts > READ_AUTH_MAX_TS_MS) throw bad('ts', 'outside 0 .. 9999999999999 ms');
  const sig = sign(seed, 'read', chainId, readAuthBody(m, target, ts));
  return `${READ_AUTH_SCHEME} key=${toHex(publicKeyFromSeed(seed))},ts=${ts},sig=${toHex(sig)}`;
}

// ---- Contract args (docs/finance.md §7) --------------------------------------------------------

function receivableId(v, field = 'id') {
  if (!RECEIVABLE_ID.test(needString(v, field))) throw bad(field, 'not a receivable id (rcv_ + 20 hex)');
  return v;
}

function partId(v, field = 'part') {
  if (!PART_ID.test(needString(v, field))) throw bad(field, 'not a part id (rcv_… or rcv_….k…)');
  return v;
}

function text(v, field, max = 128) {
  const s = needString(v, field);
  if (s.length === 0 || utf8Encode(s).length > max) throw bad(field, `1 to ${max} bytes`);
  return s;
}

function object(v, field) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new TypeError(`${field}: expected an object`);
  }
  return v;
}

function list(v, field, min, max) {
  if (!Array.isArray(v)) throw new TypeError(`${field}: expected an array`);
  if (v.length < min || v.length > max) throw bad(field, `${min} to ${max} entries`);
  return v;
}

// No field beyond `allowed` (a typo would otherwise be dropped silently).
function only(o, field, allowed) {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw bad(field, `unknown field "${k}"`);
  }
}

export const FIN_FINANCE_KINDS = Object.freeze(['pledge', 'factoring_recourse',
  'factoring_nonrecourse']);
export const FIN_MAX_TERM_DAYS = 366;

function registerArgs(a) {
  object(a, 'args');
  only(a, 'args', ['debtor', 'currency', 'contract', 'invoices', 'issue_date', 'due_date', 'refs',
    'require_delivery']);
  const currency = needString(a.currency, 'currency');
  if (!/^[A-Z]{3}$/.test(currency)) throw bad('currency', 'an ISO 4217 code ([A-Z]{3})');
  const c = object(a.contract, 'contract');
  only(c, 'contract', ['number', 'hash']);
  const invoices = list(a.invoices, 'invoices', 1, 64).map((inv, i) => {
    const f = `invoices[${i}]`;
    object(inv, f);
    only(inv, f, ['number', 'amount', 'tax', 'date', 'hash']);
    normaliseInvoiceNumber(inv.number);
    return {
      number: text(inv.number, `${f}.number`, 128),
      amount: amount(inv.amount, `${f}.amount`),
      tax: amount(inv.tax ?? 0, `${f}.tax`, 0n),
      date: date(inv.date, `${f}.date`),
      hash: hex64(inv.hash, `${f}.hash`),
    };
  });
  const issue = date(a.issue_date, 'issue_date');
  const due = date(a.due_date, 'due_date');
  const term = isoDateToDays(due) - isoDateToDays(issue);
  if (term < 1 || term > FIN_MAX_TERM_DAYS) {
    throw bad('due_date', `after issue_date, at most ${FIN_MAX_TERM_DAYS} days (rule fin-term)`);
  }
  const out = {
    debtor: orgId(a.debtor, 'debtor'),
    currency,
    contract: { number: text(c.number, 'contract.number', 128), hash: hex64(c.hash, 'contract.hash') },
    invoices,
    issue_date: issue,
    due_date: due,
  };
  if (a.refs !== undefined) {
    out.refs = list(a.refs, 'refs', 0, 32).map((r, i) => {
      object(r, `refs[${i}]`);
      only(r, `refs[${i}]`, ['type', 'id']);
      return { type: text(r.type, `refs[${i}].type`, 32), id: text(r.id, `refs[${i}].id`, 256) };
    });
  }
  if (a.require_delivery !== undefined) {
    if (typeof a.require_delivery !== 'boolean') {
      throw new TypeError('require_delivery: expected a boolean');
    }
    out.require_delivery = a.require_delivery;
    if (a.require_delivery && !(out.refs && out.refs.length > 0)) {
      throw bad('refs', 'required when require_delivery is set (rule fin-delivery-refs)');
    }
  }
  return out;
}

function simple(fields) {
  return (a) => {
    object(a, 'args');
    only(a, 'args', Object.keys(fields));
    const out = {};
    for (const [k, check] of Object.entries(fields)) out[k] = check(a[k], k);
    return out;
  };
}

/**
 * The args of each method of the `fin` contract as a Value-ready object (integers as bigint),
 * checked as far as a client can (the contract checks the rest, docs/finance.md §7).
 *   finArgs.split({ part: 'rcv_….1', amounts: [600000, '650000'] })
 */
export const finArgs = Object.freeze({
  register: registerArgs,
  confirm: simple({ id: receivableId }),
  dispute: simple({ id: receivableId, reason_hash: hex64 }),
  resolve: simple({ id: receivableId }),
  reject: simple({ id: receivableId, reason_hash: hex64 }),
  cancel: simple({ id: receivableId }),
  split: simple({
    part: partId,
    amounts: (v, f) => list(v, f, 2, 16).map((x, i) => amount(x, `${f}[${i}]`)),
  }),
  transfer: simple({ part: partId, to: orgId }),
  offer_finance: simple({
    part: partId,
    bank: orgId,
    kind: (v, f) => {
      if (!FIN_FINANCE_KINDS.includes(needString(v, f))) {
        throw bad(f, `one of ${FIN_FINANCE_KINDS.join(', ')}`);
      }
      return v;
    },
    amount: (v, f) => amount(v, f),
  }),
  withdraw_offer: simple({ part: partId }),
  accept_finance: simple({ part: partId }),
  release: simple({ part: partId }),
  settle: simple({ id: receivableId }),
});

/** The methods of the `fin` contract. */
export const FIN_METHODS = Object.freeze(Object.keys(finArgs));

/**
 * An unsigned `fin` transaction (types.js shape) with the method's args checked and encoded;
 * sign it with signTransaction(tx, seed).
 */
export function buildFinTx(method, args, { chainId, nonce, expiryHeight = null } = {}) {
  if (!Object.hasOwn(finArgs, method)) throw bad('method', `not a fin method: ${method}`);
  needString(chainId, 'chainId');
  const n = integer(nonce, 'nonce');
  return {
    chain_id: chainId,
    nonce: n,
    contract: FIN_CONTRACT,
    method,
    args: encodeValue(finArgs[method](args)),
    expiry_height: expiryHeight === null ? null : integer(expiryHeight, 'expiryHeight'),
  };
}

// ---- Verifying finance answers (docs/finance.md §10; fin_answer.h) -----------------------------

const DAY_MS = 86400000;
const FREE = 'free';
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (o, f) => isObj(o) && typeof o[f] === 'string';

// A JSON number or bigint equal to `want` (a safe integer).
function sameInt(v, want) {
  return (typeof v === 'number' || typeof v === 'bigint') && BigInt(v) === BigInt(want);
}

// The answer's bundle verified from `trust`, proving exactly the keys `wanted`.
function provenExactly(answer, trust, wanted) {
  if (!isObj(answer)) throw new VerifyError('answer: not an object');
  const proof = answer.proof;
  if (!isObj(proof) || typeof proof.bundle !== 'string') {
    throw new VerifyError('answer: carries no proof bundle');
  }
  const v = verifyStateBundleBytes(trust, proof.bundle);
  const proven = new Map(v.entries.map((e) => [utf8Decode(e.key), e]));
  for (const k of wanted) {
    if (!proven.has(k)) throw new VerifyError(`answer: the bundle does not prove ${k}`);
  }
  if (proven.size !== wanted.length) {
    throw new VerifyError('answer: the bundle proves keys that were not asked');
  }
  if (proof.height !== undefined && !sameInt(proof.height, v.height)) {
    throw new VerifyError('answer: proof.height differs from the certified header');
  }
  if (proof.block_id !== undefined && proof.block_id !== v.blockId) {
    throw new VerifyError('answer: proof.block_id differs from the certified header');
  }
  const asOf = answer.as_of;
  if (!isObj(asOf)) throw new VerifyError('answer: no as_of');
  if (!sameInt(asOf.height, v.height) || asOf.block_id !== v.blockId ||
      !sameInt(asOf.time_ms, v.timestampMs)) {
    throw new VerifyError('answer: as_of differs from the certified header');
  }
  return { v, proven };
}

function recordBytes(record, what) {
  try {
    return encodeValue(valueFromJson(record));
  } catch (e) {
    throw new VerifyError(`answer: ${what} is not a Value: ${e.message}`);
  }
}

const matches = (entry, bytes) => {
  const h = sha256(bytes);
  return entry.valueHash !== null && h.every((b, i) => b === entry.valueHash[i]);
};

// What is proven about a fingerprint / invoice key, checked against answer[field].state.
function checkKey(answer, proven, key, field) {
  if (!isStr(answer[field], 'state')) throw new VerifyError(`answer: no ${field}.state`);
  const claimed = answer[field].state;
  const e = proven.get(key);
  let state = FREE;
  let record = null;
  if (e.present) {
    let bytes = e.value;
    if (bytes === null) {
      const shipped = isObj(answer.records) && Object.hasOwn(answer.records, key)
        ? answer.records[key] : { state: claimed };
      bytes = recordBytes(shipped, key);
      if (!matches(e, bytes)) {
        throw new VerifyError(`answer: ${field} differs from the proven record`);
      }
    }
    try {
      record = valueToJson(decodeValue(bytes));
    } catch {
      throw new VerifyError(`answer: the record of ${key} is not a canonical Value`);
    }
    if (!isStr(record, 'state') || record.state === FREE) {
      throw new VerifyError(`answer: the record of ${key} has no state`);
    }
    state = record.state;
  }
  if (claimed !== state) {
    throw new VerifyError(`answer: ${field}.state "${claimed}" is not the proven "${state}"`);
  }
  return { key, state, record };
}

function header(v) {
  return {
    height: v.height, stateVersion: v.stateVersion, epoch: v.epoch, blockId: v.blockId,
    stateRoot: v.stateRoot, timestampMs: v.timestampMs, signers: v.signers,
    validatorCount: v.validatorCount, quorum: { signed: v.signers.length, of: v.validatorCount },
  };
}

/**
 * Verifies the answer to a fingerprint check (GET /v1/fin/check) for the invoice whose
 * `{fingerprint, invoiceKey}` (hex, from invoiceFingerprint) the caller asked about: the bundle
 * verifies from `trust`, proves exactly fin/fp/<fingerprint> and fin/ik/<invoiceKey>, and the
 * answer's states are the proven ones (absent = "free"). Returns { ok, state, fingerprint:
 * {key, state, record}, invoiceKey: {...}, height, blockId, timestampMs, signers, quorum,
 * checked }; `state` is "free" iff both are free, else encumbered / registered / closed (the
 * first that applies). Throws VerifyError.
 */
export function verifyFinCheckAnswer(answer, trust, { fingerprint, invoiceKey } = {}) {
  const fpKey = stateKeys.fin.fingerprint(hex64(fingerprint, 'fingerprint'));
  const ikKey = stateKeys.fin.invoiceKey(hex64(invoiceKey, 'invoiceKey'));
  const { v, proven } = provenExactly(answer, trust, [fpKey, ikKey]);
  const checked = ['certificate', 'state_root', 'keys', 'as_of'];
  const fp = checkKey(answer, proven, fpKey, 'fingerprint');
  const ik = checkKey(answer, proven, ikKey, 'invoice_key');
  checked.push('fingerprint', 'invoice_key');
  let state = ['encumbered', 'registered', 'closed'].find((s) => fp.state === s || ik.state === s);
  if (state === undefined) state = fp.state !== FREE ? fp.state : ik.state;
  if (answer.state !== undefined) {
    if (answer.state !== state) throw new VerifyError('answer: state differs from the proven one');
    checked.push('state');
  }
  return { ok: true, state, fingerprint: fp, invoiceKey: ik, ...header(v), checked };
}

/**
 * True iff `record` (a receivable) is overdue at block time `timeMs`: CONFIRMED, and timeMs is
 * at or after 00:00 UTC of the day after its due_date (FinOverdueAt).
 */
export function finOverdueAt(record, timeMs) {
  if (!isStr(record, 'state') || record.state !== 'CONFIRMED') return false;
  if (!isStr(record, 'due_date') || !isIsoDate(record.due_date)) return false;
  return BigInt(timeMs) >= BigInt((isoDateToDays(record.due_date) + 1) * DAY_MS);
}

/**
 * Verifies the answer to a receivable read (GET /v1/fin/receivables/{id}) for receivable `id`:
 * the bundle verifies from `trust` and proves exactly fin/rcv/<id>, present; the answer's record
 * re-encoded canonically is the proven value; its id is `id`; `overdue` is what the record and
 * the certified block time say. Returns { ok, record, overdue, height, blockId, timestampMs,
 * signers, quorum, checked }. Throws VerifyError (TypeError / RangeError for a malformed id).
 */
export function verifyReceivableAnswer(answer, trust, id) {
  if (needString(id, 'id') === '' || id.includes(' ')) throw bad('id', 'empty or with a space');
  const key = stateKeys.fin.receivable(id);
  const { v, proven } = provenExactly(answer, trust, [key]);
  const checked = ['certificate', 'state_root', 'keys', 'as_of'];
  const e = proven.get(key);
  if (!e.present) throw new VerifyError(`answer: receivable ${id} is proven absent`);
  if (!isObj(answer.record)) throw new VerifyError('answer: no record');
  const bytes = recordBytes(answer.record, 'record');
  if (!matches(e, bytes)) throw new VerifyError('answer: record differs from the proven one');
  const record = valueToJson(decodeValue(bytes));
  if (record.id !== id) throw new VerifyError(`answer: the proven record is not receivable ${id}`);
  checked.push('record');
  const overdue = finOverdueAt(record, v.timestampMs);
  if (answer.overdue !== overdue) {
    throw new VerifyError('answer: overdue differs from the proven record and block time');
  }
  checked.push('overdue');
  return { ok: true, record, overdue, ...header(v), checked };
}
