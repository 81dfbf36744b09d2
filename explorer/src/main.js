// main.js — the explorer's router: routes by location.pathname (history API, no hash), so the
// node's Digital Link paths (/01/...) open the trace page directly.
import { blockPage, blocksList } from './pages/blocks.js';
import { dashboard } from './pages/dashboard.js';
import { finCheckPage } from './pages/fincheck.js';
import { accountPage, orgPage, orgsPage } from './pages/orgs.js';
import { productPage } from './pages/product.js';
import { borrowerPage, gazettePage, pledgeRecordPage, pledgeRecordsPage } from './pages/pledge.js';
import { receivablePage, receivablesPage } from './pages/receivable.js';
import { alertsPage } from './pages/regulator.js';
import { searchPage } from './pages/search.js';
import { tracePage } from './pages/trace.js';
import { txPage } from './pages/tx.js';
import { errorBox, h } from './ui.js';
import { get } from './api.js';

// [pattern, page, options]; `reader: true` marks pages that sign their reads with a reader's key
// (session.js).
const ROUTES = [
  [/^\/$/, dashboard],
  [/^\/blocks\/?$/, blocksList],
  [/^\/blocks\/(\d{1,19}|[0-9a-fA-F]{64})$/, blockPage],
  [/^\/txs\/([0-9a-fA-F]{64})$/, txPage],
  [/^\/search\/?$/, searchPage],
  [/^\/orgs\/?$/, orgsPage],
  [/^\/orgs\/([a-z0-9_-]{1,64})$/, orgPage],
  [/^\/accounts\/([0-9a-fA-F]{64})$/, accountPage],
  [/^\/products\/(\d{8,14})$/, productPage],
  [/^(\/(?:01|00|414|8004)\/.+)$/, tracePage],
  [/^\/(?:fin\/check|finance)\/?$/, finCheckPage, { reader: true }],
  [/^\/fin\/receivables\/?$/, receivablesPage, { reader: true }],
  [/^\/fin\/receivables\/(rcv_[0-9a-f]{20})$/, receivablePage, { reader: true }],
  [/^\/fin\/borrowers\/?$/, borrowerPage, { reader: true }],
  [/^\/fin\/borrowers\/([a-z0-9_-]{1,64})$/, borrowerPage, { reader: true }],
  [/^\/plg\/gazette\/?$/, gazettePage],
  [/^\/plg\/gazette\/([^/]{1,240})$/, gazettePage],
  [/^\/plg\/records\/?$/, pledgeRecordsPage, { reader: true }],
  [/^\/plg\/records\/((?:ipp|eqp|wr)_[0-9a-z]{1,76})$/, pledgeRecordPage, { reader: true }],
  [/^\/(?:reg\/alerts|reg|audit)\/?$/, alertsPage, { reader: true }],
];

let cleanups = [];
let renderSeq = 0;

function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

async function render() {
  const seq = ++renderSeq;
  for (const fn of cleanups.splice(0)) fn();
  const main = document.getElementById('main');
  const path = location.pathname;
  let match = null;
  for (const [re, page, opts] of ROUTES) {
    const m = path.match(re);
    if (m) {
      match = { page, args: m.slice(1).map(decodeURIComponent), opts: opts || {} };
      break;
    }
  }
  const ctx = {
    title: (t) => { document.title = `${t} · Tidemark`; },
    cleanup: (fn) => cleanups.push(fn),
    navigate,
  };
  const page = h('div', { class: 'page' });
  main.replaceChildren(page);
  main.setAttribute('aria-busy', 'true');
  try {
    if (!match) {
      ctx.title('Not found');
      page.append(h('h1', {}, 'Not found'), h('p', {}, 'No page here. Try the search box.'));
    } else {
      await match.page(page, ctx, ...match.args);
    }
  } catch (e) {
    if (seq === renderSeq) page.append(errorBox(e));
  } finally {
    if (seq === renderSeq) {
      main.removeAttribute('aria-busy');
      main.dataset.ready = path;
    }
  }
}

document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a[href]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  if (a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/v1/') || url.pathname.endsWith('.json')) return;
  ev.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
});
window.addEventListener('popstate', render);

function start() {
  document.getElementById('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = document.getElementById('q').value.trim();
    if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
  });
  get('/v1/status').then((s) => {
    document.getElementById('chain').textContent = `chain ${s.chain_id}`;
  }).catch(() => {});
  render();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
