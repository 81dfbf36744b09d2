// The regulator's pages (/reg/alerts, also /audit): the alerts both finance contracts raised
// (GET /v1/reg/alerts, paged by the node's opaque cursor) and the export of every history entry of
// fin/ and plg/ in a time range (GET /v1/reg/export), downloaded as a file. REGULATOR keys only:
// the node answers anyone else with the one 403.
import { ApiError, routes } from '../api.js';
import { ALERT_TEXT, PlgInputError, alertDetail, exportQuery } from '../plg.js';
import { currentReader, signInPanel, signedFetch, signedGet } from '../session.js';
import { badge, h, hashLink, problemText, section, table, utc } from '../ui.js';
import { readFailure } from './pledge.js';

const ONLY_REGULATOR = 'Only the regulator may read this: your organisation is not a party of the alerts (it has no REGULATOR role).';
const EXPORT_ROUTE = '/v1/reg/export';
const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);

export async function alertsPage(main, ctx) {
  ctx.title('Regulator');
  const rerender = () => ctx.navigate(location.pathname + location.search, { replace: true });
  main.append(h('h1', {}, 'Regulator: alerts and export'),
    h('p', { class: 'lead' }, 'Red flags the finance contracts raise as they run (circular transfers, repeated registrations, ' +
      'fan-outs to new parties, lapsed or invalidated pledged IP), and an export of every receivable and pledge history entry in a period.'),
    signInPanel(ctx, { onChange: rerender, purpose: 'Sign in with a key of an organisation with the REGULATOR role.' }));
  if (!currentReader()) {
    main.append(h('p', { class: 'muted', 'data-testid': 'need-key' }, 'Load your key file to read the alerts.'));
    return;
  }

  // Alerts, a page at a time, from a block height if one is asked (?from_height=).
  const asked = new URLSearchParams(location.search).get('from_height');
  const fromHeight = asked && /^\d{1,19}$/.test(asked) ? asked : '';
  const fromInput = h('input', { type: 'text', inputmode: 'numeric', name: 'from_height', value: fromHeight, placeholder: 'any',
    autocomplete: 'off', 'aria-label': 'From block height', 'data-testid': 'alerts-from' });
  const fromForm = h('form', { class: 'row' }, h('label', {}, 'From block ', fromInput), h('button', { type: 'submit', class: 'small' }, 'Show'));
  fromForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = fromInput.value.trim();
    if (v && !/^\d{1,19}$/.test(v)) {
      fromInput.setCustomValidity('A block height (a whole number)');
      fromInput.reportValidity();
      return;
    }
    ctx.navigate(v ? `/reg/alerts?from_height=${v}` : '/reg/alerts');
  });
  const rows = [];
  const list = h('div', { 'data-testid': 'alert-list' });
  const more = h('button', { type: 'button', class: 'small', hidden: true, 'data-testid': 'alerts-more' }, 'More');
  const box = section('Alerts', fromForm, list, h('div', { class: 'pager' }, more));
  main.append(box);
  let cursor = null;
  const load = async () => {
    more.disabled = true;
    const { body } = await signedGet(`/v1/reg/alerts?limit=50${fromHeight ? `&from_height=${fromHeight}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    rows.push(...(body.alerts || []));
    cursor = body.next_cursor || null;
    more.hidden = !cursor;
    more.disabled = false;
    list.dataset.count = String(rows.length);
    list.replaceChildren(table([
      { label: 'Alert', cell: (a) => [badge(a.kind || '?', 'bad'), ' ', h('span', {}, ALERT_TEXT[a.kind] || '')] },
      { label: 'Subject', cell: (a) => h('span', { class: 'mono' }, a.subject || '') },
      { label: 'Organisations', cell: (a) => (Array.isArray(a.orgs) ? a.orgs.join(', ') : a.orgs || '') },
      { label: 'Detail', cell: (a) => alertDetail(a), cls: 'hide-sm' },
      { label: 'When', cell: (a) => [a.time_ms !== undefined ? utc(a.time_ms) : '', a.height !== undefined ? h('div', { class: 'muted small' }, `block ${a.height}`) : ''] },
      { label: 'Tx', cell: (a) => (a.tx ? hashLink(`/txs/${a.tx}`, a.tx, 8) : ''), cls: 'hide-sm' },
    ], rows, { empty: fromHeight ? `No alerts from block ${fromHeight} on.` : 'No alerts: the contracts have raised none.' }));
  };
  more.addEventListener('click', () => load().catch((e) => list.append(readFailure(e, { forbidden: ONLY_REGULATOR }))));
  try {
    await load();
  } catch (e) {
    list.replaceChildren(readFailure(e, { forbidden: ONLY_REGULATOR }));
    return;  // not the regulator (or no answer): no export form either
  }

  main.append(await exportSection());
}

async function exportSection() {
  const box = section('Export');
  if (!(await routes()).has(EXPORT_ROUTE)) {
    box.append(h('div', { class: 'notice warn', 'data-testid': 'export-not-available' },
      'The export is not available on this node yet (GET /v1/reg/export is not served).'));
    return box;
  }
  const from = h('input', { type: 'date', name: 'from', value: daysAgo(30), 'data-testid': 'export-from', required: true });
  const to = h('input', { type: 'date', name: 'to', value: today(), 'data-testid': 'export-to', required: true });
  const format = h('select', { name: 'format', 'data-testid': 'export-format' },
    h('option', { value: 'csv' }, 'CSV (spreadsheet)'), h('option', { value: 'json' }, 'JSON'));
  const go = h('button', { type: 'submit', 'data-testid': 'export-go' }, 'Download');
  const status = h('p', { role: 'status', 'data-testid': 'export-status' });
  const form = h('form', { class: 'invoice', 'data-testid': 'export-form', novalidate: true },
    h('label', {}, h('span', {}, 'From (UTC day)'), from), h('label', {}, h('span', {}, 'To (UTC day, included)'), to),
    h('label', {}, h('span', {}, 'Format'), format), h('div', { class: 'row' }, go));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.className = '';
    status.textContent = '';
    let q;
    try {
      q = exportQuery({ from: from.value, to: to.value, format: format.value });
    } catch (e) {
      status.className = 'notice bad';
      status.textContent = e instanceof PlgInputError ? e.message : problemText(e);
      return;
    }
    go.disabled = true;
    status.textContent = 'Exporting…';
    try {
      await download(q);
      status.textContent = `Downloaded ${q.filename}.`;
    } catch (e) {
      status.className = 'notice bad';
      status.textContent = failureText(e);
    } finally {
      go.disabled = false;
    }
  });
  box.append(h('p', { class: 'muted' }, 'Every history entry of receivables (fin) and pledge records (plg) in the period, in time order.'), form, status);
  return box;
}

// Fetches the export with a signed GET and saves it through a blob: URL (a plain link could not
// carry the signature).
async function download(q) {
  const { response: r, target } = await signedFetch(q.path, { accept: q.path.endsWith('csv') ? 'text/csv, application/json' : 'application/json' });
  if (!r.ok) {
    let problem = null;
    try {
      problem = JSON.parse(await r.text());
    } catch {
      problem = null;
    }
    throw new ApiError(r.status, problem, target);
  }
  const blob = await r.blob();
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: q.filename, class: 'offscreen' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function failureText(e) {
  if (e instanceof ApiError) {
    if (e.status === 403) return ONLY_REGULATOR;
    if (e.status === 401) return `The node did not accept your signature: ${problemText(e)}`;
    if (e.status === 404) return /^no route for /.test((e.problem && e.problem.detail) || '') ? 'The export is not available on this node yet.' : `Not found: ${problemText(e)}`;
    return `The node refused the export (${e.status}): ${problemText(e)}`;
  }
  if (e instanceof TypeError) return 'Could not reach the node (network error). Check the connection and try again.';
  return problemText(e);
}
