// state_keys.js — the state-key layout of the built-in contracts, the JS twin of
// sdk/include/tidemark/state_keys/*.h (docs/contracts.md, "State key layout"). The C++ headers
// are the one source: the contracts write with them, and the "state_keys" vectors of
// tests/vectors/vectors.json, generated from them, pin every builder and constant here
// (test/state_keys.test.js fails on a name one side has and the other has not).
//
//   stateKeys.prov.obj('/01/09506000134352/21/SER-1')  // 'prov/obj//01/09506000134352/21/SER-1'
//   stateKeys.gov.VALIDATORS                           // 'gov/validators'
//   stateKeys.fin.fingerprint(fpHex)                   // 'fin/fp/<fp hex>'
//   key.startsWith(stateKeys.prov.CERT_PREFIX)
//
// Names follow the C++ ones: state_keys::prov::Obj is prov.obj, kObjPrefix is prov.OBJ_PREFIX.
// Identifiers are strings; sequence numbers and times are bigint, safe-integer numbers or decimal
// strings; public keys are 32 bytes or 64 lower-case hex digits. Anything else throws TypeError
// or RangeError (a key that the contracts could never have written).

import { isBytes, toHex } from './bytes.js';

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function integer(v, what) {
  let n;
  if (typeof v === 'bigint') {
    n = v;
  } else if (typeof v === 'number' && Number.isSafeInteger(v)) {
    n = BigInt(v);
  } else if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) {
    n = BigInt(v);
  } else {
    throw new TypeError(`${what}: expected an integer (bigint, safe number or decimal string)`);
  }
  return n;
}

function str(v, what) {
  if (typeof v !== 'string') throw new TypeError(`${what}: expected a string`);
  return v;
}

function keyHex(v, what = 'public key') {
  if (isBytes(v)) {
    if (v.length !== 32) throw new TypeError(`${what}: expected 32 bytes`);
    return toHex(v);
  }
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) {
    throw new TypeError(`${what}: expected 32 bytes or 64 lower-case hex digits`);
  }
  return v;
}

/** A sequence number as at least 16 decimal digits, zero-padded (state_keys::SeqPart). */
function seqPart(n) {
  const v = integer(n, 'sequence number');
  if (v < 0n || v > U64_MAX) throw new RangeError('sequence number: outside 0 .. 2^64 - 1');
  return v.toString().padStart(16, '0');
}

/** A time in ms as 20 decimal digits of (ms XOR 2^63), sortable (state_keys::TimePart). */
function timePart(ms) {
  const v = integer(ms, 'time');
  if (v < I64_MIN || v > I64_MAX) throw new RangeError('time: outside the int64 range');
  return (BigInt.asUintN(64, v) ^ (1n << 63n)).toString().padStart(20, '0');
}

const sys = Object.freeze({
  PREFIX: 'sys/',
  NONCE_PREFIX: 'sys/nonce/',
  nonce: (signer) => `sys/nonce/${keyHex(signer, 'signer')}`,
  GENESIS: 'sys/genesis',
});

const identity = Object.freeze({
  PREFIX: 'identity/',
  ORG_PREFIX: 'identity/org/',
  org: (orgId) => `identity/org/${str(orgId, 'org id')}`,
  KEY_PREFIX: 'identity/key/',
  key: (key) => `identity/key/${keyHex(key)}`,
  ORG_KEY_PREFIX: 'identity/orgkey/',
  orgKeyPrefix: (orgId) => `identity/orgkey/${str(orgId, 'org id')}/`,
  orgKey: (orgId, key) => `identity/orgkey/${str(orgId, 'org id')}/${keyHex(key)}`,
});

const gov = Object.freeze({
  PREFIX: 'gov/',
  NEXT_PROPOSAL: 'gov/next_proposal',
  PROPOSAL_PREFIX: 'gov/proposal/',
  proposal: (id) => `gov/proposal/${seqPart(id)}`,
  VALIDATORS: 'gov/validators',
  VALIDATORS_PENDING: 'gov/validators_pending',
  PARAM_PREFIX: 'gov/param/',
  param: (name) => `gov/param/${str(name, 'parameter name')}`,
});

const prov = Object.freeze({
  PREFIX: 'prov/',
  NEXT_SEQ: 'prov/next_seq',
  EVENT_PREFIX: 'prov/event/',
  event: (seq) => `prov/event/${seqPart(seq)}`,
  EVENT_ID_PREFIX: 'prov/eventid/',
  eventId: (eventId) => `prov/eventid/${str(eventId, 'event id')}`,
  ERR_PREFIX: 'prov/err/',
  err: (eventId) => `prov/err/${str(eventId, 'event id')}`,
  INDEX_PREFIX: 'prov/ix/',
  indexPrefix: (index, value) => `prov/ix/${str(index, 'index')}/${str(value, 'value')} `,
  index: (index, value, seq) =>
    `prov/ix/${str(index, 'index')}/${str(value, 'value')} ${seqPart(seq)}`,
  TIME_INDEX_PREFIX: 'prov/ix/time/',
  timeIndexFrom: (ms) => `prov/ix/time/${timePart(ms)}`,
  EDGE_PREFIX: 'prov/g/',
  edgePrefix: (rel, from) => `prov/g/${str(rel, 'relation')}/${str(from, 'from')} `,
  edge: (rel, from, to) => `prov/g/${str(rel, 'relation')}/${str(from, 'from')} ${str(to, 'to')}`,
  OBJ_PREFIX: 'prov/obj/',
  obj: (id) => `prov/obj/${str(id, 'id')}`,
  LOT_PREFIX: 'prov/lot/',
  lot: (lotId) => `prov/lot/${str(lotId, 'lot id')}`,
  lotPrefixOfProduct: (gtin14) => `prov/lot//01/${str(gtin14, 'gtin')}/10/`,
  PRODUCT_PREFIX: 'prov/product/',
  product: (gtin14) => `prov/product/${str(gtin14, 'gtin')}`,
  LOCATION_PREFIX: 'prov/location/',
  location: (id) => `prov/location/${str(id, 'location id')}`,
  PARTY_PREFIX: 'prov/party/',
  party: (id) => `prov/party/${str(id, 'party id')}`,
  CUSTOMS_PREFIX: 'prov/customs/',
  customs: (declarationNo) => `prov/customs/${str(declarationNo, 'declaration no')}`,
  CERT_PREFIX: 'prov/cert/',
  cert: (id) => `prov/cert/${str(id, 'certificate id')}`,
  RECALL_PREFIX: 'prov/recall/',
  recall: (id) => `prov/recall/${str(id, 'recall id')}`,
  SCAN_PREFIX: 'prov/scan/',
  scan: (id) => `prov/scan/${str(id, 'id')}`,
  DELEG_PREFIX: 'prov/deleg/',
  deleg: (scope, org) => `prov/deleg/${str(scope, 'scope')} ${str(org, 'org')}`,
});

function u32(v, what) {
  const n = integer(v, what);
  if (n < 0n || n > 0xffffffffn) throw new RangeError(`${what}: outside 0 .. 2^32 - 1`);
  return n.toString().padStart(8, '0');
}

const fin = Object.freeze({
  PREFIX: 'fin/',
  RECEIVABLE_PREFIX: 'fin/rcv/',
  receivable: (id) => `fin/rcv/${str(id, 'receivable id')}`,
  FINGERPRINT_PREFIX: 'fin/fp/',
  fingerprint: (fpHex) => `fin/fp/${str(fpHex, 'fingerprint')}`,
  INVOICE_KEY_PREFIX: 'fin/ik/',
  invoiceKey: (ikHex) => `fin/ik/${str(ikHex, 'invoice key')}`,
  FINGERPRINT_ID_PREFIX: 'fin/fpid/',
  fingerprintId: (fpHex) => `fin/fpid/${str(fpHex, 'fingerprint')}`,
  PARTY_PREFIX: 'fin/party/',
  partyPrefix: (org) => `fin/party/${str(org, 'org')} `,
  party: (org, id) => `fin/party/${str(org, 'org')} ${str(id, 'receivable id')}`,
  HISTORY_PREFIX: 'fin/hist/',
  historyPrefix: (id) => `fin/hist/${str(id, 'receivable id')} `,
  history: (id, seq) => `fin/hist/${str(id, 'receivable id')} ${seqPart(seq)}`,
  ATTEMPT_PREFIX: 'fin/attempt/',
  attemptPrefix: (fpHex) => `fin/attempt/${str(fpHex, 'fingerprint')} `,
  attempt: (fpHex, height, index) =>
    `fin/attempt/${str(fpHex, 'fingerprint')} ${seqPart(height)} ${u32(index, 'index')}`,
});

// The keys both finance contracts share, under `ns` ('fin/' or 'plg/'): alerts, their
// de-duplication marks and the history log (state_keys/alerts.h).
const alerts = Object.freeze({
  alertPrefix: (ns) => `${str(ns, 'namespace')}alert/`,
  alert: (ns, height, index, k) =>
    `${str(ns, 'namespace')}alert/${seqPart(height)} ${seqPart(index)} ${seqPart(k)}`,
  alerted: (ns, kind, subject) =>
    `${str(ns, 'namespace')}alerted/${str(kind, 'kind')} ${str(subject, 'subject')}`,
  histLogPrefix: (ns) => `${str(ns, 'namespace')}hlog/`,
  histLogFrom: (ns, ms) => `${str(ns, 'namespace')}hlog/${timePart(ms)}`,
  histLog: (ns, ms, height, index, k) =>
    `${str(ns, 'namespace')}hlog/${timePart(ms)} ${seqPart(height)} ${seqPart(index)} ` +
    `${seqPart(k)}`,
});

// The pledge registry (state_keys/pledge.h).
const plg = Object.freeze({
  PREFIX: 'plg/',
  IP_ASSET_PREFIX: 'plg/ip/asset/',
  ipAsset: (assetId) => `plg/ip/asset/${str(assetId, 'asset id')}`,
  OWNER_PREFIX: 'plg/ip/owner/',
  ownerPrefix: (org) => `plg/ip/owner/${str(org, 'org')} `,
  owner: (org, assetId) => `plg/ip/owner/${str(org, 'org')} ${str(assetId, 'asset id')}`,
  IP_PLEDGE_PREFIX: 'plg/ip/pledge/',
  ipPledge: (id) => `plg/ip/pledge/${str(id, 'pledge id')}`,
  ipConsent: (id, action, to) =>
    `plg/ip/consent/${str(id, 'pledge id')} ${str(action, 'action')} ${str(to, 'to')}`,
  EQ_PLEDGE_PREFIX: 'plg/eq/pledge/',
  eqPledge: (id) => `plg/eq/pledge/${str(id, 'pledge id')}`,
  HOLDING_PREFIX: 'plg/eq/holding/',
  holdingPrefix: (org) => `plg/eq/holding/${str(org, 'org')} `,
  holding: (org, uscc) => `plg/eq/holding/${str(org, 'org')} ${str(uscc, 'uscc')}`,
  RECEIPT_PREFIX: 'plg/wr/receipt/',
  receipt: (id) => `plg/wr/receipt/${str(id, 'receipt id')}`,
  RECEIPT_ITEM_PREFIX: 'plg/wr/item/',
  receiptItem: (objId) => `plg/wr/item/${str(objId, 'object id')}`,
  ENC_PREFIX: 'plg/enc/',
  encIp: (assetId) => `plg/enc/ip/${str(assetId, 'asset id')}`,
  encEquity: (org, uscc) => `plg/enc/eq/${str(org, 'org')} ${str(uscc, 'uscc')}`,
  encReceipt: (id) => `plg/enc/wr/${str(id, 'receipt id')}`,
  GAZETTE_PREFIX: 'plg/gazette/',
  gazette: (regNo) => `plg/gazette/${str(regNo, 'registration number')}`,
  PARTY_PREFIX: 'plg/party/',
  partyPrefix: (org) => `plg/party/${str(org, 'org')} `,
  party: (org, id) => `plg/party/${str(org, 'org')} ${str(id, 'record id')}`,
  HISTORY_PREFIX: 'plg/hist/',
  historyPrefix: (id) => `plg/hist/${str(id, 'record id')} `,
  history: (id, seq) => `plg/hist/${str(id, 'record id')} ${seqPart(seq)}`,
});

/** The layout: stateKeys.{seqPart, timePart, sys, identity, gov, prov, fin, alerts, plg}. */
export const stateKeys = Object.freeze({
  seqPart,
  timePart,
  sys,
  identity,
  gov,
  prov,
  fin,
  alerts,
  plg,
});
