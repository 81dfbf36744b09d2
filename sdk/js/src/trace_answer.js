// trace_answer.js — checks a Digital Link resolver answer (GET /01/...?proof=true as JSON) in the
// reader's own browser: the bundle is verified from the genesis trust anchor, every state key the
// answer depends on is proven, and the facts the page shows are taken from the proven records and
// compared with the answer's own fields (docs/proofs.md).
//
//   const r = verifyTraceAnswer(answer, { chainId, genesis });   // or the /v1/genesis JSON
//   // r = { ok: true, height, stateVersion, epoch, blockId, stateRoot, timestampMs,
//   //       signers: [{index, org, key}], validatorCount, quorum: {signed, of},
//   //       records: {key: json}, facts: {...}, checked: ['product', 'state', ...] }
//   //       warnings: [{kind, params}], origin_country, disagreements: [{field, answer, proven}] }
//   // or throws VerifyError(reason)
//
// What the reader is warned about and the origin are derived from the proven records only
// (deriveTraceWarnings, deriveOrigin — the twins of sdk/src/trace_answer.cc, pinned by
// tests/vectors/trace_warnings_vectors.json). The answer's own `warnings` and `origin_country`
// are unproven: a difference from the derived ones is listed in `disagreements`, never trusted.

import { bytesEqual, utf8Decode } from './bytes.js';
import { sha256 } from './hash.js';
import { verifyStateBundleBytes } from './proof_bundle.js';
import { stateKeys } from './state_keys.js';
import { VerifyError } from './types.js';
import { decodeValue, encodeValue, valueFromJson, valueToJson } from './value.js';

// JSON text with object keys sorted, so two equal documents compare equal whatever their order.
function canonical(v) {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}

const same = (a, b) => canonical(a) === canonical(b);
const str = (rec, f) => (rec && typeof rec[f] === 'string' ? rec[f] : '');
const { prov } = stateKeys;
// The answer's id ('' when it has none, as in the C++ verifier).
const idOf = (answer) => (typeof answer.id === 'string' ? answer.id : '');

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
// An integer field (0 when absent or not an integer), as the C++ Int().
function int(rec, f) {
  const v = isObj(rec) ? rec[f] : undefined;
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' && Number.isInteger(v) ? v : 0;
}
const timelineOf = (item) => (isObj(item) && Array.isArray(item.timeline) ? item.timeline : []);
const firstWithPrefix = (records, prefix) => {
  const k = Object.keys(records).sort().find((key) => key.startsWith(prefix));
  return k === undefined ? null : records[k];
};
// The eventTime of the timeline entry that last moved the item into `state` (later entries that
// leave it there, such as a recall of a sold item, do not count).
function timeOfState(item, state) {
  let t = '';
  let prev = '';
  for (const e of timelineOf(item)) {
    if (str(e, 'state') === state && prev !== state) t = str(e, 'eventTime');
    prev = str(e, 'state');
  }
  return t;
}

/**
 * The warnings a reader of item `id` must see, from proven records only ({stateKey: record}),
 * as [{kind, params}] in a fixed order: recalled {recall_id, lot, reason}, customs_hold
 * {declaration, status}, sold {time}, destroyed {time}, non_conformant {lot}, expired
 * {expiry_date} (only when asOfMs > 0), scanned {count, first_time}. Twin of
 * DeriveTraceWarnings (sdk/src/trace_answer.cc); docs/proofs.md "Warnings".
 */
export function deriveTraceWarnings(id, records, asOfMs = 0) {
  const item = records[prov.obj(id)] ?? null;
  const lot = firstWithPrefix(records, prov.LOT_PREFIX);
  const scans = records[prov.scan(id)] ?? null;
  const out = [];
  const itemRecall = item && isObj(item.recalled) ? item.recalled : null;
  const lotRecall = lot && isObj(lot.recalled) ? lot.recalled : null;
  if (itemRecall) {
    out.push({ kind: 'recalled', params: { recall_id: str(itemRecall, 'recall_id'),
      lot: str(itemRecall, 'lot'), reason: lotRecall ? str(lotRecall, 'reason') : '' } });
  } else if (lotRecall) {
    out.push({ kind: 'recalled', params: { recall_id: str(lotRecall, 'recall_id'), lot: str(lot, 'id'),
      reason: str(lotRecall, 'reason') } });
  }
  if (item) {
    const state = str(item, 'state');
    const mode = str(item, 'import_mode');
    const status = str(item, 'customs_status');
    // Under customs control until a release covers it (as the C++ twin).
    const held = ['CUSTOMS_HOLD', 'INSPECTED', 'CUSTOMS_REJECTED'].includes(state)
      || ((state === 'IN_BONDED_WAREHOUSE' || mode === '1210' || mode === '9610') && status !== 'RELEASED');
    if (held) out.push({ kind: 'customs_hold', params: { declaration: str(item, 'customs'), status: status || state } });
    if (state === 'SOLD') out.push({ kind: 'sold', params: { time: timeOfState(item, 'SOLD') } });
    if (state === 'DESTROYED') out.push({ kind: 'destroyed', params: { time: timeOfState(item, 'DESTROYED') } });
  }
  if (lot) {
    if (str(lot, 'conformance') === 'non_conformant') out.push({ kind: 'non_conformant', params: { lot: str(lot, 'id') } });
    const asOf = Number(asOfMs);
    if (asOf > 0 && str(lot, 'expiry_date') !== '' && 'expiry_day' in lot
      && (int(lot, 'expiry_day') + 1) * 86400000 <= asOf) {
      out.push({ kind: 'expired', params: { expiry_date: str(lot, 'expiry_date') } });
    }
  }
  if (scans) out.push({ kind: 'scanned', params: { count: int(scans, 'count'), first_time: str(scans, 'first_time') } });
  return out;
}

/**
 * The origin country from proven records: the ILMD countryOfOrigin of the item's commissioning
 * event when its record is proven, else the product's origin_country, else the customs
 * declaration's ('' when none). Twin of DeriveOrigin.
 */
export function deriveOrigin(id, records) {
  for (const e of timelineOf(records[prov.obj(id)])) {
    if (str(e, 'bizStep') !== 'commissioning' || int(e, 'seq') <= 0) continue;
    const rec = records[prov.event(int(e, 'seq'))];
    const ilmd = isObj(rec) && isObj(rec.event) && isObj(rec.event.ilmd) ? rec.event.ilmd : null;
    if (!ilmd) continue;
    for (const k of Object.keys(ilmd).sort()) {
      const named = k === 'countryOfOrigin' || k.endsWith(':countryOfOrigin') || k.endsWith('#countryOfOrigin');
      if (named && typeof ilmd[k] === 'string' && ilmd[k] !== '') return ilmd[k];
    }
  }
  return str(firstWithPrefix(records, prov.PRODUCT_PREFIX), 'origin_country')
    || str(firstWithPrefix(records, prov.CUSTOMS_PREFIX), 'origin_country');
}

// The key facts a consumer page shows, from proven records only.
function factsFrom(answer, records) {
  const byPrefix = (prefix) =>
    Object.entries(records).filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
  const item = records[prov.obj(idOf(answer))] ?? null;
  const product = byPrefix(prov.PRODUCT_PREFIX)[0] ?? null;
  const lot = byPrefix(prov.LOT_PREFIX)[0] ?? null;
  const customs = byPrefix(prov.CUSTOMS_PREFIX)[0] ?? null;
  const scans = records[prov.scan(idOf(answer))] ?? null;
  const itemRecall = item && item.recalled ? item.recalled : null;
  const lotRecall = lot && lot.recalled ? lot.recalled : null;
  return {
    id: answer.id,
    tracked: item !== null,
    state: str(item, 'state') || null,
    custody: str(item, 'custody') || null,
    location: str(item, 'location') || null,
    import_mode: str(item, 'import_mode') || null,
    customs_status: str(item, 'customs_status') || null,
    timeline: item && Array.isArray(item.timeline) ? item.timeline : [],
    product,
    origin_country: deriveOrigin(idOf(answer), records) || null,
    lot,
    recalled: itemRecall ?? lotRecall,
    customs,
    certificates: byPrefix(prov.CERT_PREFIX),
    scans: scans ? { count: scans.count, first_time: scans.first_time } : null,
  };
}

/**
 * Verifies a resolver answer. `trust` = { chainId, genesis } (validator set object, encoding or
 * hex) or the /v1/genesis JSON. `options.asOfMs` is the reader's time for the expiry warning
 * (default: the answer's own as_of_ms). Throws VerifyError with the reason on any failure.
 */
export function verifyTraceAnswer(answer, trust, options = {}) {
  if (!answer || typeof answer !== 'object') throw new VerifyError('answer: not an object');
  const proof = answer.proof;
  if (!proof || typeof proof.bundle !== 'string') {
    throw new VerifyError('answer: carries no proof bundle (ask with ?proof=true)');
  }
  const v = verifyStateBundleBytes(trust, proof.bundle);
  const checked = ['certificate', 'state_root'];

  // Every key the answer says it read is proven present; nothing else is in the bundle.
  const wanted = Array.isArray(answer.state_keys) ? answer.state_keys : [];
  const proven = new Map(v.entries.map((e) => [utf8Decode(e.key), e]));
  for (const k of wanted) {
    if (!proven.has(k)) throw new VerifyError(`answer: state key ${k} is not proven`);
    if (!proven.get(k).present) throw new VerifyError(`answer: state key ${k} is proven absent`);
  }
  if (proven.size !== wanted.length) {
    throw new VerifyError('answer: the bundle proves keys the answer does not name');
  }
  checked.push('state_keys');
  // Records: from the bundle's values, or (hash-only bundles, what the resolver serves) the
  // answer's "records" re-encoded canonically and matched against the proven hashes.
  const shipped = answer.records && typeof answer.records === 'object' ? answer.records : null;
  const records = {};
  for (const [k, e] of proven) {
    let bytes = e.value;
    if (bytes === null) {
      if (!shipped || !(k in shipped)) throw new VerifyError(`answer: no record shipped for ${k}`);
      try {
        bytes = encodeValue(valueFromJson(shipped[k]));
      } catch {
        throw new VerifyError(`answer: record ${k} is not a Value`);
      }
    }
    if (!bytesEqual(sha256(bytes), e.valueHash)) {
      throw new VerifyError(`answer: record ${k} is not the proven one`);
    }
    try {
      records[k] = valueToJson(decodeValue(bytes));
    } catch {
      throw new VerifyError(`answer: record ${k} is not a canonical Value`);
    }
  }
  if (shipped) checked.push('records');
  const facts = factsFrom(answer, records);

  // The answer's own fields must be what the proven records say.
  const expect = (field, ok) => {
    if (!ok) throw new VerifyError(`answer: ${field} differs from the proven record`);
    checked.push(field);
  };
  if (answer.tracked === true && !facts.tracked) {
    throw new VerifyError('answer: claims a tracked item but its record is not proven');
  }
  const item = records[prov.obj(idOf(answer))];
  if (item) {
    for (const f of ['state', 'custody', 'location', 'parent', 'import_mode', 'customs_status']) {
      expect(f, (answer[f] ?? '') === str(item, f));
    }
    expect('timeline', same(answer.timeline, item.timeline));
  }
  for (const [field, value] of [['product', facts.product], ['lot', facts.lot],
    ['customs', facts.customs], ['scans', records[prov.scan(idOf(answer))] ?? null]]) {
    if (value !== null) expect(field, same(answer[field], value));
  }
  const mine = facts.certificates.map(canonical).sort();
  const theirs = (Array.isArray(answer.certificates) ? answer.certificates : []).map(canonical).sort();
  expect('certificates', same(mine, theirs));
  // Derived from the proven records; the answer's own (unproven) summary is only compared.
  const answerAsOf = Number.isInteger(answer.as_of_ms) ? answer.as_of_ms : 0;
  const asOf = Number(options.asOfMs) > 0 ? Number(options.asOfMs) : answerAsOf;
  const warnings = deriveTraceWarnings(idOf(answer), records, asOf);
  const nodeView = deriveTraceWarnings(idOf(answer), records, answerAsOf > 0 ? answerAsOf : asOf);
  const disagreements = [];
  const claimed = answer.warnings === undefined ? [] : answer.warnings;
  const texts = (list) => (Array.isArray(list) ? list.map(canonical).sort() : null);
  if (!Array.isArray(claimed) || !same(texts(claimed), texts(nodeView))) {
    disagreements.push({ field: 'warnings', answer: claimed, proven: nodeView });
  }
  const origin = facts.origin_country ?? '';
  if (str(answer, 'origin_country') !== origin) {
    disagreements.push({ field: 'origin_country', answer: answer.origin_country ?? null, proven: origin });
  }
  if (item && !same(answer.children ?? null, item.children ?? null)) {
    disagreements.push({ field: 'children', answer: answer.children ?? null, proven: item.children ?? null });
  }
  facts.warnings = warnings;
  if (proof.height !== undefined && Number(proof.height) !== v.height) {
    throw new VerifyError('answer: proof.height differs from the certified header');
  }
  const { entries, ...header } = v;
  void entries;
  return {
    ok: true,
    ...header,
    quorum: { signed: v.signers.length, of: v.validatorCount },
    keys: [...proven.keys()],
    records,
    facts,
    checked,
    warnings,
    origin_country: origin,
    disagreements,
  };
}
