// Transaction page: status, signer, nonce, decoded payload, receipt events, raw JSON with copy.
import { getJson } from '../api.js';
import { code, copyButton, facts, h, hashLink, link, pretty, section, statusBadge } from '../ui.js';

export async function txPage(main, ctx, id) {
  const { body: t, text } = await getJson(`/v1/txs/${id}`);
  ctx.title(`Tx ${id.slice(0, 10)}…`);
  const tx = t.tx || {};
  const rc = t.receipt;
  main.append(
    h('h1', {}, 'Transaction'),
    h('p', { class: 'mono break' }, t.id),
    section('Summary', facts([
      ['Status', h('span', { 'data-testid': 'tx-status' }, statusBadge(t.status))],
      ['Reason', t.reason || (rc && rc.reason) || ''],
      ['Block', t.height !== undefined ? h('span', {}, link(`/blocks/${t.height}`, String(t.height)), ` · index ${t.index}`) : 'not in a block yet'],
      ['Signer', tx.signer ? hashLink(`/accounts/${tx.signer}`, tx.signer, 16) : ''],
      ['Nonce', tx.nonce !== undefined ? String(tx.nonce) : ''],
      ['Call', tx.contract ? code(`${tx.contract}.${tx.method}`) : ''],
      ['Expires at height', tx.expiry_height === null || tx.expiry_height === undefined ? 'never' : String(tx.expiry_height)],
      ['Signature', tx.signature ? code(`${tx.signature.slice(0, 32)}…`) : ''],
    ])),
    section('Payload (decoded arguments)', h('pre', { class: 'json', 'data-testid': 'tx-args' }, pretty(tx.args === undefined ? null : tx.args))),
    rc ? section('Events', rc.events.length
      ? h('ul', { class: 'events' }, rc.events.map((e) => h('li', {}, code(e.type), h('pre', { class: 'json' }, pretty(e.data)))))
      : h('p', { class: 'muted' }, 'No events.')) : null,
    section('Raw JSON', h('div', { class: 'card-tools' }, copyButton(() => text, 'Copy JSON')),
      h('pre', { class: 'json raw', 'data-testid': 'tx-raw' }, pretty(JSON.parse(text)))));
}
