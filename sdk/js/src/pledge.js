// pledge.js — the client side of the pledge registry (docs/finance.md §12-§17), the JS twin of
// the plg section of sdk/client/include/tidemark/client/contract_calls.h: the args of every
// method of the `plg` contract (IP assets and pledges, equity pledges, warehouse receipts),
// checked as far as a client can, the unsigned tx that carries them, record ids, IP asset ids and
// the GB 32100-2015 check of a unified social credit code (USCC).
//
//   const tx = buildPlgTx('eq_apply', { uscc: '91350100M000100Y43', pledgee: 'bank',
//     amount: 400000, debt_amount: '2000000', currency: 'CNY', debt_due: '2027-12-01',
//     contract_hash: hex }, { chainId: 'tidemark-local', nonce: 7n });
//   signTransaction(tx, seed);                       // types.js; POST encodeTransaction(tx)
//   plgRecordId('eqp', transactionId(tx))            // 'eqp_' + 20 hex: the pledge it creates
//   isValidUscc('91350100M000100Y43')                // true
//
// Bad input throws TypeError (wrong JS type) or RangeError (a value the contract would refuse,
// rule plg-args), the message starting with the field's name. Pure and synchronous.

import { isBytes, toHex, utf8Encode } from './bytes.js';
import { MAX_FIN_AMOUNT, isIsoDate } from './finance.js';
import { encodeValue } from './value.js';

export const PLG_CONTRACT = 'plg';
export const IP_KINDS = Object.freeze(['invention', 'utility_model', 'design', 'trademark',
  'copyright', 'software_copyright']);
export const IP_STATUSES = Object.freeze(['valid', 'fee_unpaid', 'invalidation_pending',
  'invalid', 'expired', 'preservation']);
export const IP_PATENT_KINDS = Object.freeze(['invention', 'utility_model', 'design']);
export const PLG_MAX_OWNERS = 8;
export const PLG_MAX_ITEMS = 1000;

const ORG_ID = /^[a-z0-9_-]{1,64}$/;
const IP_NUMBER = /^[A-Z0-9.]{1,32}$/;
const REG_NO = /^[A-Za-z0-9-]{1,64}$/;
const RECORD_PREFIXES = Object.freeze({ ipp: 'IP pledge', eqp: 'equity pledge',
  wr: 'warehouse receipt' });

function bad(field, why) {
  return new RangeError(`${field}: ${why}`);
}

function needString(v, field) {
  if (typeof v !== 'string') throw new TypeError(`${field}: expected a string`);
  return v;
}

function object(v, field) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new TypeError(`${field}: expected an object`);
  }
  return v;
}

function only(o, field, allowed) {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw bad(field, `unknown field "${k}"`);
  }
}

const given = (v) => v !== undefined && v !== null;

// Printable text of 1..max UTF-8 bytes, as the contract's string args (no control characters).
function text(v, field, max = 128) {
  const s = needString(v, field);
  const b = utf8Encode(s);
  if (b.length === 0 || b.length > max) throw bad(field, `1 to ${max} bytes`);
  if (b.some((x) => x < 0x20 || x === 0x7f)) throw bad(field, 'control characters are not allowed');
  return s;
}

function orgId(v, field) {
  if (!ORG_ID.test(needString(v, field))) throw bad(field, 'not an organisation id');
  return v;
}

// 1..max distinct org ids, returned sorted (the contract keeps owners sorted).
function orgList(v, field, max = PLG_MAX_OWNERS) {
  if (!Array.isArray(v)) throw new TypeError(`${field}: expected an array of organisation ids`);
  if (v.length < 1 || v.length > max) throw bad(field, `1 to ${max} organisations`);
  const out = v.map((o, i) => orgId(o, `${field}[${i}]`)).sort();
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) throw bad(field, `${out[i]} is listed twice`);
  }
  return out;
}

function hex64(v, field) {
  if (isBytes(v)) {
    if (v.length !== 32) throw bad(field, 'expected 32 bytes');
    return toHex(v);
  }
  if (!/^[0-9a-fA-F]{64}$/.test(needString(v, field))) throw bad(field, 'expected 64 hex digits');
  return v.toLowerCase();
}

function date(v, field) {
  if (!isIsoDate(needString(v, field))) throw bad(field, 'not a YYYY-MM-DD date');
  return v;
}

/** An amount (minor units, or shares) 1..10^15: bigint, safe number or decimal string. */
function amount(v, field) {
  let n;
  if (typeof v === 'bigint') {
    n = v;
  } else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypeError(`${field}: not a safe integer (use bigint)`);
    n = BigInt(v);
  } else if (typeof v === 'string') {
    if (!/^(0|[1-9][0-9]{0,18})$/.test(v)) {
      throw bad(field, 'expected decimal digits without sign or leading zeros');
    }
    n = BigInt(v);
  } else {
    throw new TypeError(`${field}: expected an integer (bigint, safe number or decimal string)`);
  }
  if (n < 1n || n > MAX_FIN_AMOUNT) throw bad(field, '1 to 10^15');
  return n;
}

function currency(v, field) {
  if (!/^[A-Z]{3}$/.test(needString(v, field))) throw bad(field, 'an ISO 4217 code ([A-Z]{3})');
  return v;
}

function bool(v, field) {
  if (typeof v !== 'boolean') throw new TypeError(`${field}: expected a boolean`);
  return v;
}

function oneOf(values) {
  return (v, field) => {
    if (!values.includes(needString(v, field))) throw bad(field, `one of ${values.join(', ')}`);
    return v;
  };
}

function registrationNo(v, field) {
  if (!REG_NO.test(needString(v, field))) throw bad(field, 'expected [A-Za-z0-9-]{1,64}');
  return v;
}

function recordId(prefix) {
  const re = new RegExp(`^${prefix}_[0-9a-f]{20}$`);
  return (v, field) => {
    if (!re.test(needString(v, field))) {
      throw bad(field, `not a ${RECORD_PREFIXES[prefix]} id (${prefix}_ + 20 hex)`);
    }
    return v;
  };
}

function ipNumber(v, field) {
  const n = needString(v, field).replace(/[a-z]/g, (c) => c.toUpperCase());
  if (!IP_NUMBER.test(n)) throw bad(field, 'expected 1 to 32 of [A-Z0-9.]');
  return n;
}

function assetId(v, field) {
  const s = needString(v, field);
  const colon = s.indexOf(':');
  if (colon < 0 || !IP_KINDS.includes(s.slice(0, colon))) {
    throw bad(field, `not an IP asset id <kind>:<number> (kind one of ${IP_KINDS.join(', ')})`);
  }
  return `${s.slice(0, colon)}:${ipNumber(s.slice(colon + 1), field)}`;
}

function items(v, field) {
  if (!Array.isArray(v)) throw new TypeError(`${field}: expected an array of item ids`);
  if (v.length < 1 || v.length > PLG_MAX_ITEMS) throw bad(field, `1 to ${PLG_MAX_ITEMS} ids`);
  return v.map((x, i) => text(x, `${field}[${i}]`, 256));
}

// ---- Identifiers --------------------------------------------------------------------------------

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * The GB 32100-2015 check character of the first 17 characters of a USCC (weights 1, 3, 9, …;
 * check = 31 − Σ mod 31, 31 → 0), or null if they are not 17 of 0-9A-HJ-NP-RTUW-Y.
 */
export function usccCheckChar(first17) {
  if (typeof first17 !== 'string' || first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARS.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * USCC_WEIGHTS[i];
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31];
}

/** True iff `u` is 18 characters of 0-9A-HJ-NP-RTUW-Y whose last is the check character. */
export function isValidUscc(u) {
  return typeof u === 'string' && u.length === 18 && USCC_CHARS.includes(u[17]) &&
    usccCheckChar(u.slice(0, 17)) === u[17];
}

function uscc(v, field) {
  if (!isValidUscc(needString(v, field))) {
    throw bad(field, `${v} is not a unified social credit code (18 characters of ` +
      '0-9A-HJ-NP-RTUW-Y with the GB 32100-2015 check character)');
  }
  return v;
}

/** An IP asset id `<kind>:<number>` (the number upper-cased), as the registry keys it. */
export function ipAssetId(kind, number) {
  oneOf(IP_KINDS)(kind, 'kind');
  return `${kind}:${ipNumber(number, 'number')}`;
}

/** The id of the record a creating tx makes: `<prefix>_` + the first 20 hex digits of its id. */
export function plgRecordId(prefix, txId) {
  if (!Object.hasOwn(RECORD_PREFIXES, prefix)) throw bad('prefix', 'one of ipp, eqp, wr');
  return `${prefix}_${hex64(txId, 'txId').slice(0, 20)}`;
}

// ---- Contract args (docs/finance.md §13-§15) --------------------------------------------------

// {field: [check, required]}; optional fields are sent only when given.
function method(fields, post = (o) => o) {
  return (a) => {
    object(a, 'args');
    only(a, 'args', Object.keys(fields));
    const out = {};
    for (const [k, [check, required]] of Object.entries(fields)) {
      if (given(a[k])) {
        out[k] = check(a[k], k);
      } else if (required) {
        throw bad(k, 'required');
      }
    }
    return post(out);
  };
}

const req = (check) => [check, true];
const opt = (check) => [check, false];
const ipp = recordId('ipp');
const eqp = recordId('eqp');
const wr = recordId('wr');

function annuityForPatents(o, kind) {
  if (o.annuity_paid_until !== undefined && !IP_PATENT_KINDS.includes(kind)) {
    throw bad('annuity_paid_until', `annuities apply to the patent kinds only, not ${kind}`);
  }
  return o;
}

function consentTo(v, field) {
  // transfer: the new owners, sorted, joined by ","; licence: the licensee. A list is joined here.
  if (Array.isArray(v)) return orgList(v, field).join(',');
  const parts = needString(v, field).split(',');
  return orgList(parts, field).join(',');
}

/**
 * The args of each method of the `plg` contract as a Value-ready object (integers as bigint),
 * checked as far as a client can (the contract checks the rest).
 *   plgArgs.wr_release({ receipt: 'wr_…', quantity: 10 })
 */
export const plgArgs = Object.freeze({
  ip_asset_register: method({
    kind: req(oneOf(IP_KINDS)),
    number: req(ipNumber),
    title: req((v, f) => text(v, f, 256)),
    owners: req((v, f) => orgList(v, f)),
    filing_date: req(date),
    grant_date: opt(date),
    expiry_date: req(date),
    annuity_paid_until: opt(date),
    status: req(oneOf(IP_STATUSES)),
  }, (o) => {
    // As plg_ip.cc: grant and expiry not before filing; annuities for the patent kinds only.
    if (o.grant_date !== undefined && o.grant_date < o.filing_date) {
      throw bad('grant_date', 'before filing_date');
    }
    if (o.expiry_date < o.filing_date) throw bad('expiry_date', 'before filing_date');
    return annuityForPatents(o, o.kind);
  }),
  ip_asset_update: method({
    asset: req(assetId),
    status: opt(oneOf(IP_STATUSES)),
    annuity_paid_until: opt(date),
    expiry_date: opt(date),
    grant_date: opt(date),
  }, (o) => {
    if (Object.keys(o).length === 1) {
      throw bad('args', 'give at least one of status, annuity_paid_until, expiry_date, grant_date');
    }
    return annuityForPatents(o, o.asset.slice(0, o.asset.indexOf(':')));
  }),
  ip_transfer: method({ asset: req(assetId), to: req((v, f) => orgList(v, f)) }),
  ip_licence: method({ asset: req(assetId), licensee: req(orgId), contract_hash: req(hex64) }),
  ip_pledgee_consent: method({
    pledge: req(ipp),
    action: req(oneOf(['transfer', 'licence'])),
    to: req(consentTo),
  }, (o) => {
    if (o.action === 'licence' && o.to.includes(',')) {
      throw bad('to', 'a licence names one licensee');
    }
    return o;
  }),
  ip_apply: method({
    asset: req(assetId),
    pledgee: req(orgId),
    debt_amount: req(amount),
    currency: req(currency),
    debt_start: req(date),
    debt_due: req(date),
    contract_hash: req(hex64),
  }, (o) => {
    if (o.debt_due < o.debt_start) throw bad('debt_due', 'before debt_start');
    return o;
  }),
  ip_accept: method({ pledge: req(ipp), acknowledge_invalidation: opt(bool) }),
  ip_consent: method({ pledge: req(ipp) }),
  ip_register: method({ pledge: req(ipp), registration_no: req(registrationNo) }),
  ip_change: method({
    pledge: req(ipp),
    debt_amount: opt(amount),
    debt_due: opt(date),
    application_hash: req(hex64),
  }),
  ip_object: method({ pledge: req(ipp), reason_hash: req(hex64) }),
  ip_resolve_objection: method({ pledge: req(ipp), upheld: req(bool) }),
  ip_release: method({ pledge: req(ipp) }),
  ip_enforce: method({ pledge: req(ipp), to: req((v, f) => orgList(v, f)) }),
  ip_expire: method({ pledge: req(ipp) }),
  ip_withdraw: method({ pledge: req(ipp) }),
  review: method({ subject: req(assetId) }),
  eq_holding: method({
    org: req(orgId),
    uscc: req(uscc),
    company: req((v, f) => text(v, f, 256)),
    listed: req(bool),
    amount: req(amount),
  }),
  eq_apply: method({
    uscc: req(uscc),
    pledgee: req(orgId),
    amount: req(amount),
    debt_amount: req(amount),
    currency: req(currency),
    debt_due: req(date),
    contract_hash: req(hex64),
  }),
  eq_accept: method({ pledge: req(eqp) }),
  eq_register: method({ pledge: req(eqp), registration_no: req(registrationNo) }),
  eq_change: method({
    pledge: req(eqp),
    amount: opt(amount),
    debt_amount: opt(amount),
    debt_due: opt(date),
    application_hash: req(hex64),
  }),
  eq_release: method({ pledge: req(eqp) }),
  eq_enforce: method({ pledge: req(eqp) }),
  eq_withdraw: method({ pledge: req(eqp) }),
  wr_issue: method({
    items: req(items),
    depositor: opt(orgId),
    description: opt((v, f) => text(v, f, 1024)),
  }),
  wr_offer: method({
    receipt: req(wr),
    bank: req(orgId),
    amount: req(amount),
    currency: req(currency),
    debt_due: req(date),
  }),
  wr_accept: method({ receipt: req(wr) }),
  wr_release: method({
    receipt: req(wr),
    items: opt(items),
    quantity: opt((v, f) => {
      const n = amount(v, f);
      if (n > BigInt(PLG_MAX_ITEMS)) throw bad(f, `1 to ${PLG_MAX_ITEMS}`);
      return n;
    }),
  }, (o) => {
    if (('items' in o) === ('quantity' in o)) throw bad('args', 'exactly one of items, quantity');
    return o;
  }),
  wr_cancel: method({ receipt: req(wr) }),
  wr_transfer: method({ receipt: req(wr), to: req(orgId) }),
});

/** The methods of the `plg` contract. */
export const PLG_METHODS = Object.freeze(Object.keys(plgArgs));

/**
 * An unsigned `plg` transaction (types.js shape) with the method's args checked and encoded;
 * sign it with signTransaction(tx, seed).
 */
export function buildPlgTx(methodName, args, { chainId, nonce, expiryHeight = null } = {}) {
  if (!Object.hasOwn(plgArgs, methodName)) throw bad('method', `not a plg method: ${methodName}`);
  needString(chainId, 'chainId');
  const n = nonceOf(nonce, 'nonce');
  return {
    chain_id: chainId,
    nonce: n,
    contract: PLG_CONTRACT,
    method: methodName,
    args: encodeValue(plgArgs[methodName](args)),
    expiry_height: expiryHeight === null ? null : nonceOf(expiryHeight, 'expiryHeight'),
  };
}

function nonceOf(v, field) {
  if (typeof v === 'bigint') {
    if (v < 0n) throw bad(field, 'not negative');
    return v;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^(0|[1-9][0-9]{0,19})$/.test(v)) return BigInt(v);
  throw new TypeError(`${field}: expected a non-negative integer`);
}
