// Pages behind a reader's key (finance lookup, audit). Finance records are readable only by their
// parties, the regulator and banks (DESIGN.md §3): such pages sign their reads with the reader's
// key (domain "read"). They arrive with the finance contracts; the route table already marks them.
import { h, section } from '../ui.js';

export function readerPage(title, purpose) {
  return async (main, ctx) => {
    ctx.title(title);
    main.append(h('h1', {}, title), section('Not available yet', h('p', {}, purpose),
      h('p', { class: 'muted' }, 'This page needs a reader’s key and the finance contracts, which this network does not run yet.')));
  };
}
