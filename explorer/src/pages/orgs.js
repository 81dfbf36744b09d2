// Organisations, one organisation (roles, keys, their txs) and accounts (a key and its txs).
import { get } from '../api.js';
import { TX_CSV_COLUMNS, csvButton } from '../csv.js';
import { badge, code, facts, h, hashLink, link, section, table } from '../ui.js';
import { txTable } from './blocks.js';

const roles = (list) => h('span', { class: 'roles' }, list.map((r) => badge(r.toLowerCase().replace(/_/g, ' '))));

export async function orgsPage(main, ctx) {
  ctx.title('Organisations');
  const { orgs } = await get('/v1/orgs');
  main.append(h('h1', {}, 'Organisations'), section('Members of the consortium', table([
    { label: 'Id', cell: (o) => link(`/orgs/${o.id}`, o.id) },
    { label: 'Name', cell: (o) => o.name },
    { label: 'Roles', cell: (o) => roles(o.roles) },
    { label: 'Validator', cell: (o) => (o.validator_key ? '✔' : ''), cls: 'num' },
    { label: 'Active', cell: (o) => (o.active ? 'yes' : badge('inactive', 'bad')) },
  ], orgs)));
}

// Txs of several keys, newest first (each key's first `limit` txs).
async function txsOf(keys, limit = 50) {
  const pages = await Promise.all(keys.map((k) => get(`/v1/accounts/${k}/txs?limit=${limit}`).then((p) => p.txs.map((t) => ({ ...t, signer: k })))));
  return pages.flat().sort((a, b) => b.height - a.height || b.index - a.index);
}

export async function orgPage(main, ctx, id) {
  const o = await get(`/v1/orgs/${encodeURIComponent(id)}`);
  ctx.title(`Organisation ${o.name}`);
  const txs = await txsOf(o.keys.map((k) => k.key));
  main.append(h('h1', {}, o.name),
    section('Organisation', facts([
      ['Id', code(o.id)],
      ['Roles', roles(o.roles)],
      ['Status', o.active ? 'active' : badge('inactive', 'bad')],
      ['Validator key', o.validator_key ? code(o.validator_key) : 'none'],
      ['Service key (consumer scans)', o.service_key ? hashLink(`/accounts/${o.service_key}`, o.service_key, 16) : 'none'],
    ])),
    section('Keys', table([
      { label: 'Key', cell: (k) => hashLink(`/accounts/${k.key}`, k.key, 12) },
      { label: 'Kind', cell: (k) => k.kind },
      { label: 'Roles', cell: (k) => roles(k.roles), cls: 'hide-sm' },
      { label: 'Label', cell: (k) => k.label },
      { label: 'Active', cell: (k) => (k.active ? 'yes' : `revoked at ${k.revoked_height}`) },
    ], o.keys, { empty: 'No keys.' })),
    section('Transactions signed by its keys', txTable(txs),
      txs.length ? csvButton(`org-${o.id}-txs.csv`, TX_CSV_COLUMNS, () => txs) : null));
}

export async function accountPage(main, ctx, key) {
  const [acct, first] = await Promise.all([get(`/v1/accounts/${key}`), get(`/v1/accounts/${key}/txs?limit=50`)]);
  ctx.title(`Account ${key.slice(0, 10)}…`);
  const rec = acct.record;
  const txs = first.txs.map((t) => ({ ...t, signer: acct.key }));
  let next = first.next_cursor;
  const box = h('div');
  const more = h('button', { type: 'button', class: 'small' }, 'Load more');
  const draw = () => {
    box.replaceChildren(txTable(txs));
    more.hidden = !next;
  };
  more.addEventListener('click', async () => {
    const p = await get(`/v1/accounts/${key}/txs?limit=50&cursor=${encodeURIComponent(next)}`);
    txs.push(...p.txs.map((t) => ({ ...t, signer: acct.key })));
    next = p.next_cursor;
    draw();
  });
  draw();
  main.append(h('h1', {}, 'Account'), h('p', { class: 'mono break' }, acct.key),
    section('Key', rec ? facts([
      ['Organisation', link(`/orgs/${rec.org}`, rec.org)],
      ['Kind', rec.kind],
      ['Roles', rec.roles.length ? roles(rec.roles) : 'none'],
      ['Label', rec.label],
      ['Status', rec.active ? `active since height ${rec.enrolled_height}` : `revoked at height ${rec.revoked_height}`],
    ]) : h('p', { class: 'muted' }, 'The identity contract does not know this key.')),
    section('Transactions (oldest first)', box, h('div', { class: 'card-tools' }, more,
      csvButton(`account-${key.slice(0, 12)}-txs.csv`, TX_CSV_COLUMNS, () => txs))));
}
