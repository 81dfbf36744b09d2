// trace_view.js — what the consumer trace page shows, from a resolver answer and its verification
// (verify.js / sdk verifyTraceAnswer). Pure: no DOM, so unit tests run it in node.
//
// Only proven facts are shown as facts: when the answer verified, the warnings and the origin are
// the ones DERIVED from the proven records (never the node's own `warnings` list), and the route's
// read points and place names come from the proven event and location records. When it did not
// verify, the node's warnings are shown only as "the node says (not verified)".
//
//   const v = traceView(answer, verification, 'zh-CN');
//   v.warnings: [{text, level}], v.unprovenWarnings: [text], v.disagrees: ['warnings'], v.route: [...]
import { stateKeys } from '../../sdk/js/src/state_keys.js';
import { countryName, dateText, stateText, stepText, warningLevel, warningText } from './i18n.js';

const { prov } = stateKeys;

// GS1 check digit (GTIN, GLN, SSCC): weights 3, 1, 3… from the right.
function checkDigit(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return String((10 - (sum % 10)) % 10);
}

/**
 * The canonical form of a place id as the ledger keys its location records ("/414/<gln>" and
 * "/254/<ext>" for a sub-location), from an SGLN URN or a Digital Link; null for other ids.
 */
export function placeKey(raw) {
  const s = String(raw || '');
  let m = /^urn:epc:id:sgln:(\d+)\.(\d*)\.(.*)$/.exec(s);
  if (m) {
    const body = m[1] + m[2];
    if (body.length !== 12) return null;
    const ext = m[3] === '0' || m[3] === '' ? '' : decodeURIComponent(m[3]);
    return `/414/${body}${checkDigit(body)}${ext ? `/254/${ext}` : ''}`;
  }
  m = /^(?:https?:\/\/[^/]+)?\/414\/(\d{13})(?:\/254\/([^/?#]+))?(?:[?#].*)?$/.exec(s);
  if (m) return `/414/${m[1]}${m[2] ? `/254/${decodeURIComponent(m[2])}` : ''}`;
  return null;
}

// The registered place for an id in the proven records: {id, name, country} or null.
export function placeOf(raw, records) {
  const key = placeKey(raw);
  if (!key || !records) return null;
  const rec = records[prov.location(key)] ?? records[prov.location(key.replace(/\/254\/.*$/, ''))];
  if (!rec || typeof rec.name !== 'string' || !rec.name) return null;
  return { id: key, name: rec.name, country: rec.country || '' };
}

// A place as a consumer reads it: its registered name (and country), else its GLN.
export function placeText(lang, raw, records) {
  if (!raw) return '';
  const p = placeOf(raw, records);
  if (p) return p.country ? `${p.name}, ${countryName(lang, p.country)}` : p.name;
  const key = placeKey(raw);
  const m = key && /^\/414\/(\d{13})(?:\/254\/(.+))?$/.exec(key);
  if (m) return m[2] ? `GLN ${m[1]} (${m[2]})` : `GLN ${m[1]}`;
  return String(raw);
}

// The route: one entry per timeline step, oldest first, with where it happened (bizLocation) and
// where it was read (readPoint: the airport, the port) when the event's record is proven.
export function routeOf(lang, timeline, records) {
  return (timeline || []).map((e) => {
    const ev = records && Number.isInteger(e.seq) && e.seq > 0 ? records[prov.event(e.seq)]?.event ?? null : null;
    const biz = e.location || ev?.bizLocation?.id || '';
    const read = ev?.readPoint?.id || '';
    const readText = read && placeKey(read) !== placeKey(biz) ? placeText(lang, read, records) : '';
    return {
      step: stepText(lang, e),
      when: dateText(lang, e.eventTime),
      place: placeText(lang, biz, records),
      readPoint: readText,
      org: e.org || '',
      declaration: e.declaration_no || '',
      tx: e.tx || '',
      height: e.height ?? null,
    };
  });
}

/**
 * The page's content. `answer` is the resolver's JSON (its trace fields), `verification` the
 * result of verify.js verifyTrace ({state: 'ok' | 'bad' | 'unverified', result?}).
 */
export function traceView(answer, verification, lang) {
  const t = answer || {};
  const ok = verification && verification.state === 'ok' && verification.result;
  const r = ok ? verification.result : null;
  const records = r ? r.records : null;
  const warnings = r ? (r.warnings || []).map((w) => ({ kind: w.kind, text: warningText(lang, w), level: warningLevel(w) })) : [];
  const unproven = r ? [] : (Array.isArray(t.warnings) ? t.warnings : []).map((w) => warningText(lang, w));
  const origin = r ? r.origin_country : t.origin_country;
  const lot = t.lot || {};
  return {
    proven: Boolean(r),
    warnings,
    unprovenWarnings: unproven,
    disagrees: r ? (r.disagreements || []).map((d) => d.field) : [],
    origin: origin ? countryName(lang, origin) : '',
    originCode: origin || '',
    status: t.state ? stateText(lang, t.state) : '',
    statusCode: t.state || '',
    conformance: lot.conformance || '',
    route: routeOf(lang, t.timeline, records),
  };
}
