// The consumer trace page at the Digital Link path (/01/{gtin}/10/{lot}/21/{serial}), built for a
// phone: product, origin, warnings, customs, route, certificates, scans, a QR code of the link and
// a "verified" mark computed in this browser with sdk/js against the validators' signatures.
import qrcode from 'qrcode-generator';
import { get, getJson, routes } from '../api.js';
import { badge, h, hashLink, section, svg, when } from '../ui.js';
import { verifyTrace } from '../verify.js';

const MODES = {
  1210: 'bonded import (1210)',
  1239: 'bonded e-commerce import (1239)',
  9610: 'direct B2C import (9610)',
  9710: 'B2B direct export (9710)',
  9810: 'export to an overseas warehouse (9810)',
};

const STEP_LABELS = {
  commissioning: 'Made', packing: 'Packed', shipping: 'Shipped', departing: 'Departed',
  arriving: 'Arrived', receiving: 'Received', storing: 'Stored', inspecting: 'Inspected',
  stocking: 'On the shelf', retail_selling: 'On sale', customs: 'Customs',
  accepting: 'Accepted', loading: 'Loaded', unloading: 'Unloaded', transporting: 'In transport',
};

export function country(code) {
  if (!code) return '';
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'region' }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

export function qrSvg(text) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 4},${r + 4}h1v1h-1z`;
  return svg('svg', { viewBox: `0 0 ${n + 8} ${n + 8}`, class: 'qr', role: 'img', 'aria-label': `QR code of ${text}`, 'data-testid': 'qr' },
    svg('rect', { width: n + 8, height: n + 8, class: 'qr-bg' }), svg('path', { d, class: 'qr-fg' }));
}

// Fetches the trace: from the Digital Link resolver with its proof when this node has one,
// otherwise the plain /v1/trace read (then there is nothing to verify).
async function load(path) {
  const rs = await routes();
  const resolver = [...rs].some((p) => p.startsWith('/01/'));
  if (resolver) {
    const { body } = await getJson(`${path}${path.includes('?') ? '&' : '?'}proof=true`);
    return { answer: body, trace: body.trace || body };
  }
  return { answer: null, trace: await get(`/v1/trace?code=${encodeURIComponent(path)}`) };
}

function stepLabel(e) {
  if (e.type === 'customs') {
    const a = String(e.action || '').toLowerCase();
    return `Customs: ${a}${e.declaration_no ? ` (declaration ${e.declaration_no})` : ''}`;
  }
  return STEP_LABELS[e.bizStep] || e.bizStep || e.type || 'event';
}

// "/414/9521234000013" -> "GLN 9521234000013"; other identifiers as they are.
function place(loc) {
  const m = /^\/414\/(\d{13})(?:\/254\/(.+))?$/.exec(loc || '');
  if (!m) return loc || '';
  return m[2] ? `GLN ${m[1]} (${m[2]})` : `GLN ${m[1]}`;
}

function warningText(raw) {
  const w = raw.replace(/\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)/g, (t) => when(t));
  if (w.startsWith('scanned ')) return `This code was ${w}. If you did not scan it before, it may be a copy.`;
  return w.charAt(0).toUpperCase() + w.slice(1);
}

export async function tracePage(main, ctx, path) {
  document.body.classList.add('consumer');
  ctx.cleanup(() => document.body.classList.remove('consumer'));
  const mark = h('div', { class: 'mark pending', role: 'status', 'data-testid': 'verify-mark' }, 'Verifying in your browser…');
  let data;
  try {
    data = await load(path);
  } catch (e) {
    if (e.status === 404) {
      ctx.title('Unknown code');
      main.append(h('div', { class: 'notice bad', role: 'alert', 'data-testid': 'trace-unknown' },
        'This code is not on the ledger. The product may not be genuine.'));
      return;
    }
    throw e;
  }
  const t = data.trace;
  const p = t.product || {};
  const lot = t.lot || {};
  const customs = t.customs || null;
  const scans = t.scans || null;
  const link = `${location.origin}${location.pathname}`;
  ctx.title(p.name || t.id);

  const warnings = (t.warnings || []).map(warningText);
  const timeline = t.timeline || [];  // in ledger order
  main.append(
    mark,
    h('article', { class: 'trace' },
      h('header', { class: 'product' },
        h('h1', { 'data-testid': 'product-name' }, p.name || 'Unregistered product'),
        p.brand ? h('p', { class: 'brand-name' }, p.brand) : null,
        h('p', { class: 'origin' }, 'Origin: ', h('strong', { 'data-testid': 'origin' }, country(t.origin_country) || 'unknown')),
        p.description ? h('p', {}, p.description) : null),
      warnings.length ? h('section', { class: 'warnings', 'aria-label': 'Warnings', 'data-testid': 'warnings' },
        warnings.map((w) => h('p', { class: `notice ${w.startsWith('This code was scanned') ? 'warn' : 'bad'}`, role: 'alert' }, '⚠ ', w))) : null,
      section('This item', h('dl', { class: 'facts' },
        row('Code', h('span', { class: 'mono break' }, t.id)),
        row('Lot', lot.lot || ''),
        row('Made on', lot.production_date || ''),
        row('Best before', lot.expiry_date || ''),
        row('Status', t.state ? badge(t.state.toLowerCase().replace(/_/g, ' ')) : t.tracked ? '' : 'not tracked item by item'),
        row('Held by', t.custody || ''))),
      customs ? section('Customs', h('dl', { class: 'facts', 'data-testid': 'customs' },
        row('Mode', MODES[customs.mode] || customs.mode),
        row('Declaration', customs.declaration_no),
        row('Status', badge(String(customs.status).toLowerCase(), customs.status === 'RELEASED' ? 'ok' : customs.status === 'REJECTED' ? 'bad' : 'warn')),
        row('Released', customs.released_time ? when(customs.released_time) : ''))) : null,
      section('Route', timeline.length ? h('ol', { class: 'timeline', 'data-testid': 'timeline' }, timeline.map((e) =>
        h('li', {},
          h('div', { class: 'step' }, stepLabel(e)),
          h('div', { class: 'muted' }, [when(e.eventTime), place(e.location), e.org].filter(Boolean).join(' · ')),
          e.tx ? h('div', { class: 'small-link' }, hashLink(`/txs/${e.tx}`, e.tx, 8)) : null)))
        : h('p', { class: 'muted' }, 'No events recorded.')),
      (t.certificates || []).length ? section('Certificates', h('ul', { class: 'certs' }, t.certificates.map((c) =>
        h('li', {}, badge(c.result === 'conformant' ? 'conformant' : 'non-conformant', c.result === 'conformant' ? 'ok' : 'bad'),
          ` ${c.certificate_id} by ${c.inspector}, valid ${c.issue_date} to ${c.expiry_date}`,
          h('div', { class: 'muted mono break' }, `report SHA-256 ${c.report_sha256}`))))) : null,
      section('Scans', h('p', { 'data-testid': 'scans' }, scans
        ? `Checked ${scans.count} time${scans.count === 1 ? '' : 's'}; first on ${when(scans.first_time)}.`
        : 'Never checked before.')),
      section('Share', h('div', { class: 'share' }, qrSvg(link), h('p', { class: 'mono break' }, link)))));

  const result = await verifyTrace(data.answer);
  mark.className = `mark ${result.state}`;
  mark.replaceChildren(...[h('strong', {}, result.title), h('span', {}, ` ${result.detail}`),
    result.more ? h('details', {}, h('summary', {}, 'What was checked'), h('p', {}, result.more)) : null].filter(Boolean));  // (null would print "null")
  mark.dataset.state = result.state;
}

function row(k, v) {
  if (v === null || v === undefined || v === '') return null;
  return [h('dt', {}, k), h('dd', {}, v)];
}
