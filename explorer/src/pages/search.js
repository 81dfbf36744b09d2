// Search results: one box for heights, hashes, txs, keys, GTINs, Digital Links, EPC URNs, orgs.
import { get } from '../api.js';
import { badge, h, link, section } from '../ui.js';

export async function searchPage(main, ctx) {
  const q = (new URLSearchParams(location.search).get('q') || '').trim();
  ctx.title(`Search ${q}`);
  const input = document.getElementById('q');
  if (input) input.value = q;
  if (!q) {
    main.append(h('h1', {}, 'Search'), h('p', {}, 'Type a block height or hash, a tx id, a key, a GTIN, a Digital Link, an EPC URN or an organisation.'));
    return;
  }
  const r = await get(`/v1/search?q=${encodeURIComponent(q)}`);
  if (r.results.length === 1 && new URLSearchParams(location.search).get('list') !== '1') {
    ctx.navigate(r.results[0].path, { replace: true });
    return;
  }
  main.append(h('h1', {}, 'Search results'),
    section(`“${q}”`, r.results.length
      ? h('ul', { class: 'results', 'data-testid': 'search-results' }, r.results.map((x) =>
        h('li', {}, badge(x.kind), ' ', link(x.path, x.label), h('div', { class: 'muted mono break' }, x.id))))
      : h('p', { class: 'muted', 'data-testid': 'search-empty' }, 'Nothing on the ledger matches.')));
}
