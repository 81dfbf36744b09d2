// The dashboard: height, finality, throughput, a live TPS / block-time chart fed by the node's
// server-sent events, validators' signed / missed certificates, recent blocks and txs.
import { get } from '../api.js';
import { drawChart, series } from '../chart.js';
import { isPaused, onEvent, onState, setPaused } from '../live.js';
import { age, badge, h, hashLink, link, section, statusBadge, table, utc } from '../ui.js';

const N = 60;

export async function dashboard(main, ctx) {
  const [status, stats] = await Promise.all([get('/v1/status'), get(`/v1/stats?blocks=${N}`)]);
  ctx.title('Dashboard');
  let blocks = stats.blocks.map((b) => ({ ...b }));
  let validators = stats.validators;
  let finality = stats;  // finality_ms, finality_source, finality_txs
  const quorum = stats.quorum;
  let height = status.height;
  const recentTxs = [];
  let lastStats = Date.now();

  const cell = (id, label, note) => h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value', 'data-testid': id, id: `stat-${id}` }, '–'),
    ...(note ? [h('div', { class: 'stat-note', 'data-testid': `${id}-note`, id: `stat-${id}-note` }, '')] : []));
  const finalityCell = cell('finality', 'Finality (median)', true);
  finalityCell.title = 'From submission to commit, as this node measured it';
  const stateLabel = h('span', { class: 'live-state', 'data-testid': 'live-state', role: 'status' }, '');
  const pause = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false' }, 'Pause');
  pause.addEventListener('click', () => {
    setPaused(!isPaused());
    pause.textContent = isPaused() ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(isPaused()));
  });
  const chartBox = h('div', { class: 'chart-box' });
  const valBox = h('div');
  const blocksBox = h('div');
  const txsBox = h('div');

  main.append(
    h('h1', {}, 'Dashboard'),
    h('div', { class: 'stats' }, cell('height', 'Chain height'), finalityCell,
      cell('txs', `Txs, last ${N} blocks`), cell('tps', 'TPS'), cell('blocktime', 'Block time'),
      cell('mempool', 'Pending txs')),
    h('section', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', {}, 'Throughput'), h('div', { class: 'live' }, stateLabel, pause)),
      chartBox,
      h('p', { class: 'legend' }, h('span', { class: 'key bar' }), ' tx/s per block  ', h('span', { class: 'key line' }), ' block time (ms)')),
    h('div', { class: 'grid2' },
      section(`Validators (last ${N} blocks)`, valBox),
      section('Latest blocks', blocksBox, h('p', {}, link('/blocks', 'All blocks →')))),
    section('Latest transactions', txsBox));

  function render() {
    const set = (id, v) => { document.getElementById(`stat-${id}`).textContent = v; };
    const pts = series(blocks);
    const span = blocks.length > 1 ? blocks.at(-1).timestamp_ms - blocks[0].timestamp_ms : 0;
    const txs = blocks.reduce((s, b) => s + b.tx_count, 0);
    const txsAfterFirst = txs - (blocks[0] ? blocks[0].tx_count : 0);
    set('height', String(height));
    const fms = finality.finality_ms;
    set('finality', fms === null || fms === undefined ? '–' : `${fms} ms`);
    // What a tx waits, submission to commit, as this node measured it; empty heartbeat blocks,
    // which nobody waits for, are not counted.
    set('finality-note', finality.finality_source === 'txs'
      ? `of the last ${finality.finality_txs} txs`
      : finality.finality_source === 'blocks' ? 'of blocks with txs' : 'no txs yet');
    set('txs', String(txs));
    set('tps', span > 0 ? (txsAfterFirst * 1000 / span).toFixed(1) : '0');
    set('blocktime', pts.length ? `${Math.round(span / (blocks.length - 1))} ms` : '–');
    chartBox.replaceChildren(drawChart(blocks, chartBox.clientWidth || 640));
    valBox.replaceChildren(table([
      { label: '#', cell: (v) => String(v.index) },
      { label: 'Organisation', cell: (v) => link(`/orgs/${v.org}`, v.org) },
      { label: 'Key', cell: (v) => hashLink(`/accounts/${v.key}`, v.key, 8), cls: 'hide-sm' },
      { label: 'Signed', cell: (v) => String(v.signed), cls: 'num' },
      { label: 'Missed', cell: (v) => (v.missed ? badge(String(v.missed), 'warn') : '0'), cls: 'num' },
      { label: 'Proposed', cell: (v) => String(v.proposed), cls: 'num hide-sm' },
    ], validators, { empty: 'No validators.' }),
    h('p', { class: 'legend' }, `Signed: commit certificates carrying its signature. A certificate needs only ${quorum} signatures, so a validator whose vote came after the quorum counts as missed.`));
    blocksBox.replaceChildren(table([
      { label: 'Height', cell: (b) => link(`/blocks/${b.height}`, String(b.height)) },
      { label: 'Age', cell: (b) => h('time', { datetime: new Date(b.timestamp_ms).toISOString(), title: utc(b.timestamp_ms) }, age(b.timestamp_ms)) },
      { label: 'Txs', cell: (b) => String(b.tx_count), cls: 'num' },
      { label: 'Proposer', cell: (b) => (validators[b.proposer] ? validators[b.proposer].org : String(b.proposer)) },
    ], blocks.slice(-8).reverse(), { empty: 'No blocks yet.' }));
    txsBox.replaceChildren(table([
      { label: 'Tx', cell: (t) => hashLink(`/txs/${t.id}`, t.id, 12) },
      { label: 'Status', cell: (t) => statusBadge(t.status) },
      { label: 'Block', cell: (t) => (t.height ? link(`/blocks/${t.height}`, String(t.height)) : '') },
    ], recentTxs, { empty: 'No recent transactions.' }));
  }

  async function refreshStats() {
    lastStats = Date.now();
    try {
      const s = await get(`/v1/stats?blocks=${N}`);
      validators = s.validators;
      finality = s;
      document.getElementById('stat-mempool').textContent = String(s.mempool_txs);
      render();
    } catch {
      // The next block retries.
    }
  }

  // The latest txs from the last blocks that carried some; live tx events are added on top.
  const withTxs = stats.blocks.filter((b) => b.tx_count > 0).slice(-3).reverse();
  const full = await Promise.all(withTxs.map((b) => get(`/v1/blocks/${b.height}`).catch(() => null)));
  for (const b of full) {
    if (!b) continue;
    b.txs.slice().reverse().forEach((t) => {
      const i = b.txs.indexOf(t);
      const r = b.receipts && b.receipts[i];
      if (recentTxs.length < 10) recentTxs.push({ id: t.id, status: r ? r.status : 'committed', height: b.header.height });
    });
  }
  document.getElementById('stat-mempool').textContent = String(stats.mempool_txs);
  render();
  const onResize = () => chartBox.replaceChildren(drawChart(blocks, chartBox.clientWidth || 640));
  window.addEventListener('resize', onResize);
  ctx.cleanup(() => window.removeEventListener('resize', onResize));
  ctx.cleanup(onState((s) => {
    stateLabel.textContent = s === 'live' ? '● live' : s === 'paused' ? '❚❚ paused' : '○ reconnecting…';
    stateLabel.className = `live-state ${s}`;
  }));
  ctx.cleanup(onEvent((type, data) => {
    if (type === 'block') {
      if (blocks.length && data.height <= blocks.at(-1).height) return;
      height = Math.max(height, data.height);
      blocks.push({ height: data.height, timestamp_ms: data.timestamp_ms, tx_count: data.tx_count, proposer: data.proposer });
      blocks = blocks.slice(-N);
      render();
      if (Date.now() - lastStats > 4000) refreshStats();
    } else if (type === 'tx') {
      recentTxs.unshift(data);
      recentTxs.length = Math.min(recentTxs.length, 10);
    } else if (type === 'gap' || type === 'reset') {
      refreshStats();
    }
  }));
}
