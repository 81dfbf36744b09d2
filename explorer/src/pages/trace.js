// The consumer trace page at the Digital Link path (/01/{gtin}/10/{lot}/21/{serial}), built for a
// phone: product, origin, warnings, customs, route, certificates, scans, a QR code of the link and
// a "verified" mark computed in this browser with sdk/js against the validators' signatures.
// Only what is proven is shown as fact (trace_view.js); in English or Simplified Chinese (i18n.js).
import qrcode from 'qrcode-generator';
import { get, getJson, routes } from '../api.js';
import { countryName, customsStatusText, dateText, LANGS, modeText, pickLang, storedLang, storeLang, t } from '../i18n.js';
import { traceView } from '../trace_view.js';
import { badge, h, hashLink, section, svg } from '../ui.js';
import { verifyTrace } from '../verify.js';

// The country's name in English with its code (other pages); the trace page names countries in
// the reader's language (i18n.js countryName).
export function country(code) {
  if (!code) return '';
  const name = countryName('en', code);
  return name && name !== code ? `${name} (${code})` : code;
}

export function qrSvg(text, label = `QR code of ${text}`) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 4},${r + 4}h1v1h-1z`;
  return svg('svg', { viewBox: `0 0 ${n + 8} ${n + 8}`, class: 'qr', role: 'img', 'aria-label': label, 'data-testid': 'qr' },
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

// The language switch: English | 中文, the reader's choice kept for next time.
function langSwitch(lang, onPick) {
  const names = { en: 'English', 'zh-CN': '中文' };
  return h('nav', { class: 'lang-switch', 'aria-label': t(lang, 'language'), 'data-testid': 'lang-switch' },
    LANGS.map((l) => h('button', { type: 'button', lang: l, 'aria-pressed': l === lang ? 'true' : 'false',
      'data-lang': l, class: l === lang ? 'current' : '', onclick: () => onPick(l) }, names[l])));
}

function row(k, v, testid) {
  if (v === null || v === undefined || v === '') return null;
  return [h('dt', {}, k), h('dd', testid ? { 'data-testid': testid } : {}, v)];
}

export async function tracePage(main, ctx, path) {
  document.body.classList.add('consumer');
  ctx.cleanup(() => {
    document.body.classList.remove('consumer');
    document.documentElement.lang = 'en';
  });
  let lang = pickLang(navigator.languages || [navigator.language], storedLang());
  document.documentElement.lang = lang;
  main.append(h('div', { class: 'mark pending', role: 'status', 'data-testid': 'verify-mark' }, t(lang, 'verifying')));
  let data;
  try {
    data = await load(path);
  } catch (e) {
    if (e.status === 404) {
      ctx.title(t(lang, 'unknownTitle'));
      main.replaceChildren(h('div', { class: 'notice bad', role: 'alert', 'data-testid': 'trace-unknown' }, t(lang, 'unknownCode')));
      return;
    }
    throw e;
  }
  const render = async () => {
    document.documentElement.lang = lang;
    const verification = await verifyTrace(data.answer, lang);
    main.replaceChildren(...tracePageBody(data.trace, verification, lang, (l) => {
      lang = l;
      storeLang(l);
      render();
    }).filter(Boolean));  // (replaceChildren prints null as "null")
    ctx.title((data.trace.product && data.trace.product.name) || data.trace.id);
  };
  await render();
}

// The page's nodes, from the answer and its verification: warnings and origin only as proven
// (trace_view.js), a consumer's words, heights and hashes only under "Technical details".
function tracePageBody(tr, verification, lang, pickLang_) {
  const v = traceView(tr, verification, lang);
  const p = tr.product || {};
  const lot = tr.lot || {};
  const customs = tr.customs || null;
  const scans = tr.scans || null;
  const link = `${location.origin}${location.pathname}`;
  const mark = h('div', { class: `mark ${verification.state}`, role: 'status', 'data-testid': 'verify-mark', 'data-state': verification.state },
    ...[h('strong', {}, verification.title), h('span', {}, ` ${verification.detail}`),
      verification.more ? h('details', {}, h('summary', {}, t(lang, 'whatChecked')), h('p', {}, verification.more)) : null]
      .filter(Boolean));  // (null would print "null")
  const conformance = v.conformance === 'conformant' ? badge(t(lang, 'conformant'), 'ok')
    : v.conformance === 'non_conformant' ? badge(t(lang, 'nonConformant'), 'bad') : null;
  const tech = [
    h('dl', { class: 'facts' }, row(t(lang, 'code'), h('span', { class: 'mono break' }, tr.id))),
    v.route.some((e) => e.tx) ? h('ol', { class: 'tech-route' }, v.route.map((e) => h('li', {},
      `${e.step}: ${t(lang, 'block')} ${e.height ?? '?'} · ${t(lang, 'tx')} `, e.tx ? hashLink(`/txs/${e.tx}`, e.tx, 8) : ''))) : null,
    ...(tr.certificates || []).map((c) => h('p', { class: 'mono break' }, `${c.certificate_id}: ${t(lang, 'reportHash')} ${c.report_sha256}`)),
  ];
  return [
    langSwitch(lang, pickLang_),
    mark,
    v.disagrees.length ? h('p', { class: 'notice bad', role: 'alert', 'data-testid': 'disagreement' },
      '⚠ ', t(lang, 'disagrees', { fields: v.disagrees.join(', ') })) : null,
    h('article', { class: 'trace' },
      h('header', { class: 'product' },
        h('h1', { 'data-testid': 'product-name' }, p.name || t(lang, 'unregistered')),
        p.brand ? h('p', { class: 'brand-name' }, p.brand) : null,
        h('p', { class: 'origin' }, `${t(lang, 'origin')}: `, h('strong', { 'data-testid': 'origin' }, v.origin || t(lang, 'unknown'))),
        p.description ? h('p', {}, p.description) : null),
      v.warnings.length ? h('section', { class: 'warnings', 'aria-label': t(lang, 'warnings'), 'data-testid': 'warnings' },
        v.warnings.map((w) => h('p', { class: `notice ${w.level}`, role: 'alert', 'data-kind': w.kind }, '⚠ ', w.text))) : null,
      v.unprovenWarnings.length ? h('section', { class: 'warnings unproven', 'data-testid': 'unproven-warnings' },
        h('p', { class: 'muted' }, t(lang, 'unprovenWarnings')),
        v.unprovenWarnings.map((w) => h('p', { class: 'notice muted' }, w))) : null,
      section(t(lang, 'thisItem'), h('dl', { class: 'facts' },
        row(t(lang, 'lot'), lot.lot || ''),
        row(t(lang, 'madeOn'), dateText(lang, lot.production_date)),
        row(t(lang, 'bestBefore'), dateText(lang, lot.expiry_date)),
        row(t(lang, 'status'), v.status ? badge(v.status, v.statusCode === 'SOLD' ? 'ok' : undefined) : tr.tracked ? '' : t(lang, 'notTracked'), 'status'),
        row(t(lang, 'inspection'), conformance, 'conformance'),
        row(t(lang, 'heldBy'), tr.custody || ''))),
      customs ? section(t(lang, 'customs'), h('dl', { class: 'facts', 'data-testid': 'customs' },
        row(t(lang, 'importType'), modeText(lang, customs.mode)),
        row(t(lang, 'declaration'), customs.declaration_no),
        row(t(lang, 'status'), badge(customsStatusText(lang, customs.status), customs.status === 'RELEASED' ? 'ok' : customs.status === 'REJECTED' ? 'bad' : 'warn')),
        row(t(lang, 'released'), customs.released_time ? dateText(lang, customs.released_time) : ''))) : null,
      section(t(lang, 'route'), v.route.length ? h('ol', { class: 'timeline', 'data-testid': 'timeline' }, v.route.map((e) =>
        h('li', {},
          h('div', { class: 'step' }, e.step),
          h('div', { class: 'muted' }, [e.when, e.place, e.org].filter(Boolean).join(' · ')),
          e.readPoint ? h('div', { class: 'muted read-point', 'data-testid': 'read-point' }, t(lang, 'readAt', { place: e.readPoint })) : null)))
        : h('p', { class: 'muted' }, t(lang, 'noEvents'))),
      (tr.certificates || []).length ? section(t(lang, 'certificates'), h('ul', { class: 'certs', 'data-testid': 'certificates' }, tr.certificates.map((c) =>
        h('li', {}, badge(c.result === 'conformant' ? t(lang, 'conformant') : t(lang, 'nonConformant'), c.result === 'conformant' ? 'ok' : 'bad'),
          ` ${c.certificate_id} — ${t(lang, 'certBy', { by: c.inspector || c.issuer || '', from: dateText(lang, c.issue_date), to: dateText(lang, c.expiry_date) })}`)))) : null,
      section(t(lang, 'scans'), h('p', { 'data-testid': 'scans' }, scans
        ? t(lang, scans.count === 1 ? 'scannedOnce' : 'scannedN', { n: scans.count, time: dateText(lang, scans.first_time) })
        : t(lang, 'neverScanned'))),
      section(t(lang, 'share'), h('div', { class: 'share' }, qrSvg(link, t(lang, 'qr', { link })), h('p', { class: 'mono break' }, link))),
      h('details', { class: 'tech', 'data-testid': 'tech' }, h('summary', {}, t(lang, 'details')), tech.filter(Boolean))),
  ];
}
