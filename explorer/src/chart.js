// chart.js — the dashboard's live chart, drawn by hand in SVG: bars are txs per second over each
// block interval (TPS), the line is the block time. Points: [{ height, timestamp_ms, tx_count }].
import { svg } from './ui.js';

const H = 200, PAD_L = 44, PAD_R = 44, PAD_T = 12, PAD_B = 24;

export function series(blocks) {
  const out = [];
  for (let i = 1; i < blocks.length; i++) {
    const dt = Math.max(1, blocks[i].timestamp_ms - blocks[i - 1].timestamp_ms);
    out.push({ height: blocks[i].height, blockMs: dt, tps: (blocks[i].tx_count * 1000) / dt });
  }
  return out;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

// `width`: the box's width in CSS pixels, so text keeps its size on a phone.
export function drawChart(blocks, width = 640) {
  const W = Math.max(280, Math.round(width));
  const slots = width < 500 ? 30 : 60;  // bars shown: fewer on a phone
  const pts = series(blocks).slice(-slots);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
    'aria-label': pts.length ? `TPS and block time over the last ${pts.length} blocks` : 'No blocks yet' });
  const plotW = W - PAD_L - PAD_R, plotH = H - PAD_T - PAD_B;
  const maxTps = niceMax(Math.max(0, ...pts.map((p) => p.tps)));
  const maxMs = niceMax(Math.max(0, ...pts.map((p) => p.blockMs)));
  for (let i = 0; i <= 4; i++) {
    const y = PAD_T + (plotH * i) / 4;
    root.append(svg('line', { x1: PAD_L, x2: W - PAD_R, y1: y, y2: y, class: 'grid' }));
    root.append(svg('text', { x: PAD_L - 6, y: y + 4, class: 'axis tps', 'text-anchor': 'end' },
      String(+(maxTps * (1 - i / 4)).toFixed(1))));
    root.append(svg('text', { x: W - PAD_R + 6, y: y + 4, class: 'axis ms' },
      `${Math.round(maxMs * (1 - i / 4))}`));
  }
  root.append(svg('text', { x: PAD_L, y: H - 6, class: 'axis tps' }, 'tx/s'));
  root.append(svg('text', { x: W - PAD_R, y: H - 6, class: 'axis ms', 'text-anchor': 'end' }, 'block ms'));
  if (!pts.length) return root;
  const step = plotW / slots;
  const x0 = PAD_L + plotW - pts.length * step;
  pts.forEach((p, i) => {
    const bh = (p.tps / maxTps) * plotH;
    const bar = svg('rect', { x: x0 + i * step + 1, y: PAD_T + plotH - bh, width: Math.max(1, step - 2),
      height: bh, class: 'bar' });
    bar.append(svg('title', {}, `block ${p.height}: ${p.tps.toFixed(1)} tx/s, ${p.blockMs} ms`));
    root.append(bar);
  });
  const line = pts.map((p, i) => `${i ? 'L' : 'M'}${(x0 + i * step + step / 2).toFixed(1)},${(PAD_T + plotH - (p.blockMs / maxMs) * plotH).toFixed(1)}`).join(' ');
  root.append(svg('path', { d: line, class: 'line' }));
  return root;
}
