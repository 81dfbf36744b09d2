// A product (GTIN): master data and its lots, with links to the lots' trace pages.
import { get } from '../api.js';
import { badge, code, facts, h, link, section, table } from '../ui.js';
import { country } from './trace.js';

export async function productPage(main, ctx, gtin) {
  const r = await get(`/v1/products/${gtin}`);
  const p = r.product || {};
  ctx.title(p.name || `GTIN ${r.gtin}`);
  main.append(h('h1', {}, p.name || `GTIN ${r.gtin}`),
    section('Product', facts([
      ['GTIN', code(r.gtin)],
      ['Brand', p.brand],
      ['Origin', country(p.origin_country)],
      ['Registered by', p.owner ? link(`/orgs/${p.owner}`, p.owner) : ''],
      ['Description', p.description],
      ['Digital Link', link(`/01/${r.gtin}`, `/01/${r.gtin}`)],
    ])),
    section('Lots', table([
      { label: 'Lot', cell: (l) => link(l.id, l.lot || l.id) },
      { label: 'Made', cell: (l) => l.production_date || '' },
      { label: 'Expires', cell: (l) => l.expiry_date || '' },
      { label: 'Inspection', cell: (l) => (l.conformance ? badge(l.conformance.replace('_', '-'), l.conformance === 'conformant' ? 'ok' : 'bad') : '') },
      { label: 'Recall', cell: (l) => (l.recalled ? badge('recalled', 'bad') : '') },
    ], r.lots, { empty: 'No lots registered.' })));
}
