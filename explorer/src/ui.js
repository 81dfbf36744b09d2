// ui.js — tiny DOM helpers and formatting shared by the pages. No innerHTML anywhere: every text
// from the node goes through textContent, so ledger data cannot inject markup.

export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, kids);
  return el;
}

export function append(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === null || k === undefined || k === false) continue;
    el.append(k instanceof Node ? k : String(k));
  }
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  for (const k of kids.flat()) if (k) el.append(k instanceof Node ? k : String(k));
  return el;
}

export const short = (hex, n = 10) => (hex && hex.length > n + 6 ? `${hex.slice(0, n)}…${hex.slice(-4)}` : hex || '');

export function utc(ms) {
  if (ms === null || ms === undefined || ms === '') return '';
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return String(ms);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function age(ms, now = Date.now()) {
  let s = Math.round((now - Number(ms)) / 1000);
  if (s < 0) s = 0;
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

// "2026-01-01T10:00:00Z" or ms -> "2026-01-01 10:00 UTC"
export function when(t) {
  if (typeof t === 'number') return utc(t);
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t || '') : utc(d.getTime());
}

export const link = (path, text, attrs = {}) => h('a', { href: path, ...attrs }, text);
export const code = (text) => h('code', {}, text);
export const hashLink = (path, hex, n) => h('a', { href: path, class: 'mono', title: hex }, short(hex, n));

// A definition list from [label, value] pairs (falsy values skipped).
export function facts(rows) {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of rows) {
    if (v === null || v === undefined || v === '') continue;
    dl.append(h('dt', {}, k), h('dd', {}, v));
  }
  return dl;
}

// columns: [{ label, cell: row => Node|string, cls? }]
export function table(columns, rows, { caption, empty = 'Nothing yet.' } = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => h('td', { class: c.cls }, c.cell(r))))))));
}

export function section(title, ...kids) {
  return h('section', { class: 'card' }, h('h2', {}, title), kids);
}

export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind}` }, text);
}

export function statusBadge(status) {
  const kind = status === 'committed' ? 'ok' : status === 'rejected' ? 'bad' : 'warn';
  return badge(status, kind);
}

export function problemText(e) {
  if (e && e.problem && e.problem.detail) return `${e.problem.title || 'Error'}: ${e.problem.detail}`;
  return e && e.message ? e.message : String(e);
}

export function errorBox(e) {
  return h('div', { class: 'notice bad', role: 'alert' }, problemText(e));
}

export function copyButton(getText, label = 'Copy') {
  const b = h('button', { type: 'button', class: 'small' }, label);
  b.addEventListener('click', async () => {
    const text = getText();
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = 'Copied';
    } catch {
      // No clipboard permission: select the text so the user can copy it.
      const ta = h('textarea', { class: 'offscreen', readonly: true });
      ta.value = text;
      document.body.append(ta);
      ta.select();
      const ok = document.execCommand && document.execCommand('copy');
      ta.remove();
      b.textContent = ok ? 'Copied' : 'Copy failed';
    }
    setTimeout(() => { b.textContent = label; }, 1500);
  });
  return b;
}

export function pretty(v) {
  return JSON.stringify(v, null, 2);
}
