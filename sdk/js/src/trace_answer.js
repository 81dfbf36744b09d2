// trace_answer.js — checks a Digital Link resolver answer (GET /01/...?proof=true as JSON) in the
// reader's own browser: the bundle is verified from the genesis trust anchor, every state key the
// answer depends on is proven, and the facts the page shows are taken from the proven records and
// compared with the answer's own fields (docs/proofs.md).
//
//   const r = verifyTraceAnswer(answer, { chainId, genesis });   // or the /v1/genesis JSON
//   // r = { ok: true, height, stateVersion, epoch, blockId, stateRoot, timestampMs,
//   //       signers: [{index, org, key}], validatorCount, quorum: {signed, of},
//   //       records: {key: json}, facts: {...}, checked: ['product', 'state', ...] }
//   // or throws VerifyError(reason)

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
    origin_country: str(product, 'origin_country') || str(customs, 'origin_country') || null,
    lot,
    recalled: itemRecall ?? lotRecall,
    customs,
    certificates: byPrefix(prov.CERT_PREFIX),
    scans: scans ? { count: scans.count, first_time: scans.first_time } : null,
  };
}

/**
 * Verifies a resolver answer. `trust` = { chainId, genesis } (validator set object, encoding or
 * hex) or the /v1/genesis JSON. Throws VerifyError with the reason on any failure.
 */
export function verifyTraceAnswer(answer, trust) {
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
  if (facts.origin_country !== null) {
    expect('origin_country', answer.origin_country === facts.origin_country);
  }
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
  };
}
