// plg.js — the pledge registry pages' pure helpers (no DOM, unit-tested in node): what a gazette
// entry shows, the state key of a pledge record, checking a single-key answer (gazette entry,
// pledge record) against its proof bundle, the borrower view's standings, and the regulator's
// export query (docs/finance.md §12-§17).
//
//   const v = verifyKeyAnswer(answer, genesis, { key: gazetteKey(no), field: 'entry' });
//   gazetteRows(v.value)              // [[label, text]...]: exactly what the registry publishes
//   exportQuery({ from: '2026-12-01', to: '2026-12-05', format: 'csv' })
import * as tm from '../../sdk/js/src/index.js';

export class PlgInputError extends Error {}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const sameInt = (v, want) => (typeof v === 'number' || typeof v === 'bigint') && BigInt(v) === BigInt(want);

// ---- identifiers --------------------------------------------------------------------------------

export const RECORD_ID = /^(?:ipp|eqp|wr)_[0-9a-z]{1,76}$/;
export const ORG_ID = /^[a-z0-9_-]{1,64}$/;
// What a registry issues ([A-Za-z0-9-]{1,64}, docs/finance.md §13); the node serves any printable
// number without space or slash, so a lookup of another shape is simply not found.
export const REGISTRATION_NO = /^[A-Za-z0-9-]{1,64}$/;

/** A registration number from the user's text (trimmed); throws PlgInputError. */
export function registrationNo(text) {
  const s = String(text ?? '').trim();
  if (!s) throw new PlgInputError('Enter a registration number.');
  if (!REGISTRATION_NO.test(s)) {
    throw new PlgInputError('A registration number has 1 to 64 letters, digits and hyphens, such as EQ-2026-000123.');
  }
  return s;
}

export const gazetteKey = (no) => tm.stateKeys.plg.gazette(no);

/** The family of a record id: 'ip', 'equity' or 'receipt' (null for another shape). */
export function recordFamily(id) {
  if (typeof id !== 'string' || !RECORD_ID.test(id)) return null;
  return id.startsWith('ipp_') ? 'ip' : id.startsWith('eqp_') ? 'equity' : 'receipt';
}

/** The state key of a pledge record (the one its proof is about). */
export function recordKey(id) {
  const f = recordFamily(id);
  if (f === 'ip') return tm.stateKeys.plg.ipPledge(id);
  if (f === 'equity') return tm.stateKeys.plg.eqPledge(id);
  if (f === 'receipt') return tm.stateKeys.plg.receipt(id);
  throw new PlgInputError(`${id}: not a pledge record id (ipp_…, eqp_… or wr_…)`);
}

// ---- the gazette --------------------------------------------------------------------------------

const KIND_TEXT = { ip: 'IP pledge', equity: 'Equity pledge' };
const ASSET_KIND_TEXT = { invention: 'invention patent', utility_model: 'utility model', design: 'design patent',
  trademark: 'trademark', copyright: 'copyright', software_copyright: 'software copyright' };

/**
 * The rows of a gazette entry, in the registry's order: registration number, kind, the asset (IP:
 * asset, its kind and title) or the company (equity: name and USCC), pledgor, pledgee, registered
 * on, state. Only the fields a gazette publishes: anything else in the entry is not shown.
 */
export function gazetteRows(e) {
  if (!isObj(e)) return [];
  const s = (v) => (v === undefined || v === null ? '' : String(v));
  const rows = [['Registration number', s(e.registration_no)], ['Kind', KIND_TEXT[e.kind] || s(e.kind)]];
  if (e.kind === 'equity') {
    rows.push(['Company', s(e.company)], ['USCC', s(e.uscc)]);
  } else {
    rows.push(['Asset', s(e.asset)], ['Asset kind', ASSET_KIND_TEXT[e.asset_kind] || s(e.asset_kind)], ['Title', s(e.title)]);
  }
  rows.push(['Pledgor', s(e.pledgor)], ['Pledgee', s(e.pledgee)], ['Registered on', s(e.registered_on)],
    ['State', s(e.state).toLowerCase()]);
  return rows.filter(([, v]) => v !== '');
}

/** The entry's changes [{on, what}], oldest first, as the registry lists them. */
export function gazetteChanges(e) {
  const c = isObj(e) && Array.isArray(e.changes) ? e.changes : [];
  return c.filter(isObj).map((x) => ({ on: String(x.on ?? ''), what: String(x.what ?? '') }));
}

// ---- proofs ------------------------------------------------------------------------------------

function check(cond, why) {
  if (!cond) throw new tm.VerifyError(`answer: ${why}`);
}

// The answer's bundle verified from `trust`, proving exactly `keys`; answer.proof's header fields
// and answer.as_of are those of the certified header (as the SDK's finance verifiers do).
function provenExactly(answer, trust, keys) {
  check(isObj(answer), 'not an object');
  const proof = answer.proof;
  check(isObj(proof) && typeof proof.bundle === 'string', 'carries no proof bundle');
  const v = tm.verifyStateBundleBytes(trust, proof.bundle);
  const proven = new Map(v.entries.map((e) => [tm.utf8Decode(e.key), e]));
  for (const k of keys) check(proven.has(k), `the bundle does not prove ${k}`);
  check(proven.size === new Set(keys).size, 'the bundle proves keys that were not asked');
  const has = (o, f) => Object.hasOwn(o, f);
  check(!((has(proof, 'height') && !sameInt(proof.height, v.height)) ||
    (has(proof, 'state_version') && !sameInt(proof.state_version, v.stateVersion)) ||
    (has(proof, 'epoch') && !sameInt(proof.epoch, v.epoch)) ||
    (has(proof, 'block_id') && proof.block_id !== v.blockId) ||
    (has(proof, 'state_root') && proof.state_root !== v.stateRoot)), "proof's header fields differ from the certified header");
  const asOf = answer.as_of;
  check(isObj(asOf) && sameInt(asOf.height, v.height) && asOf.block_id === v.blockId && sameInt(asOf.time_ms, v.timestampMs) &&
    (!has(asOf, 'state_version') || sameInt(asOf.state_version, v.stateVersion)), 'as_of differs from the certified header');
  return { v, proven };
}

// The proven value of entry `e` matched against the JSON `claimed` (re-encoded canonically).
function provenValue(e, claimed, what) {
  let bytes;
  try {
    bytes = tm.encodeValue(tm.valueFromJson(claimed));
  } catch (err) {
    throw new tm.VerifyError(`answer: ${what} is not a Value: ${err.message}`);
  }
  const h = tm.sha256(bytes);
  check(e.valueHash !== null && h.every((b, i) => b === e.valueHash[i]), `${what} differs from the proven value`);
  return tm.valueToJson(tm.decodeValue(bytes));
}

const signersOf = (v) => v.signers.map((s) => s.org || `#${s.index}`);

/**
 * Checks a single-key answer ({key?, <field>, as_of, proof}: a gazette entry with field 'entry',
 * a pledge record with field 'record'): the bundle verifies from `trust`, proves exactly `key`,
 * present, and answer[field] re-encoded is the proven value. Returns {ok, value, height,
 * timestampMs, signers, validatorCount, checked}; throws VerifyError.
 */
export function verifyKeyAnswer(answer, trust, { key, field }) {
  const { v, proven } = provenExactly(answer, trust, [key]);
  const e = proven.get(key);
  check(e.present, `${key} is proven absent`);
  check(!Object.hasOwn(answer, 'key') || answer.key === key, 'names another key than the one asked');
  check(isObj(answer[field]), `no ${field}`);
  const value = provenValue(e, answer[field], field);
  return { ok: true, value, height: v.height, timestampMs: v.timestampMs, signers: signersOf(v),
    validatorCount: v.validatorCount, checked: ['certificate', 'state_root', 'key', 'as_of', field] };
}

// ---- the borrower view (GET /v1/fin/borrowers/{org}, docs/api.md) --------------------------------

// The sections of the answer, in the order shown.
export const BORROWER_SECTIONS = [
  { field: 'receivables', title: 'Receivables', what: 'receivable' },
  { field: 'ip_assets', title: 'IP assets', what: 'IP asset' },
  { field: 'equity', title: 'Equity holdings', what: 'equity holding' },
  { field: 'receipts', title: 'Warehouse receipts', what: 'warehouse receipt' },
];

/** The list of a section of the answer ([] when the answer has none). */
export function borrowerItems(answer, section) {
  return isObj(answer) && Array.isArray(answer[section.field]) ? answer[section.field].filter(isObj) : [];
}

const standingOf = (s) => (isObj(s) && typeof s.key === 'string' && typeof s.state === 'string' ? { key: s.key, state: s.state } : null);

/** The standings {key, state} an item claims: its own, and (a receivable) each invoice's. */
export function itemClaims(item) {
  const out = [];
  const own = standingOf(item && item.standing);
  if (own) out.push(own);
  for (const inv of Array.isArray(item && item.invoices) ? item.invoices : []) {
    const s = standingOf(isObj(inv) ? inv.standing : null);
    if (s) out.push(s);
  }
  return out;
}

/**
 * The standing to show for an item: its own; a receivable's from its invoices' fingerprints, the
 * first of encumbered, registered, closed that one has, else free (as the bank check).
 */
export function itemStanding(item) {
  const own = standingOf(item && item.standing);
  if (own) return own.state;
  const states = itemClaims(item).map((c) => c.state);
  if (!states.length) return '';
  return ['encumbered', 'registered', 'closed'].find((x) => states.includes(x)) || states.find((x) => x !== 'free') || 'free';
}

/**
 * Checks a borrower answer for `org`: it names `org`; its one bundle verifies from `trust`, is
 * of the answer's as_of, and proves exactly the standings' keys; each claimed standing is the
 * proven one (absent = "free", present = the record's `state`). An answer with no standing
 * carries no proof (null). Returns {ok, checked: n keys, height, signers, validatorCount};
 * throws VerifyError.
 */
export function verifyBorrowerAnswer(answer, trust, org) {
  check(isObj(answer), 'not an object');
  check(answer.org === org, `names ${JSON.stringify(answer.org)}, not the borrower asked (${org})`);
  const claims = [];
  for (const sec of BORROWER_SECTIONS) for (const it of borrowerItems(answer, sec)) claims.push(...itemClaims(it));
  const keys = [...new Set(claims.map((c) => c.key))];
  if (!keys.length) {
    check(answer.proof === null || answer.proof === undefined, 'a proof for no standing');
    return { ok: true, checked: 0, height: null, signers: [], validatorCount: 0 };
  }
  const { v, proven } = provenExactly(answer, trust, keys);
  for (const c of claims) {
    const e = proven.get(c.key);
    let state = 'free';
    if (e.present) {
      const rec = e.value ? tm.valueToJson(tm.decodeValue(e.value)) : provenValue(e, { state: c.state }, c.key);
      state = isObj(rec) && typeof rec.state === 'string' ? rec.state : '?';
    }
    check(state === c.state, `${c.key} is "${c.state}" in the answer but "${state}" in the proof`);
  }
  return { ok: true, checked: keys.length, height: v.height, signers: signersOf(v), validatorCount: v.validatorCount };
}

// ---- the regulator's export --------------------------------------------------------------------

const DAY_MS = 86400000;

function dayMs(d, what) {
  const s = String(d ?? '').trim();
  if (!/^\d{4}-\d\d-\d\d$/.test(s)) throw new PlgInputError(`${what}: a date YYYY-MM-DD`);
  const ms = Date.parse(`${s}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== s) throw new PlgInputError(`${what}: ${s} is not a calendar date`);
  return ms;
}

/**
 * The export's query for the UTC days `from` to `to`, both included: the node's range is
 * [from_ms, to_ms) of block time, so from_ms is 00:00 UTC of `from` and to_ms 00:00 UTC of the day
 * after `to`. Returns {fromMs, toMs, path, filename}; throws PlgInputError.
 */
export function exportQuery({ from, to, format }) {
  const f = dayMs(from, 'From');
  const t = dayMs(to, 'To');
  if (t < f) throw new PlgInputError('To: must not be before From');
  if (format !== 'csv' && format !== 'json') throw new PlgInputError('Format: CSV or JSON');
  const fromMs = f;
  const toMs = t + DAY_MS;
  return { fromMs, toMs, path: `/v1/reg/export?from_ms=${fromMs}&to_ms=${toMs}&format=${format}`,
    filename: `tidemark-export-${String(from).trim()}-to-${String(to).trim()}.${format}` };
}

// ---- alerts ------------------------------------------------------------------------------------

export const ALERT_TEXT = {
  'circular-transfer': 'Circular transfer: a part went back to an organisation that held it before',
  'repeated-registration': 'Repeated registration attempts of one invoice',
  'fan-out-new-parties': 'A split fanned out to newly enrolled organisations',
  'annuity-lapsed': 'A pledged patent’s annuity has lapsed',
  'invalidation-filed': 'Invalidation filed against a pledged IP asset',
  'pledge-outlives-asset': 'A pledge outlives its IP asset',
};

/** One line for an alert's detail (a string, or a flat object as "k: v, k: v"). */
export function alertDetail(a) {
  const d = isObj(a) ? a.detail : undefined;
  if (d === undefined || d === null) return '';
  if (typeof d !== 'object') return String(d);
  if (Array.isArray(d)) return d.map(String).join(', ');
  return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}
