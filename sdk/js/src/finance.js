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
import { VerifyError, encodeTransaction, transactionId } from './types.js';
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
  if (!/^[0-9a-fA-F]{64}$/.test(needString(v, field))) throw bad(field, 'expected 64 hex digits');
  return v.toLowerCase();
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
      const hex = first.toString(16).padStart(2, '0');
      throw bad('invoice number',
        `only letters, digits and " -_/." are allowed (found byte 0x${hex})`);
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

// A seed: 32 bytes, 64 hex digits, or a plain key file / key object {seed, public_key?} (an
// encrypted key file must be decrypted first); a public_key given must be the seed's.
function seedOf(seedOrKey) {
  let s = seedOrKey;
  const obj = s && !isBytes(s) && typeof s === 'object' ? s : null;
  if (obj) s = obj.seed;
  if (typeof s === 'string') {
    if (!HEX64.test(s)) throw bad('seed', 'expected 64 lower-case hex digits');
    s = Uint8Array.from(s.match(/../g).map((h) => parseInt(h, 16)));
  }
  if (!isBytes(s) || s.length !== 32) {
    throw new TypeError('seed: expected 32 bytes, 64 hex digits or a key file {seed, public_key}');
  }
  if (obj && obj.public_key !== undefined) {
    const pk = isBytes(obj.public_key) ? toHex(obj.public_key) : obj.public_key;
    if (pk !== toHex(publicKeyFromSeed(s))) throw bad('public_key', 'is not the seed\'s key');
  }
  return s;
}

/** The signed body of a read: METHOD "\n" TARGET "\n" TS (ReadAuthBody). */
export function readAuthBody(method, target, tsMs) {
  return utf8Encode(`${method}\n${target}\n${tsMs}`);
}

/**
 * The Authorization header value of a protected read (ReadAuthHeader):
 *   'Tidemark-Read key=<64 hex>,ts=<ms>,sig=<128 hex>'
 * `seedOrKey`: the 32-byte seed (Uint8Array or 64 hex) or a plain key file / object {seed,
 * public_key?} (checked to match). `target`: the
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
  if (!RECEIVABLE_ID.test(needString(v, field))) {
    throw bad(field, 'not a receivable id (rcv_ + 20 hex)');
  }
  return v;
}

function partId(v, field = 'part') {
  if (!PART_ID.test(needString(v, field))) {
    throw bad(field, 'not a part id (rcv_… or rcv_….k…)');
  }
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
// The contract's bounds (contracts/finance.h).
export const FIN_MAX_TERM_DAYS = 366;
export const FIN_MAX_INVOICES = 64;
export const FIN_MAX_REFS = 16;

function registerArgs(a) {
  object(a, 'args');
  only(a, 'args', ['debtor', 'currency', 'contract', 'invoices', 'issue_date', 'due_date', 'refs',
    'require_delivery']);
  const currency = needString(a.currency, 'currency');
  if (!/^[A-Z]{3}$/.test(currency)) throw bad('currency', 'an ISO 4217 code ([A-Z]{3})');
  const c = object(a.contract, 'contract');
  only(c, 'contract', ['number', 'hash']);
  const seen = new Set();
  let total = 0n;
  const invoices = list(a.invoices, 'invoices', 1, FIN_MAX_INVOICES).map((inv, i) => {
    const f = `invoices[${i}]`;
    object(inv, f);
    only(inv, f, ['number', 'amount', 'tax', 'date', 'hash']);
    const out = {
      number: text(inv.number, `${f}.number`, 128),
      amount: amount(inv.amount, `${f}.amount`),
      tax: amount(inv.tax ?? 0, `${f}.tax`, 0n),
      date: date(inv.date, `${f}.date`),
      hash: hex64(inv.hash, `${f}.hash`),
    };
    // One creditor and debtor per tx: the same number and date is the same invoice key.
    const same = `${normaliseInvoiceNumber(inv.number)} ${out.date}`;
    if (seen.has(same)) throw bad(f, 'the same invoice is listed twice (rule fin-duplicate)');
    seen.add(same);
    total += out.amount;
    if (total > MAX_FIN_AMOUNT) throw bad('invoices', 'the amounts add up to more than 10^15');
    return out;
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
    contract: {
      number: text(c.number, 'contract.number', 128),
      hash: hex64(c.hash, 'contract.hash'),
    },
    invoices,
    issue_date: issue,
    due_date: due,
  };
  if (a.refs !== undefined && a.refs !== null) {
    const ids = new Set();
    out.refs = list(a.refs, 'refs', 0, FIN_MAX_REFS).map((r, i) => {
      const f = `refs[${i}]`;
      object(r, f);
      only(r, f, ['type', 'id']);
      if (!/^[a-z0-9_]{1,32}$/.test(needString(r.type, `${f}.type`))) {
        throw bad(`${f}.type`, '1 to 32 of a-z 0-9 _ (po, desadv)');
      }
      // As the provenance contract indexes a bizTransaction: trimmed, printable, no spaces.
      const id = needString(r.id, `${f}.id`).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const bytes = id.length > 0 ? utf8Encode(id) : new Uint8Array(0);
      if (bytes.length < 1 || bytes.length > 256 || bytes.some((b) => b <= 0x20 || b === 0x7f)) {
        throw bad(`${f}.id`, '1 to 256 printable bytes, no spaces');
      }
      if (ids.has(id)) throw bad(`${f}.id`, 'listed twice');
      ids.add(id);
      return { type: r.type, id };
    });
  }
  if (a.require_delivery !== undefined && a.require_delivery !== null) {
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
  // What the answer says of the header it speaks for must be the certified header.
  const has = (o, f) => Object.hasOwn(o, f);
  if ((has(proof, 'height') && !sameInt(proof.height, v.height)) ||
      (has(proof, 'state_version') && !sameInt(proof.state_version, v.stateVersion)) ||
      (has(proof, 'epoch') && !sameInt(proof.epoch, v.epoch)) ||
      (has(proof, 'block_id') && proof.block_id !== v.blockId) ||
      (has(proof, 'state_root') && proof.state_root !== v.stateRoot)) {
    throw new VerifyError("answer: proof's header fields differ from the certified header");
  }
  const asOf = answer.as_of;
  if (!isObj(asOf)) throw new VerifyError('answer: no as_of');
  if (!sameInt(asOf.height, v.height) || asOf.block_id !== v.blockId ||
      !sameInt(asOf.time_ms, v.timestampMs) ||
      (has(asOf, 'state_version') && !sameInt(asOf.state_version, v.stateVersion))) {
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

// What is proven about a fingerprint / invoice key (`hex`, state key `key`), checked against
// answer[field] ({value: hex, key, state}; value and key optional).
function checkKey(answer, proven, hex, key, field) {
  const f = answer[field];
  if (!isStr(f, 'state')) throw new VerifyError(`answer: no ${field}.state`);
  const claimed = f.state;
  if ((Object.hasOwn(f, 'key') && f.key !== key) ||
      (Object.hasOwn(f, 'value') && f.value !== hex)) {
    throw new VerifyError(`answer: ${field} names another key than the one asked`);
  }
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
  const fpHex = hex64(fingerprint, 'fingerprint');
  const ikHex = hex64(invoiceKey, 'invoiceKey');
  const fpKey = stateKeys.fin.fingerprint(fpHex);
  const ikKey = stateKeys.fin.invoiceKey(ikHex);
  const { v, proven } = provenExactly(answer, trust, [fpKey, ikKey]);
  const checked = ['certificate', 'state_root', 'keys', 'as_of'];
  const fp = checkKey(answer, proven, fpHex, fpKey, 'fingerprint');
  const ik = checkKey(answer, proven, ikHex, ikKey, 'invoice_key');
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
 * Verifies the answer to a receivable read (GET /v1/fin/receivables/{id}?proof=true) for
 * receivable `id`: the bundle verifies from `trust` and proves exactly fin/rcv/<id>, present; the
 * answer's `receivable` (or `record`) re-encoded canonically is the proven value; its id is
 * `id`; `overdue` is what the record and the certified block time say. Returns { ok, record,
 * overdue, height, blockId, timestampMs, signers, quorum, checked }. Throws VerifyError
 * (TypeError / RangeError for a malformed id).
 */
export function verifyReceivableAnswer(answer, trust, id) {
  if (needString(id, 'id') === '' || id.includes(' ')) throw bad('id', 'empty or with a space');
  const key = stateKeys.fin.receivable(id);
  const { v, proven } = provenExactly(answer, trust, [key]);
  const checked = ['certificate', 'state_root', 'keys', 'as_of'];
  const e = proven.get(key);
  if (!e.present) throw new VerifyError(`answer: receivable ${id} is proven absent`);
  if ((Object.hasOwn(answer, 'id') && answer.id !== id) ||
      (Object.hasOwn(answer, 'key') && answer.key !== key)) {
    throw new VerifyError('answer: names another receivable than the one asked');
  }
  // The record as the node serves it ("receivable"), or as "record"; whichever are there.
  let record = null;
  for (const f of ['receivable', 'record']) {
    if (!Object.hasOwn(answer, f)) continue;
    if (!isObj(answer[f])) throw new VerifyError(`answer: ${f} is not an object`);
    const bytes = recordBytes(answer[f], f);
    if (!matches(e, bytes)) throw new VerifyError(`answer: ${f} differs from the proven record`);
    if (record === null) record = valueToJson(decodeValue(bytes));
  }
  if (record === null) throw new VerifyError('answer: no receivable record');
  if (record.id !== id) throw new VerifyError(`answer: the proven record is not receivable ${id}`);
  checked.push('record');
  const overdue = finOverdueAt(record, v.timestampMs);
  if (answer.overdue !== overdue) {
    throw new VerifyError('answer: overdue differs from the proven record and block time');
  }
  checked.push('overdue');
  return { ok: true, record, overdue, ...header(v), checked };
}

// ---- REST (docs/api.md §Finance; every read signed) --------------------------------------------

/** A non-2xx answer of the node: `status`, and the problem+json body (`problem`) if any. */
export class FinApiError extends Error {
  constructor(status, problem, target) {
    const detail = problem && (problem.detail || problem.title);
    super(`${target}: HTTP ${status}${detail ? ` ${detail}` : ''}`);
    this.name = 'FinApiError';
    this.status = status;
    this.problem = problem;
  }
}

/**
 * A connection to a node for the /v1/fin routes: `baseUrl` ('' for same-origin pages), the
 * `chainId` reads are signed for, the reader's `seed` (32 bytes or 64 hex; never sent), and
 * optionally `fetch` and a clock `now` (ms). Reads carry `Authorization: Tidemark-Read ...`.
 *   const conn = finConnection({ baseUrl: 'http://127.0.0.1:8080', chainId, seed });
 */
export function finConnection({ baseUrl = '', chainId, seed, fetch: fetchFn, now } = {}) {
  needString(baseUrl, 'baseUrl');
  needString(chainId, 'chainId');
  const f = fetchFn ?? globalThis.fetch;
  if (typeof f !== 'function') throw new TypeError('fetch: no fetch function available');
  return Object.freeze({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    chainId,
    seed: seed === undefined ? undefined : seedOf(seed),
    fetch: f,
    now: now ?? (() => Date.now()),
  });
}

async function answerOf(res, target) {
  const text = await res.text();
  let body = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (res.status < 200 || res.status >= 300) throw new FinApiError(res.status, body, target);
  if (body === null) throw new FinApiError(res.status, null, `${target}: not JSON`);
  return body;
}

/** GET `target` (path + query, as signed) with a signed-read header; the parsed JSON answer. */
export async function finGet(conn, target) {
  if (conn.seed === undefined) throw new TypeError('seed: a signed read needs the reader\'s key');
  const auth = readAuthHeader(conn.seed, conn.chainId, 'GET', target, Math.floor(conn.now()));
  const res = await conn.fetch(conn.baseUrl + target, {
    method: 'GET',
    headers: { Accept: 'application/json', Authorization: auth },
  });
  return answerOf(res, target);
}

function query(params) {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** GET /v1/fin/check: the states of an invoice's fingerprint and invoice key, with a proof. */
export function finCheck(conn, { fingerprint, invoiceKey } = {}) {
  const target = `/v1/fin/check${query({ fingerprint: hex64(fingerprint, 'fingerprint'),
    invoice_key: hex64(invoiceKey, 'invoiceKey') })}`;
  return finGet(conn, target);
}

/** GET /v1/fin/receivables/{id}[?proof=true] (a party's or the regulator's read). */
export function getReceivable(conn, id, { proof = true } = {}) {
  receivableId(id);
  return finGet(conn, `/v1/fin/receivables/${id}${proof ? '?proof=true' : ''}`);
}

/** GET /v1/fin/receivables/{id}/history: {id, entries, next_cursor, as_of}. */
export function getReceivableHistory(conn, id, { cursor, limit } = {}) {
  receivableId(id);
  return finGet(conn, `/v1/fin/receivables/${id}/history${query({ cursor, limit })}`);
}

/** GET /v1/fin/parties/{org}/receivables: {org, receivables, next_cursor, as_of}. */
export function listPartyReceivables(conn, org, { cursor, limit } = {}) {
  const target = `/v1/fin/parties/${orgId(org, 'org')}/receivables${query({ cursor, limit })}`;
  return finGet(conn, target);
}

/**
 * The bank's check end to end: the invoice's fingerprint computed here (the invoice is never
 * sent), the node asked, the answer verified from `trust`. Returns verifyFinCheckAnswer's result
 * plus { fingerprint, invoiceKey, answer }.
 */
export async function checkInvoice(conn, trust, invoice) {
  const ask = invoiceFingerprint(invoice);
  const answer = await finCheck(conn, ask);
  return { ...verifyFinCheckAnswer(answer, trust, ask), ...ask, answer };
}

/** A receivable read with its proof, verified from `trust` (verifyReceivableAnswer). */
export async function getVerifiedReceivable(conn, trust, id) {
  const answer = await getReceivable(conn, id, { proof: true });
  return { ...verifyReceivableAnswer(answer, trust, id), answer };
}

/**
 * POST /v1/txs of a signed tx (signTransaction). `wait: true` waits for commit (?wait=commit).
 * Returns the node's answer ({id, status, ...}); the id is checked against the tx's own.
 */
export async function submitTx(conn, tx, { wait = false } = {}) {
  const target = `/v1/txs${wait ? '?wait=commit' : ''}`;
  const res = await conn.fetch(conn.baseUrl + target, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ tx: toHex(encodeTransaction(tx)) }),
  });
  const answer = await answerOf(res, target);
  if (answer.id !== toHex(transactionId(tx))) {
    throw new FinApiError(res.status, answer, `${target}: the node answered for another tx id`);
  }
  return answer;
}
