// The receivable page (/fin/receivables/{id}), for a signed-in party (creditor, debtor, holders,
// financiers, the regulator): the holder tree of splits and transfers, encumbrances and offers,
// the timeline (history) and, once settled, the payees. Every read is signed with the reader's
// key (session.js) and the record is verified in this browser; the node answers 403 to anyone
// else, without saying whether the receivable exists.
import { ApiError } from '../api.js';
import { formatAmount } from '../fin.js';
import { currentReader, signInPanel, signedGet } from '../session.js';
import { append, badge, errorBox, h, hashLink, link, problemText, section, table, utc } from '../ui.js';
import { verifyReceivable } from '../verify.js';

const KIND = { pledge: 'pledge', factoring_recourse: 'factoring with recourse', factoring_nonrecourse: 'factoring without recourse' };
const stateKind = (s) => ({ ACTIVE: 'ok', CONFIRMED: 'ok', SETTLED: 'ok', REGISTERED: 'warn', SPLIT: '', RELEASED: '',
  DISPUTED: 'warn', REJECTED: 'bad', CANCELLED: 'bad' }[s] ?? '');
const stateBadge = (s) => badge(String(s || '').toLowerCase(), stateKind(s));

export async function receivablePage(main, ctx, id) {
  ctx.title(id);
  const rerender = () => ctx.navigate(location.pathname, { replace: true });
  main.append(h('h1', {}, 'Receivable ', h('span', { class: 'mono' }, id)),
    signInPanel(ctx, { onChange: rerender, purpose: 'Receivables are readable by their parties only: sign in with a key of the creditor, the debtor, a holder, a financier or the regulator.' }));
  if (!currentReader()) {
    main.append(h('p', { class: 'muted', 'data-testid': 'need-key' }, 'Load your key file to read this receivable.'));
    return;
  }
  const mark = h('div', { class: 'mark pending', role: 'status', 'data-testid': 'verify-mark' }, 'Verifying in your browser…');
  let answer;
  let history = null;
  try {
    const path = `/v1/fin/receivables/${encodeURIComponent(id)}`;
    [{ body: answer }, history] = await Promise.all([
      signedGet(`${path}?proof=true`),
      historyOf(path).catch((e) => ({ error: e })),
    ]);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) {
      main.append(h('div', { class: 'notice bad', role: 'alert', 'data-testid': 'not-party' },
        'Not a party (or no such receivable): the ledger shows a receivable only to its creditor, debtor, holders, ' +
        'financiers and the regulator, and does not say whether it exists to anyone else.'));
      return;
    }
    if (e instanceof ApiError && e.status === 401) {
      main.append(h('div', { class: 'notice bad', role: 'alert', 'data-testid': 'unauthenticated' },
        `The node did not accept your signature: ${problemText(e)}`));
      return;
    }
    throw e;
  }

  const v = await verifyReceivable(answer, id);
  // The proven record when it verified; the answer's otherwise, under the red mark.
  const rec = (v.result && v.result.record) || answer.receivable || answer.record || {};
  const cur = rec.currency;
  const money = (a) => formatAmount(a, cur);
  const parts = rec.parts || {};
  mark.className = `mark ${v.state}`;
  mark.dataset.state = v.state;
  mark.replaceChildren(...[h('strong', {}, v.title), h('span', {}, ` ${v.detail}`),
    v.more ? h('details', {}, h('summary', {}, 'What was checked'), h('p', {}, v.more)) : null].filter(Boolean));

  const encumbered = Object.values(parts).filter((p) => p.encumbrance);
  const offers = Object.values(parts).filter((p) => p.offer);
  append(main, [mark,
    section('Receivable', h('dl', { class: 'facts', 'data-testid': 'rcv-facts' },
      row('State', h('span', { 'data-testid': 'rcv-state' }, stateBadge(rec.state), (v.result ? v.result.overdue : answer.overdue) ? [' ', badge('overdue', 'bad')] : null)),
      row('Amount', h('strong', {}, money(rec.amount))),
      row('Creditor', orgLink(rec.creditor)),
      row('Debtor', orgLink(rec.debtor)),
      row('Issued', rec.issue_date),
      row('Due', rec.due_date),
      row('Contract', rec.contract ? [rec.contract.number, ' ', h('span', { class: 'mono muted', title: rec.contract.hash }, `SHA-256 ${String(rec.contract.hash || '').slice(0, 16)}…`)] : ''),
      row('Delivery evidence', rec.require_delivery ? 'required before confirmation' : 'not required'),
      row('References', (rec.refs || []).map((r) => `${r.type} ${r.id}`).join(', ')),
      row('Registered at', rec.created_height !== undefined ? `block ${rec.created_height}` : ''),
      row('Confirmed at', rec.confirmed_height !== undefined ? `block ${rec.confirmed_height}` : ''),
      row('Parties', (rec.parties || []).join(', ')))),
    section('Invoices', table([
      { label: 'Number', cell: (i) => i.number },
      { label: 'Amount', cell: (i) => money(i.amount), cls: 'num' },
      { label: 'Tax', cell: (i) => money(i.tax), cls: 'num hide-sm' },
      { label: 'Date', cell: (i) => i.date },
      { label: 'Fingerprint', cell: (i) => h('span', { class: 'mono', title: i.fingerprint }, String(i.fingerprint || '').slice(0, 16) + '…'), cls: 'hide-sm' },
    ], rec.invoices || [])),
    section('Holders', h('p', { class: 'muted' }, 'Each split divides a part among its children; the leaves hold the value.'),
      h('div', { 'data-testid': 'holder-tree' }, tree(parts, rec.id || id, money))),
    section('Encumbrances', table([
      { label: 'Part', cell: (p) => h('span', { class: 'mono' }, p.id) },
      { label: 'Kind', cell: (p) => KIND[p.encumbrance.kind] || p.encumbrance.kind },
      { label: 'Financier', cell: (p) => orgLink(p.encumbrance.financier) },
      { label: 'Amount', cell: (p) => money(p.encumbrance.amount), cls: 'num' },
      { label: 'State', cell: (p) => stateBadge(p.encumbrance.state) },
      { label: 'Since', cell: (p) => (p.encumbrance.since_height !== undefined ? `block ${p.encumbrance.since_height}` : ''), cls: 'hide-sm' },
    ], encumbered, { empty: 'No part is or was financed.' }),
    offers.length ? table([
      { label: 'Part', cell: (p) => h('span', { class: 'mono' }, p.id) },
      { label: 'Offered to', cell: (p) => orgLink(p.offer.bank) },
      { label: 'Kind', cell: (p) => KIND[p.offer.kind] || p.offer.kind },
      { label: 'Amount', cell: (p) => money(p.offer.amount), cls: 'num' },
    ], offers, { caption: 'Pending offers' }) : null),
    rec.settled ? section('Settlement', h('div', { 'data-testid': 'settlement' },
      h('p', {}, `Settled at block ${rec.settled.height}, ${utc(rec.settled.time_ms)}.`),
      table([
        { label: 'Part', cell: (p) => h('span', { class: 'mono' }, p.part) },
        { label: 'Paid to', cell: (p) => orgLink(p.org) },
        { label: 'As', cell: (p) => p.as },
        { label: 'Amount', cell: (p) => money(p.amount), cls: 'num' },
      ], rec.settled.payees || [], { empty: 'No payees.' }))) : null,
    section('Timeline', timeline(history, money, rec.id || id))]);
}

// Every history entry (pages of 100, at most 20 pages: a receivable has a few dozen).
async function historyOf(path) {
  const entries = [];
  let cursor = null;
  for (let page = 0; page < 20; page++) {
    const { body } = await signedGet(`${path}/history?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    entries.push(...(body.entries || []));
    cursor = body.next_cursor;
    if (!cursor) return { entries };
  }
  return { entries, more: true };
}

// The receivables the signed-in reader's organisation is a party of (/fin/receivables).
export async function receivablesPage(main, ctx) {
  ctx.title('Receivables');
  const rerender = () => ctx.navigate(location.pathname, { replace: true });
  main.append(h('h1', {}, 'Receivables'),
    signInPanel(ctx, { onChange: rerender, purpose: 'Sign in with your organisation’s key to list the receivables it is a party of.' }));
  const reader = currentReader();
  if (!reader) {
    main.append(h('p', { class: 'muted', 'data-testid': 'need-key' }, 'Load your key file to list your receivables.'));
    return;
  }
  if (!reader.org) {
    main.append(h('div', { class: 'notice bad', role: 'alert' }, 'This key belongs to no organisation on this ledger.'));
    return;
  }
  const rows = [];
  const list = h('div', { 'data-testid': 'rcv-list' });
  const more = h('button', { type: 'button', class: 'small', hidden: true }, 'More');
  let cursor = null;
  const load = async () => {
    more.disabled = true;
    const { body } = await signedGet(`/v1/fin/parties/${encodeURIComponent(reader.org)}/receivables?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    rows.push(...(body.receivables || []));
    cursor = body.next_cursor;
    more.hidden = !cursor;
    more.disabled = false;
    list.replaceChildren(table([
      { label: 'Receivable', cell: (r) => link(`/fin/receivables/${r.id}`, r.id, { class: 'mono' }) },
      { label: 'State', cell: (r) => stateBadge(r.state) },
      { label: 'Amount', cell: (r) => formatAmount(r.amount, r.currency), cls: 'num' },
      { label: 'Due', cell: (r) => r.due_date, cls: 'hide-sm' },
      { label: `${reader.org} is`, cell: (r) => (r.roles || []).join(', ') },
    ], rows, { empty: `${reader.org} is a party of no receivable.` }));
  };
  more.addEventListener('click', () => load().catch((e) => list.append(errorBox(e))));
  await load();
  main.append(section(`Receivables of ${reader.org}`, list, h('div', { class: 'pager' }, more)));
}

function row(k, v) {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return null;
  return [h('dt', {}, k), h('dd', {}, v)];
}

const orgLink = (org) => (org ? link(`/orgs/${encodeURIComponent(org)}`, org) : '');

// The parts as a nested list from the root: amount, holder, state, encumbrance or offer.
function tree(parts, rootId, money) {
  const seen = new Set();
  const node = (pid) => {
    const p = parts[pid];
    if (!p || seen.has(pid)) return h('li', {}, h('span', { class: 'mono' }, pid), ' (missing)');
    seen.add(pid);
    const kids = Array.isArray(p.children) ? p.children : [];
    return h('li', { 'data-part': pid, 'data-state': p.state },
      h('div', { class: 'part' },
        h('span', { class: 'mono' }, pid === rootId ? pid : pid.slice(rootId.length) || pid), ' ',
        h('strong', {}, money(p.amount)), ' ',
        p.state === 'SPLIT' ? badge('split') : ['held by ', orgLink(p.holder), ' ', stateBadge(p.state)],
        p.encumbrance ? [' ', badge(`${KIND[p.encumbrance.kind] || p.encumbrance.kind} · ${p.encumbrance.financier} · ${String(p.encumbrance.state).toLowerCase()}`,
          p.encumbrance.state === 'ACTIVE' ? 'warn' : '')] : null,
        p.offer ? [' ', badge(`offered to ${p.offer.bank}`, '')] : null),
      kids.length ? h('ul', {}, kids.map(node)) : null);
  };
  return h('ul', { class: 'tree' }, node(rootId));
}

const ACTION = {
  register: 'Registered', confirm: 'Confirmed by the debtor', dispute: 'Disputed', resolve: 'Dispute resolved',
  reject: 'Rejected', cancel: 'Cancelled', split: 'Split', transfer: 'Transferred', offer_finance: 'Offered for financing',
  withdraw_offer: 'Offer withdrawn', accept_finance: 'Financed', release: 'Released', settle: 'Settled',
};

// One line for an entry's args, in the reader's words (the raw entry is in the tx page).
function argsText(action, a, rootId, money) {
  if (!a || typeof a !== 'object') return '';
  const part = (p) => (typeof p === 'string' && p.startsWith(rootId) && p !== rootId ? `part ${p.slice(rootId.length)}` : 'the whole receivable');
  switch (action) {
    case 'register': return [a.invoices && a.invoices.map((i) => `invoice ${i.number} ${money(i.amount)} of ${i.date}`).join(', '),
      a.due_date ? `due ${a.due_date}` : '', a.require_delivery ? 'delivery evidence required' : ''].filter(Boolean).join(' · ');
    case 'split': return `${part(a.part)} into ${(a.amounts || []).map(money).join(' + ')}`;
    case 'transfer': return `${part(a.part)} to ${a.to}`;
    case 'offer_finance': return `${part(a.part)}: ${KIND[a.kind] || a.kind} of ${money(a.amount)} offered to ${a.bank}`;
    case 'accept_finance': case 'release': case 'withdraw_offer': return part(a.part);
    default: return '';
  }
}

function timeline(history, money, rootId) {
  if (!history) return h('p', { class: 'muted' }, 'No history.');
  if (history.error) return errorBox(history.error);
  const entries = history.entries || [];
  if (!entries.length) return h('p', { class: 'muted' }, 'No history.');
  return [history.more ? h('p', { class: 'muted' }, `The first ${entries.length} entries.`) : null,
    h('ol', { class: 'timeline', 'data-testid': 'rcv-timeline' }, entries.map((e) => h('li', {},
      h('div', { class: 'step' }, ACTION[e.action] || e.action, e.org ? ` by ${e.org}` : ''),
      h('div', {}, argsText(e.action, e.args, rootId, money)),
      h('div', { class: 'muted' }, [e.time_ms !== undefined ? utc(e.time_ms) : '', e.height !== undefined ? `block ${e.height}` : ''].filter(Boolean).join(' · ')),
      e.tx ? h('div', { class: 'small-link' }, hashLink(`/txs/${e.tx}`, e.tx, 8)) : null)))];
}
