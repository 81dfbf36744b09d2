// The pledge registry pages (docs/finance.md §12-§17):
//   /plg/gazette[/{no}]   the public register: a lookup by registration number, showing exactly
//                         what the gazette entry holds, its proof verified in this browser
//   /plg/records          the pledge records of the signed-in organisation (or, for the
//                         regulator, of any organisation: ?org=)
//   /plg/records/{id}     one pledge record (IP pledge, equity pledge, warehouse receipt) and its
//                         history, for its parties and the regulator, verified
//   /fin/borrowers[/{org}] a bank's or the regulator's view of a borrower: receivables, IP
//                         assets, equity holdings, receipts, each with its encumbrance standing
// Signed reads go through session.js; the node answers a non-party with the one 403, which says
// nothing about whether the record exists.
import { ApiError, getJson, routes } from '../api.js';
import { formatAmount } from '../fin.js';
import { BORROWER_SECTIONS, ORG_ID, PlgInputError, borrowerItems, gazetteChanges, gazetteKey,
  gazetteRows, itemStanding, recordFamily, recordKey, registrationNo, verifyBorrowerAnswer, verifyKeyAnswer } from '../plg.js';
import { currentReader, signInPanel, signedGet } from '../session.js';
import { append, badge, h, hashLink, link, problemText, section, table, utc } from '../ui.js';
import { trustAnchor } from '../verify.js';

// ---- shared: errors and the verified mark -------------------------------------------------------

const isNetworkError = (e) => e instanceof TypeError || (e && e.name === 'TypeError');

/**
 * A notice for a failed read, in the reader's words: 401 (signature refused), 403 (`notParty`),
 * 404 (`notFound`), a network error, anything else with the node's problem text. The notice has
 * data-testid `read-error` and data-status (401, 403, 404, network, ...).
 */
export function readFailure(e, { notParty, notFound, forbidden } = {}) {
  let text;
  let status = 'error';
  if (e instanceof ApiError) {
    status = String(e.status);
    if (e.status === 401) text = `The node did not accept your signature: ${problemText(e)}`;
    else if (e.status === 403) text = forbidden || notParty || 'Your organisation is not a party of this record, so the ledger does not show it.';
    else if (e.status === 404) text = notFound || `Not found: ${problemText(e)}`;
    else if (e.status === 400) text = `The node refused the request: ${problemText(e)}`;
    else text = `The node answered ${e.status}: ${problemText(e)}`;
  } else if (isNetworkError(e)) {
    status = 'network';
    text = 'Could not reach the node (network error). Check the connection and try again.';
  } else {
    text = problemText(e);
  }
  return h('div', { class: 'notice bad', role: 'alert', 'data-testid': 'read-error', 'data-status': status }, text);
}

// A verification mark element, filled by setMark().
const newMark = (text = 'Verifying in your browser…') => h('div', { class: 'mark pending', role: 'status', 'data-testid': 'verify-mark' }, text);

function setMark(mark, state, title, detail, more) {
  mark.className = `mark ${state}`;
  mark.dataset.state = state;
  mark.replaceChildren(...[h('strong', {}, title), h('span', {}, ` ${detail}`),
    more ? h('details', {}, h('summary', {}, 'What was checked'), h('p', {}, more)) : null].filter(Boolean));
}

// Verifies a single-key answer in the browser and sets the mark; the proven value, or null.
async function markKeyAnswer(mark, answer, key, field, what) {
  if (!answer || !answer.proof) {
    setMark(mark, 'unverified', 'Not verified.', `This node sent no proof for this ${what}.`);
    return null;
  }
  try {
    const genesis = await trustAnchor();
    const r = verifyKeyAnswer(answer, genesis, { key, field });
    setMark(mark, 'ok', '✔ Verified in your browser.',
      `${r.signers.length} of ${r.validatorCount} validators signed block ${r.height}; the Merkle proof covers this ${what}.`,
      `Signed by ${r.signers.join(', ')}, checked against the genesis validator set of ${genesis.chain_id}. Checked: ${r.checked.join(', ')}.`);
    return r.value;
  } catch (e) {
    setMark(mark, 'bad', '✘ NOT verified.', `This ${what} does not match what the validators signed (${e.reason || e.message}). Do not trust it.`);
    return null;
  }
}

const orgLink = (org) => (org ? link(`/orgs/${encodeURIComponent(org)}`, org) : '');
const stateKind = (s) => ({ REGISTERED: 'warn', CHANGED: 'warn', EXTENDED: 'warn', OBJECTED: 'bad', PLEDGED: 'warn', ISSUED: 'ok',
  APPLIED: '', RELEASED: 'ok', ENFORCED: 'bad', EXPIRED: '', WITHDRAWN: '', CANCELLED: '' }[String(s || '').toUpperCase()] ?? '');
const stateBadge = (s) => badge(String(s || '').toLowerCase(), stateKind(s));
const int = (v) => (v === undefined || v === null || v === '' ? '' : String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ','));

function facts(rows, testid) {
  const dl = h('dl', { class: 'facts', 'data-testid': testid });
  for (const [k, v] of rows) {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) continue;
    dl.append(h('dt', {}, k), h('dd', {}, v));
  }
  return dl;
}

// ---- the gazette (public) ------------------------------------------------------------------------

export async function gazettePage(main, ctx, no) {
  ctx.title(no ? `Pledge register ${no}` : 'Pledge register');
  const input = h('input', { name: 'no', type: 'search', autocomplete: 'off', spellcheck: 'false', value: no || '',
    placeholder: 'EQ-2026-000123', 'aria-label': 'Registration number', 'data-testid': 'gazette-no' });
  const msg = h('p', { role: 'status', 'data-testid': 'gazette-msg' });
  const form = h('form', { class: 'row', 'data-testid': 'gazette-form' },
    h('label', {}, 'Registration number ', input), h('button', { type: 'submit', 'data-testid': 'gazette-lookup' }, 'Look up'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    try {
      ctx.navigate(`/plg/gazette/${encodeURIComponent(registrationNo(input.value))}`);
    } catch (e) {
      msg.className = 'notice bad';
      msg.textContent = e instanceof PlgInputError ? e.message : problemText(e);
    }
  });
  main.append(h('h1', {}, 'Pledge register'),
    h('p', { class: 'lead' }, 'The public register of IP and equity pledges, as the registry publishes it: look a pledge up by its ' +
      'registration number. Anyone may read it; amounts and contracts are not published. The entry is checked in your browser ' +
      'against the validators’ signatures.'),
    section('Look up a registration', form, msg));
  if (!no) return;

  const out = h('div', { 'data-testid': 'gazette-result' });
  main.append(out);
  const path = `/v1/plg/gazette/${encodeURIComponent(no)}`;
  let answer;
  let recent = false;
  try {
    answer = (await getJson(`${path}?proof=true`)).body;
  } catch (e) {
    // A registration of the last few blocks is on the ledger before a certificate covers it: the
    // proven read says 404 while the latest state has it.
    if (e instanceof ApiError && e.status === 404) {
      try {
        answer = (await getJson(path)).body;
        recent = true;
      } catch (e2) {
        if (!(e2 instanceof ApiError && e2.status === 404)) throw e2;
      }
    } else if (!(e instanceof ApiError && e.status === 400)) {
      out.append(readFailure(e));
      return;
    }
    if (!answer) {
      out.dataset.state = 'not-found';
      out.append(h('div', { class: 'notice warn', role: 'alert', 'data-testid': 'gazette-not-found' },
        `Not found: no pledge is registered under number “${no}” on this ledger. Check the number (letters, digits and hyphens, as on the registration certificate).`));
      return;
    }
  }
  const mark = newMark();
  out.append(mark);
  let entry = answer.entry;
  if (recent) {
    setMark(mark, 'unverified', 'Not verified yet.', 'This registration is newer than the last certified block; reload in a few seconds to check it.');
  } else {
    const proven = await markKeyAnswer(mark, answer, gazetteKey(no), 'entry', 'gazette entry');
    if (proven) entry = proven;
  }
  out.dataset.state = 'found';
  const changes = gazetteChanges(entry);
  append(out, [
    section(`Registration ${entry && entry.registration_no ? entry.registration_no : no}`,
      facts(gazetteRows(entry).map(([k, v]) => [k, k === 'State' ? stateBadge(v) : v]), 'gazette-entry')),
    section('Changes', changes.length
      ? h('ol', { class: 'timeline', 'data-testid': 'gazette-changes' }, changes.map((c) => h('li', {}, h('div', { class: 'step' }, c.on), h('div', {}, c.what))))
      : h('p', { class: 'muted', 'data-testid': 'gazette-changes' }, 'No changes since registration.')),
    answer.as_of ? h('p', { class: 'muted small' }, `As of block ${answer.as_of.height}, ${utc(answer.as_of.time_ms)}.`) : null]);
}

// ---- pledge records (signed) ---------------------------------------------------------------------

const FAMILY_TEXT = { ip: 'IP pledge', equity: 'Equity pledge', receipt: 'Warehouse receipt' };
const NOT_PARTY = 'Your organisation is not a party of this pledge record (or there is no such record): the ledger shows a ' +
  'pledge record only to its pledgor, pledgee, co-owners, issuer or holder and to the regulator, and does not say whether it exists to anyone else.';

function recordRows(id, rec) {
  const family = recordFamily(id);
  const money = (a) => formatAmount(a, rec.currency);
  const rows = [['State', stateBadge(rec.state)], ['Kind', FAMILY_TEXT[family] || family]];
  if (family === 'equity') {
    rows.push(['Company', rec.company ? `${rec.company}${rec.uscc ? ` (USCC ${rec.uscc})` : ''}` : rec.uscc],
      ['Pledgor', orgLink(rec.pledgor)], ['Pledgee', orgLink(rec.pledgee)],
      ['Pledged', rec.amount !== undefined ? `${int(rec.amount)} (shares, or registered capital in minor units)` : ''],
      ['Secured debt', money(rec.debt_amount)], ['Debt due', rec.debt_due]);
  } else if (family === 'ip') {
    rows.push(['Asset', rec.asset], ['Pledgor', orgLink(rec.pledgor)], ['Pledgee', orgLink(rec.pledgee)],
      ['Co-owners', (rec.co_owners || []).join(', ')], ['Consents', (rec.consents || []).join(', ')],
      ['Secured debt', money(rec.debt_amount)], ['Debt term', rec.debt_start || rec.debt_due ? `${rec.debt_start || '…'} to ${rec.debt_due || '…'}` : ''],
      ['Invalidation acknowledged', rec.acknowledge_invalidation ? 'yes' : '']);
  } else {
    const p = rec.pledge || null;
    rows.push(['Issuer', orgLink(rec.issuer)], ['Holder', orgLink(rec.holder)],
      ['Items covered', Array.isArray(rec.items) ? `${rec.items.length}` : ''], ['Items released', Array.isArray(rec.released) && rec.released.length ? `${rec.released.length}` : ''],
      ['Pledged to', p ? [orgLink(p.bank), ` for ${formatAmount(p.amount, p.currency)}, due ${p.debt_due || '…'}`] : ''],
      ['Offered to', rec.offer ? [orgLink(rec.offer.bank), ` for ${formatAmount(rec.offer.amount, rec.offer.currency)}`] : '']);
  }
  if (rec.pledgee_accepted !== undefined) rows.push(['Pledgee accepted', rec.pledgee_accepted ? 'yes' : 'not yet']);
  rows.push(['Registration number', rec.registration_no ? link(`/plg/gazette/${encodeURIComponent(rec.registration_no)}`, rec.registration_no) : ''],
    ['Registered at', rec.registered_height !== undefined ? `block ${rec.registered_height}` : ''],
    ['Contract', rec.contract_hash ? h('span', { class: 'mono', title: rec.contract_hash }, `SHA-256 ${String(rec.contract_hash).slice(0, 16)}…`) : ''],
    ['Created at', rec.created_height !== undefined ? `block ${rec.created_height}` : ''],
    ['Parties', (rec.parties || []).join(', ')]);
  return rows;
}

const ACTION = {
  eq_apply: 'Applied for', eq_accept: 'Accepted', eq_register: 'Registered', eq_change: 'Changed',
  eq_release: 'Released', eq_enforce: 'Enforced', eq_withdraw: 'Withdrawn',
  ip_apply: 'Applied for', ip_accept: 'Accepted', ip_consent: 'Co-owner consented', ip_register: 'Registered',
  ip_change: 'Changed', ip_object: 'Objection filed', ip_resolve_objection: 'Objection resolved', ip_release: 'Released',
  ip_enforce: 'Enforced', ip_expire: 'Expired', ip_withdraw: 'Withdrawn', ip_pledgee_consent: 'Pledgee consented',
  wr_issue: 'Issued', wr_offer: 'Offered to a bank', wr_accept: 'Pledged (bank accepted)', wr_release: 'Released',
  wr_cancel: 'Cancelled', wr_transfer: 'Transferred',
};

function argsLine(action, a) {
  if (!a || typeof a !== 'object') return '';
  const parts = [];
  if (a.registration_no) parts.push(`registration ${a.registration_no}`);
  if (a.pledgee) parts.push(`pledgee ${a.pledgee}`);
  if (a.bank) parts.push(`bank ${a.bank}`);
  if (a.to) parts.push(`to ${Array.isArray(a.to) ? a.to.join(', ') : a.to}`);
  if (a.amount !== undefined && action.startsWith('eq_')) parts.push(`${int(a.amount)} pledged`);
  if (a.debt_amount !== undefined) parts.push(`debt ${formatAmount(a.debt_amount, a.currency)}`);
  if (a.debt_due) parts.push(`due ${a.debt_due}`);
  if (Array.isArray(a.items)) parts.push(`${a.items.length} item${a.items.length === 1 ? '' : 's'}`);
  if (a.quantity !== undefined) parts.push(`${a.quantity} items`);
  return parts.join(' · ');
}

function timeline(history) {
  if (!history) return h('p', { class: 'muted' }, 'No history.');
  if (history.error) return readFailure(history.error, { notParty: NOT_PARTY });
  const entries = history.entries || [];
  if (!entries.length) return h('p', { class: 'muted' }, 'No history.');
  return h('ol', { class: 'timeline', 'data-testid': 'plg-timeline' }, entries.map((e) => h('li', {},
    h('div', { class: 'step' }, ACTION[e.action] || e.action, e.org ? ` by ${e.org}` : ''),
    h('div', {}, argsLine(String(e.action || ''), e.args)),
    h('div', { class: 'muted' }, [e.time_ms !== undefined ? utc(e.time_ms) : '', e.height !== undefined ? `block ${e.height}` : ''].filter(Boolean).join(' · ')),
    e.tx ? h('div', { class: 'small-link' }, hashLink(`/txs/${e.tx}`, e.tx, 8)) : null)));
}

export async function pledgeRecordPage(main, ctx, id) {
  ctx.title(id);
  const rerender = () => ctx.navigate(location.pathname, { replace: true });
  main.append(h('h1', {}, FAMILY_TEXT[recordFamily(id)] || 'Pledge record', ' ', h('span', { class: 'mono' }, id)),
    signInPanel(ctx, { onChange: rerender, purpose: 'Pledge records are readable by their parties and the regulator only: sign in with your organisation’s key.' }));
  if (!currentReader()) {
    main.append(h('p', { class: 'muted', 'data-testid': 'need-key' }, 'Load your key file to read this pledge record.'));
    return;
  }
  const path = `/v1/plg/records/${encodeURIComponent(id)}`;
  let answer;
  let history;
  try {
    [{ body: answer }, history] = await Promise.all([
      signedGet(`${path}?proof=true`),
      signedGet(`${path}/history`).then((r) => r.body).catch((e) => ({ error: e })),
    ]);
  } catch (e) {
    main.append(readFailure(e, { notParty: NOT_PARTY, notFound: NOT_PARTY }));
    return;
  }
  const mark = newMark();
  main.append(mark);
  const rec = (await markKeyAnswer(mark, answer, recordKey(id), 'record', 'pledge record')) || answer.record || {};
  append(main, [section('Record', facts(recordRows(id, rec), 'plg-facts')),
    section('History', timeline(history))]);
}

export async function pledgeRecordsPage(main, ctx) {
  ctx.title('Pledges');
  const rerender = () => ctx.navigate(location.pathname + location.search, { replace: true });
  main.append(h('h1', {}, 'Pledges'),
    h('p', { class: 'lead' }, 'IP pledges, equity pledges and warehouse receipts of an organisation. The public register is ',
      link('/plg/gazette', 'the pledge register'), '.'),
    signInPanel(ctx, { onChange: rerender, purpose: 'Sign in with your organisation’s key to list the pledge records it is a party of (the regulator: of any organisation).' }));
  const reader = currentReader();
  if (!reader) {
    main.append(h('p', { class: 'muted', 'data-testid': 'need-key' }, 'Load your key file to list pledge records.'));
    return;
  }
  const asked = new URLSearchParams(location.search).get('org');
  const org = asked && ORG_ID.test(asked) ? asked : reader.org;
  if (!org) {
    main.append(h('div', { class: 'notice bad', role: 'alert' }, 'This key belongs to no organisation on this ledger.'));
    return;
  }
  const orgInput = h('input', { name: 'org', type: 'text', value: org, autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Organisation id', 'data-testid': 'records-org' });
  const form = h('form', { class: 'row', action: '/plg/records' }, h('label', {}, 'Organisation ', orgInput), h('button', { type: 'submit' }, 'List'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const o = orgInput.value.trim().toLowerCase();
    if (ORG_ID.test(o)) ctx.navigate(`/plg/records?org=${encodeURIComponent(o)}`);
  });
  const box = section(`Pledge records of ${org}`, form);
  main.append(box);
  let body;
  try {
    ({ body } = await signedGet(`/v1/plg/parties/${encodeURIComponent(org)}/records`));
  } catch (e) {
    box.append(readFailure(e));
    return;
  }
  const rows = (body.records || []).map((r) => ({ id: r.id, ...(r.record || {}) }));
  box.append(h('div', { 'data-testid': 'plg-list' }, table([
    { label: 'Record', cell: (r) => link(`/plg/records/${r.id}`, r.id, { class: 'mono' }) },
    { label: 'Kind', cell: (r) => FAMILY_TEXT[recordFamily(r.id)] || '' },
    { label: 'State', cell: (r) => stateBadge(r.state) },
    { label: 'Pledgor / holder', cell: (r) => r.pledgor || r.holder || '' },
    { label: 'Pledgee / bank', cell: (r) => r.pledgee || (r.pledge && r.pledge.bank) || '' },
    { label: 'Registration', cell: (r) => (r.registration_no ? link(`/plg/gazette/${encodeURIComponent(r.registration_no)}`, r.registration_no) : ''), cls: 'hide-sm' },
  ], rows, { empty: org === reader.org ? `${org} is a party of no pledge record.` : `No pledge record of ${org} that you may read.` })));
}

// ---- the borrower view (BANK and REGULATOR readers) -----------------------------------------------

const BORROWER_ROUTE = '/v1/fin/borrowers/{org}';

const standingKind = (s) => ({ free: 'ok', issued: '', pledged: 'warn', 'fully-pledged': 'bad', encumbered: 'bad', registered: 'warn',
  closed: '' }[String(s || '').toLowerCase()] ?? '');
const standingBadge = (s) => (s ? badge(s, standingKind(s)) : '');
const KIND_OF_FIN = { pledge: 'pledge', factoring_recourse: 'factoring with recourse', factoring_nonrecourse: 'factoring without recourse' };

// Priority: the encumbrances / pledges over an item, rank 1 first, in words.
function ranked(list, line) {
  const l = (Array.isArray(list) ? list : list ? [list] : []).filter((x) => x && typeof x === 'object');
  if (!l.length) return h('span', { class: 'muted' }, 'none');
  return h('ol', { class: 'ranks' }, [...l].sort((a, b) => (a.rank ?? 1) - (b.rank ?? 1)).map((x) =>
    h('li', { value: String(x.rank ?? 1) }, line(x))));
}

// The columns of each section: [label, cell, cls?].
const BORROWER_COLUMNS = {
  receivables: [
    ['Receivable', (it) => link(`/fin/receivables/${it.id}`, it.id, { class: 'mono' })],
    ['Amount', (it) => formatAmount(it.amount, it.currency), 'num'],
    ['State', (it) => stateBadge(it.state)],
    ['Due', (it) => it.due_date || '', 'hide-sm'],
    ['Standing', (it) => standingBadge(itemStanding(it))],
    ['Priority', (it) => ranked(it.encumbrances, (e) => `${KIND_OF_FIN[e.kind] || e.kind || ''} · ${e.financier || ''} · ${formatAmount(e.amount, it.currency)}${e.part && e.part !== it.id ? ` (part ${e.part.slice(it.id.length)})` : ''}`)],
  ],
  ip_assets: [
    ['IP asset', (it) => [h('span', { class: 'mono' }, it.asset || ''), it.title ? h('div', { class: 'muted small' }, it.title) : '']],
    ['Status', (it) => [it.status || '', it.expiry_date ? h('div', { class: 'muted small' }, `expires ${it.expiry_date}`) : '']],
    ['Standing', (it) => standingBadge(itemStanding(it))],
    ['Priority', (it) => ranked(it.pledge, (p) => [p.pledgee || '', p.registration_no ? [' · ', link(`/plg/gazette/${encodeURIComponent(p.registration_no)}`, p.registration_no)] : '',
      p.id ? [' · ', link(`/plg/records/${p.id}`, 'record')] : ''])],
  ],
  equity: [
    ['Company', (it) => [it.company || '', h('div', { class: 'muted small' }, `USCC ${it.uscc || ''}`)]],
    ['Held', (it) => [int(it.amount), h('div', { class: 'muted small' }, it.listed ? 'shares' : 'registered capital, minor units')], 'num'],
    ['Standing', (it) => standingBadge(itemStanding(it))],
    ['Priority', (it) => ranked(it.pledges, (p) => [p.pledgee || '', p.amount !== undefined ? ` · ${int(p.amount)}` : '',
      p.registration_no ? [' · ', link(`/plg/gazette/${encodeURIComponent(p.registration_no)}`, p.registration_no)] : '',
      p.id ? [' · ', link(`/plg/records/${p.id}`, 'record')] : ''])],
  ],
  receipts: [
    ['Receipt', (it) => link(`/plg/records/${it.id}`, it.id, { class: 'mono' })],
    ['Borrower is', (it) => (Array.isArray(it.as) ? it.as.join(', ') : '')],
    ['Covers', (it) => (it.item_count !== undefined ? `${it.item_count} items` : ''), 'num'],
    ['Standing', (it) => standingBadge(itemStanding(it))],
    ['Priority', (it) => ranked(it.pledge, (p) => `${p.bank || ''}${p.amount !== undefined ? ` · ${formatAmount(p.amount, p.currency)}` : ''}`)],
  ],
};

export async function borrowerPage(main, ctx, org) {
  ctx.title(org ? `Borrower ${org}` : 'Borrowers');
  const rerender = () => ctx.navigate(location.pathname, { replace: true });
  const input = h('input', { name: 'org', type: 'text', value: org || '', autocomplete: 'off', spellcheck: 'false', placeholder: 'platform',
    'aria-label': 'Borrower organisation id', 'data-testid': 'borrower-org' });
  const msg = h('p', { role: 'status' });
  const form = h('form', { class: 'row' }, h('label', {}, 'Borrower (organisation id) ', input), h('button', { type: 'submit', 'data-testid': 'borrower-go' }, 'Show'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const o = input.value.trim().toLowerCase();
    if (!ORG_ID.test(o)) {
      msg.className = 'notice bad';
      msg.textContent = 'An organisation id: lower-case letters, digits, “-” and “_”, such as platform.';
      return;
    }
    ctx.navigate(`/fin/borrowers/${encodeURIComponent(o)}`);
  });
  main.append(h('h1', {}, 'Borrower view', org ? [' ', h('span', { class: 'mono' }, org)] : ''),
    h('p', { class: 'lead' }, 'Before lending, a bank sees what a borrower has pledged or financed: its receivables (those your ' +
      'organisation is a party of), IP assets, equity holdings and warehouse receipts, each with its encumbrance standing and ' +
      'priority, proven against the validators’ signatures.'),
    signInPanel(ctx, { onChange: rerender, purpose: 'A BANK or REGULATOR key signs this read.' }),
    section('Borrower', form, msg));
  if (!org) return;
  if (!currentReader()) {
    main.append(h('p', { class: 'muted', 'data-testid': 'need-key' }, 'Load your key file to see this borrower.'));
    return;
  }
  const out = h('div', { 'data-testid': 'borrower-result' });
  main.append(out);
  const notAvailable = () => {
    out.dataset.state = 'not-available';
    out.append(h('div', { class: 'notice warn', role: 'alert', 'data-testid': 'borrower-not-available' },
      'The borrower view is not available on this node yet (GET /v1/fin/borrowers/{org} is not served). Ask the node’s operator, or use the ',
      link('/fin/check', 'bank check'), ' and the ', link('/plg/gazette', 'pledge register'), ' meanwhile.'));
  };
  if (!(await routes()).has(BORROWER_ROUTE)) return notAvailable();
  let answer;
  try {
    ({ body: answer } = await signedGet(`/v1/fin/borrowers/${encodeURIComponent(org)}`));
  } catch (e) {
    // The router's own 404 ("no route for GET …"): this node does not serve the view.
    if (e instanceof ApiError && e.status === 404 && (!e.problem || /^no route for /.test(e.problem.detail || ''))) return notAvailable();
    out.dataset.state = 'error';
    out.append(readFailure(e, { forbidden: 'Only banks and the regulator may see a borrower view: your organisation has neither role.',
      notFound: `Not found: ${e.problem && e.problem.detail ? e.problem.detail : `no organisation ${org}`}.` }));
    return;
  }
  out.dataset.state = 'found';
  const mark = newMark();
  out.append(mark);
  try {
    const genesis = await trustAnchor();
    const r = verifyBorrowerAnswer(answer, genesis, org);
    if (!r.checked) setMark(mark, 'ok', 'Nothing to prove.', 'This borrower has nothing on the ledger that you may see, so there is no standing to prove.');
    else {
      setMark(mark, 'ok', '✔ Verified in your browser.',
        `${r.signers.length} of ${r.validatorCount} validators signed block ${r.height}; the Merkle proof covers the ${r.checked} standing${r.checked === 1 ? '' : 's'} shown.`,
        `Signed by ${r.signers.join(', ')}, checked against the genesis validator set of ${genesis.chain_id}. A standing proven absent is free.`);
    }
  } catch (e) {
    setMark(mark, 'bad', '✘ NOT verified.', `These standings do not match what the validators signed (${e.reason || e.message}). Do not lend on them.`);
  }
  if (Array.isArray(answer.truncated) && answer.truncated.length) {
    out.append(h('div', { class: 'notice warn', 'data-testid': 'borrower-truncated' },
      `Not complete: the node listed only the first items of ${answer.truncated.join(', ')}.`));
  }
  for (const sec of BORROWER_SECTIONS) {
    const items = borrowerItems(answer, sec);
    const cols = BORROWER_COLUMNS[sec.field].map(([label, cell, cls]) => ({ label, cell, cls }));
    out.append(section(sec.title, h('div', { 'data-testid': `borrower-${sec.field}` }, table(cols, items, { empty: `No ${sec.what}s.` }))));
  }
  if (answer.as_of) out.append(h('p', { class: 'muted small' }, `As of block ${answer.as_of.height}, ${utc(answer.as_of.time_ms)}.`));
}
