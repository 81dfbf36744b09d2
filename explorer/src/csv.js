// csv.js — CSV export of any list shown (RFC 4180 quoting), downloaded from a blob: URL.
import { h } from './ui.js';

export function toCsv(columns, rows) {
  const q = (v) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    // A leading = + - @ would be a formula in a spreadsheet: prefix it with a quote.
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [columns.map((c) => q(c.label)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => q(c.value(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

// columns: [{ label, value: row => string|number }]; rows may grow later (getRows is called on click).
export function csvButton(filename, columns, getRows) {
  const b = h('button', { type: 'button', class: 'small', 'data-csv': filename }, 'Export CSV');
  b.addEventListener('click', () => {
    const blob = new Blob([toCsv(columns, getRows())], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: filename, class: 'offscreen' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  return b;
}

export const TX_CSV_COLUMNS = [
  { label: 'tx_id', value: (t) => t.id },
  { label: 'height', value: (t) => t.height },
  { label: 'index', value: (t) => t.index },
  { label: 'status', value: (t) => t.status },
  { label: 'signer', value: (t) => t.signer },
  { label: 'nonce', value: (t) => t.nonce },
  { label: 'contract', value: (t) => t.contract },
  { label: 'method', value: (t) => t.method },
  { label: 'reason', value: (t) => t.reason },
];
