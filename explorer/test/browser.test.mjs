// Browser tests of the explorer: playwright-core drives Debian's chromium (/usr/bin/chromium, never
// a downloaded browser) against a running local network. scripts/test.d/30-browser.sh starts the
// network and runs this file with:
//   EXPLORER_URL  a node serving the explorer (http://127.0.0.1:PORT)
//   NET_DIR       the network folder (organisations' keys, for loading the demo story)
//   SCREENSHOTS   where to save a screenshot of every page
//   TAMPER_URL    optional: a node started as `tidemark-node-test --tamper-proofs`
//   NODE_BIN      optional: the tidemark-node binary (the reconnect test restarts a node)
//   CLI_BIN       optional: the tidemark CLI (writes an encrypted key file for the sign-in test)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import * as tm from '../../sdk/js/src/index.js';
import { finSeed } from './fin_seed.mjs';
import { plgSeed } from './plg_seed.mjs';
import { seed } from './seed.mjs';

const BASE = process.env.EXPLORER_URL || 'http://127.0.0.1:8080';
const NET_DIR = process.env.NET_DIR || 'run/local-4';
const SHOTS = process.env.SCREENSHOTS || 'build/screenshots';
const TAMPER_URL = process.env.TAMPER_URL || '';
const NODE_BIN = process.env.NODE_BIN || '';  // tidemark-node, to restart a node
const CLI_BIN = process.env.CLI_BIN || '';  // tidemark, to write an encrypted key file
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const ZH_PHONE = { ...PHONE, locale: 'zh-CN' };  // a phone in China: navigator.languages = ['zh-CN']

let browser;
let closing = false;
let relaunches = 0;  // a browser process that died between tests is replaced once
const contexts = new Map();  // one browser context per viewport, a new page per visit
let story;
let finStory = null;  // receivables (fin_seed.mjs), when the node runs the fin contract
let plgStory = null;  // a registered equity pledge (plg_seed.mjs), when the node serves /v1/plg
let nodeRoutes = new Set();  // the node's OpenAPI paths
mkdirSync(SHOTS, { recursive: true });

// Opens `path` in a fresh page, waits until the app has rendered it, and fails on any console
// error, uncaught exception or failed request.
async function open(path, { context = DESKTOP, shot, base = BASE, allowErrors = false, init = null } = {}) {
  if (!browser.isConnected() && relaunches++ < 1) {  // the browser process died (logged above)
    logBrowser(`relaunching for ${path}`);
    contexts.clear();
    browser = await startBrowser();
  }
  if (!contexts.has(context)) contexts.set(context, await browser.newContext({ ...context, acceptDownloads: true }));
  const ctx = contexts.get(context);
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  page.on('crash', () => logBrowser(`the page crashed: ${base}${path}`));
  page.on('requestfailed', (r) => {
    // EventSource streams are aborted when the page closes or pauses; that is not an error.
    if (!r.url().includes('/v1/events')) errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  if (init) await init(page);  // e.g. page.route to alter answers on the way
  await page.goto(base + path);
  await waitReady(page);
  if (shot) await page.screenshot({ path: `${SHOTS}/${shot}.png`, fullPage: true });
  const check = () => { if (!allowErrors) assert.deepEqual(errors, [], `errors on ${path}`); };
  return { page, ctx, errors, check, close: async () => { check(); await page.close(); } };
}

async function waitReady(page) {
  await page.waitForFunction(() => {
    const m = document.getElementById('main');
    return m && m.dataset.ready === location.pathname && !m.hasAttribute('aria-busy');
  }, null, { timeout: 15000 });
}

async function get(path) {
  const r = await fetch(BASE + path, { headers: { Accept: 'application/json' } });
  assert.equal(r.status, 200, path);
  return r.json();
}

// A tx from the platform's admin key, to make the chain commit a block.
async function commitSomething() {
  const k = JSON.parse(readFileSync(`${NET_DIR}/platform/admin_key.json`, 'utf8'));
  const status = await get('/v1/status');
  const txs = await get(`/v1/accounts/${k.public_key}/txs?limit=100`);
  let nonce = 0;
  for (const t of txs.txs) nonce = Math.max(nonce, t.nonce);
  const tx = { chain_id: status.chain_id, nonce: BigInt(nonce + 1), contract: 'prov', method: 'register_party',
    args: tm.encodeValue({ id: `party-${Date.now()}`, name: 'Live test party' }), expiry_height: null };
  tm.signTransaction(tx, tm.fromHex(k.seed));
  const r = await fetch(`${BASE}/v1/txs?wait=commit`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ tx: tm.toHex(tm.encodeTransaction(tx)) }) });
  const body = await r.json();
  assert.equal(body.status, 'committed', JSON.stringify(body));
  return body;
}

// Chromium's own output goes to SHOTS/chromium.log (DEBUG=pw:browser DEBUG_FILE=..., set by
// scripts/test.d/30-browser.sh, which prints it when the run fails); the tests note here when the
// browser or a page went away.
const logBrowser = (line) => console.error(`# ${new Date().toISOString()} chromium: ${line}`);

// Headless, no GPU (the tests need no GPU, and a GPU process that cannot start takes the whole
// browser down), no sandbox (CI runs as root). CHROMIUM_ARGS adds flags.
async function launchBrowser() {
  const b = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
      ...(process.env.CHROMIUM_ARGS || '').split(' ').filter(Boolean)] });
  b.on('disconnected', () => { if (!closing) logBrowser('the browser went away'); });
  return b;
}

// The browser must render a page with a canvas before the tests start; a browser that dies on
// its first page is reported with its log and launched once more.
async function startBrowser() {
  for (let attempt = 1; ; attempt++) {
    const b = await launchBrowser();
    try {
      const page = await b.newPage();
      await page.goto('data:text/html,<canvas id=c></canvas><script>c.getContext("2d").fillRect(0,0,9,9)</script><p>ok</p>');
      assert.equal(await page.textContent('p'), 'ok');
      await page.close();
      return b;
    } catch (e) {
      logBrowser(`attempt ${attempt}: the browser could not render a first page: ${e.message}`);
      await b.close().catch(() => {});
      if (attempt >= 2) throw e;
    }
  }
}

before(async () => {
  browser = await startBrowser();
  // Receivables first: reads are proven at the latest certified block, a few blocks behind the
  // head, so the provenance story committed after them puts their last changes under proof.
  // The fin routes answer an unsigned read with 401 (404 on a node without them).
  nodeRoutes = new Set(Object.keys((await get('/openapi.json')).paths || {}));
  if (nodeRoutes.has('/v1/plg/gazette/{registration_no}')) plgStory = await plgSeed(BASE, NET_DIR, { log: () => {} });
  if ((await fetch(`${BASE}/v1/fin/check`)).status === 401) finStory = await finSeed(BASE, NET_DIR, { log: () => {} });
  story = await seed(BASE, NET_DIR, { log: () => {} });
});

after(async () => {
  closing = true;
  if (browser) await browser.close();
});

describe('explorer', () => {
  test('the node serves the app with a strict Content-Security-Policy', async () => {
    for (const path of ['/', '/blocks/1', story.items[0]]) {
      const r = await fetch(BASE + path, { headers: { Accept: 'text/html' } });
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type'), /text\/html/);
      assert.equal(r.headers.get('content-security-policy'), "default-src 'self'");
    }
  });

  test('every page renders without console errors', async () => {
    const txId = story.txs[3];
    const tx = await get(`/v1/txs/${txId}`);
    const block = await get(`/v1/blocks/${tx.height}`);
    const pages = [
      ['/', 'dashboard', (p) => p.getByTestId('height').textContent()],
      ['/blocks', 'blocks', (p) => p.locator('table').first().textContent()],
      [`/blocks/${tx.height}`, 'block', (p) => p.getByTestId('cert-signers').textContent()],
      [`/txs/${txId}`, 'tx', (p) => p.getByTestId('tx-raw').textContent()],
      ['/search?q=o', 'search-results', (p) => p.getByTestId('search-results').textContent()],
      ['/orgs', 'orgs', (p) => p.locator('table').textContent()],
      ['/orgs/platform', 'org', (p) => p.locator('table').first().textContent()],
      [`/accounts/${story.brandKey}`, 'account', (p) => p.locator('table').textContent()],
      [`/products/${story.honey}`, 'product', (p) => p.locator('table').textContent()],
      ['/finance', 'fin-check-signed-out', (p) => p.locator('h1').textContent()],
    ];
    for (const [path, shot, probe] of pages) {
      const o = await open(path, { shot });
      const text = await probe(o.page);
      assert.ok(text && text.trim().length > 0, `${path} shows its content`);
      const alerts = await o.page.locator('.notice.bad').count();
      assert.equal(alerts, 0, `${path} shows no error box`);
      await o.close();
    }
    // Spot checks of what the pages say.
    const b = await open(`/blocks/${tx.height}`);
    assert.match(await b.page.getByTestId('block-verified').textContent(), /Checked in your browser/);
    assert.ok(await b.page.locator('a[rel=prev]').count());
    assert.equal(await b.page.locator(`text=${block.id}`).count(), 1);
    await b.close();
    // A block committed by a descendant's certificate verifies through the parent links.
    const head = (await get('/v1/status')).height;
    for (let hgt = 1; hgt <= Math.min(head, 60); hgt++) {
      const bj = await get(`/v1/blocks/${hgt}`);
      if (!bj.certificate || bj.certificate.commit_height === hgt) continue;
      const d = await open(`/blocks/${hgt}`, { shot: 'block-committed-by-descendant' });
      assert.match(await d.page.getByTestId('block-verified').textContent(), /descends from this one/);
      await d.close();
      break;
    }
    const t = await open(`/txs/${txId}`);
    assert.match(await t.page.getByTestId('tx-status').textContent(), /committed/);
    assert.match(await t.page.getByTestId('tx-args').textContent(), /"events"|"declaration_no"|"gtin"|"gln"/);
    await t.close();
  });

  test('search finds each kind of key', async () => {
    const tx = await get(`/v1/txs/${story.txs[0]}`);
    const block = await get(`/v1/blocks/${tx.height}`);
    const item = story.items[0];
    const cases = [
      ['height', String(tx.height), `/blocks/${tx.height}`],
      ['block hash', block.id, `/blocks/${tx.height}`],
      ['tx id', story.txs[0], `/txs/${story.txs[0]}`],
      ['GTIN', story.honey, `/products/${story.honey}`],
      ['Digital Link', `https://id.gs1.org${item}`, item],
      ['EPC URN', story.epcUrn, item],
      ['organisation', 'customs', '/orgs/customs'],
      ['account key', story.brandKey, `/accounts/${story.brandKey}`],
    ];
    const o = await open('/');
    for (const [kind, q, want] of cases) {
      await o.page.fill('#q', q);
      await o.page.press('#q', 'Enter');
      await o.page.waitForURL((u) => u.pathname === want, { timeout: 10000 }).catch(() => {});
      assert.equal(decodeURIComponent(new URL(o.page.url()).pathname), want, `search for the ${kind} ${q}`);
      await waitReady(o.page);
    }
    await o.page.fill('#q', 'no-such-thing-anywhere');
    await o.page.press('#q', 'Enter');
    await o.page.getByTestId('search-empty').waitFor();
    await o.page.screenshot({ path: `${SHOTS}/search-empty.png` });
    await o.close();
  });

  test('the trace page on a phone: product, warnings, customs, route, QR, verification', async () => {
    const o = await open(story.items[1], { context: PHONE });
    const p = o.page;
    assert.match(await p.getByTestId('product-name').textContent(), /Honey/);
    assert.match(await p.getByTestId('origin').textContent(), /New Zealand/);
    assert.match(await p.getByTestId('customs').textContent(), /1210[\s\S]*released/i);
    assert.ok((await p.getByTestId('timeline').locator('li').count()) >= 4);
    // Two scans by the seed (the resolver may record this page's own read as one more).
    const scans = Number((await p.getByTestId('scans').textContent()).match(/Checked (\d+) times/)[1]);
    assert.ok(scans >= 2, `scan count ${scans}`);
    assert.match(await p.getByTestId('warnings').textContent(), /scanned (once|\d+ times)/);
    assert.ok(await p.getByTestId('qr').isVisible());
    await p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state);
    const state = await p.getByTestId('verify-mark').getAttribute('data-state');
    await p.screenshot({ path: `${SHOTS}/trace-phone.png`, fullPage: true });
    await p.screenshot({ path: `${SHOTS}/trace-phone-first-screen.png` });
    // Usable on a phone: nothing wider than the screen.
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    await o.close();
    const hasProofs = typeof tm[['verifyTrace', 'Answer'].join('')] === 'function';
    if (hasProofs) assert.equal(state, 'ok', 'the verified mark for a real item');
    else assert.equal(state, 'unverified', 'without proof bundles the page says it could not verify');

    const r = await open(story.recalled, { context: PHONE, shot: 'trace-recalled-phone' });
    assert.match(await r.page.getByTestId('warnings').textContent(), /recalled/i);
    await r.close();
  });

  test('the trace page warns when the node returns a tampered proof', { skip: TAMPER_URL ? false : 'pending: needs a node started as tidemark-node-test --tamper-proofs' }, async () => {
    // The tampering node was restarted: wait until it has the story.
    const want = (await get('/v1/status')).height;
    for (let i = 0; i < 100; i++) {
      const s = await (await fetch(`${TAMPER_URL}/v1/status`)).json();
      if (s.height >= want) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const o = await open(story.items[1], { context: PHONE, base: TAMPER_URL });
    await o.page.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state);
    assert.equal(await o.page.getByTestId('verify-mark').getAttribute('data-state'), 'bad');
    assert.match(await o.page.getByTestId('verify-mark').textContent(), /Verification failed/);
    assert.ok(!/null|undefined/.test(await o.page.getByTestId('verify-mark').textContent()), 'no "null" in the red banner');
    // What the node says is not shown as proven warnings.
    assert.equal(await o.page.getByTestId('warnings').count(), 0);
    await o.page.screenshot({ path: `${SHOTS}/trace-tampered-phone.png`, fullPage: true });
    await o.close();
  });

  // The resolver's proven answer for `path` once `ready(answer)` holds: proofs are at the latest
  // certified block, a little behind the seed's last commits.
  async function provenAnswer(path, ready) {
    for (let i = 0; i < 150; i++) {
      const r = await fetch(`${BASE}${path}?proof=true`, { headers: { Accept: 'application/json' } });
      if (r.ok) {
        const a = await r.json();
        if (a.proof && a.proof.bundle && ready(a)) return a;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.fail(`the proven answer for ${path} never got ready`);
  }

  test('a node that empties the warnings of a recalled item is flagged, and the recall still shows', async () => {
    // Regression (issue 19, finding 1): the page believed the answer's unproven warnings list.
    await provenAnswer(story.recalled, (a) => (a.warnings || []).some((w) => w.kind === 'recalled'));
    let stripped = 0;
    const o = await open(story.recalled, { context: PHONE, init: (page) => page.route(
      (u) => u.pathname === story.recalled && u.searchParams.has('proof'),
      async (route) => {
        const resp = await route.fetch();
        const body = await resp.json();
        body.warnings = [];
        stripped++;
        await route.fulfill({ response: resp, json: body });
      }) });
    const p = o.page;
    await p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state);
    assert.ok(stripped >= 1, 'the answer went through the tampering route');
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'ok', 'the proof itself is intact');
    assert.ok(await p.getByTestId('disagreement').isVisible());
    assert.match(await p.getByTestId('disagreement').textContent(), /disagrees with its proof/);
    assert.match(await p.getByTestId('warnings').textContent(), /Recalled: .*foreign matter/);
    await p.screenshot({ path: `${SHOTS}/trace-warnings-stripped-phone.png`, fullPage: true });
    await o.close();
  });

  test('the 1210 bonded journey: route with places and read points, customs release, the sale', async () => {
    // Regression (issue 19, finding 10): GLNs instead of names, no read points, "On sale", heights.
    await provenAnswer(story.items[0], (a) => a.state === 'SOLD');
    const o = await open(story.items[0], { context: PHONE });
    const p = o.page;
    await p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state);
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'ok');
    const route = await p.getByTestId('timeline').textContent();
    for (const want of ['Made', 'Kaimai packing house, Tauranga, New Zealand', 'Shipped', 'scanned at Auckland Airport, New Zealand',
      'Declared to customs', 'Inspected by customs', 'Released by customs', 'Ningbo bonded warehouse, China', 'scanned at Ningbo Lishe Airport, China',
      'Sold', 'Harbour Street shop, Hangzhou, China']) {
      assert.ok(route.includes(want), `the route shows "${want}": ${route}`);
    }
    assert.ok(!/On sale|GLN \d{13}/.test(route), `no "On sale", no bare GLN of a registered place: ${route}`);
    assert.equal((await p.getByTestId('read-point').allTextContents()).length, 2);
    assert.match(await p.getByTestId('customs').textContent(), /bonded import \(1210\)[\s\S]*released/);
    assert.match(await p.getByTestId('status').textContent(), /sold/);
    assert.match(await p.getByTestId('warnings').textContent(), /already sold on /);
    assert.match(await p.getByTestId('origin').textContent(), /^New Zealand$/);
    // A consumer's words: no block heights or hashes unless the technical details are opened.
    const visible = await p.evaluate(() => {
      const clone = document.querySelector('article.trace').cloneNode(true);
      clone.querySelectorAll('details').forEach((d) => d.remove());
      return clone.textContent + document.querySelector('[data-testid=verify-mark] span').textContent;
    });
    assert.ok(!/height|block \d|[0-9a-f]{16}/.test(visible), `no heights or hashes: ${visible}`);
    assert.ok(!/\bnull\b|undefined/.test(await p.locator('#main').textContent()), 'no "null" text anywhere');
    await p.screenshot({ path: `${SHOTS}/trace-1210-sold-phone.png`, fullPage: true });
    await o.close();
  });

  test('the trace page in Simplified Chinese for a zh-CN browser, with a switch to English that is kept', async () => {
    const o = await open(story.items[0], { context: ZH_PHONE });
    const p = o.page;
    await p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state);
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.match(await p.getByTestId('verify-mark').textContent(), /已在您的浏览器中验证/);
    assert.equal(await p.getByTestId('origin').textContent(), '新西兰');
    const zh = await p.locator('article.trace').textContent();
    for (const want of ['原产地', '流转路线', '海关放行', '售出', '本商品', '新西兰', '中国']) assert.ok(zh.includes(want), `${want} in ${zh}`);
    assert.match(zh, /2026年|20\d\d年/, 'dates in Chinese');
    await p.screenshot({ path: `${SHOTS}/trace-zh-CN-phone.png`, fullPage: true });
    await p.getByTestId('lang-switch').locator('button[data-lang=en]').click();
    await p.waitForFunction(() => document.documentElement.lang === 'en' && document.querySelector('[data-testid=verify-mark]')?.dataset.state);
    assert.match(await p.locator('article.trace').textContent(), /Route[\s\S]*Released by customs/);
    assert.equal(await p.getByTestId('origin').textContent(), 'New Zealand');
    await p.reload();
    await waitReady(p);
    await p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state);
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'en', 'the choice is kept');
    await p.getByTestId('lang-switch').locator('button[data-lang=zh-CN]').click();  // back, for the next visit
    await p.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await o.close();
  });

  test('the dashboard updates live when blocks are committed, and pauses', async () => {
    const o = await open('/');
    const p = o.page;
    await p.waitForFunction(() => document.querySelector('[data-testid=live-state]')?.textContent.includes('live'), null, { timeout: 10000 });
    const before = Number(await p.getByTestId('height').textContent());
    const committed = await commitSomething();
    await p.waitForFunction((h) => Number(document.querySelector('[data-testid=height]').textContent) >= h,
      committed.height, { timeout: 10000 });
    assert.ok(Number(await p.getByTestId('height').textContent()) > before);
    assert.ok(await p.locator('svg.chart rect.bar').count() > 0);
    // Finality is what this node's txs waited, submission to commit, not the heartbeat blocks'.
    await p.waitForFunction(() => /^of the last \d+ txs$/.test(document.querySelector('[data-testid=finality-note]')?.textContent || ''),
      null, { timeout: 10000 });
    assert.match(await p.getByTestId('finality').textContent(), /^\d+ ms$/);
    await p.screenshot({ path: `${SHOTS}/dashboard-live.png`, fullPage: true });
    await p.getByRole('button', { name: 'Pause' }).click();
    assert.match(await p.getByTestId('live-state').textContent(), /paused/);
    const frozen = await p.getByTestId('height').textContent();
    const next = await commitSomething();
    await p.waitForTimeout(500);
    assert.equal(await p.getByTestId('height').textContent(), frozen, 'paused: no updates');
    await p.getByRole('button', { name: 'Resume' }).click();
    await p.waitForFunction((h) => Number(document.querySelector('[data-testid=height]').textContent) >= h,
      next.height, { timeout: 10000 });
    await o.close();
  });

  test('the live feed reconnects by itself when its node restarts', { skip: NODE_BIN ? false : 'needs NODE_BIN' }, async () => {
    // The dashboard of the customs node (the second one); the tests' other pages use the first.
    const dir = `${NET_DIR}/customs`;
    const cfg = JSON.parse(readFileSync(`${dir}/node.json`, 'utf8'));
    const url = `http://${cfg.http.listen}`;
    const o = await open('/', { base: url, allowErrors: true });  // refused connections are logged
    const p = o.page;
    const state = () => p.getByTestId('live-state').textContent();
    await p.waitForFunction(() => document.querySelector('[data-testid=live-state]')?.textContent.includes('live'));
    const pid = Number(readFileSync(`${dir}/node.pid`, 'utf8'));
    process.kill(pid, 'SIGTERM');
    await p.waitForFunction(() => document.querySelector('[data-testid=live-state]')?.textContent.includes('reconnecting'),
      null, { timeout: 15000 });
    const child = spawn(NODE_BIN, ['--config', `${dir}/node.json`], { detached: true,
      stdio: ['ignore', openSync(`${dir}/node.log`, 'a'), openSync(`${dir}/node.log`, 'a')] });
    child.unref();
    writeFileSync(`${dir}/node.pid`, String(child.pid));  // local-net.sh stop finds it
    await p.waitForFunction(() => document.querySelector('[data-testid=live-state]')?.textContent.includes('live'),
      null, { timeout: 20000 });
    const committed = await commitSomething();
    await p.waitForFunction((h) => Number(document.querySelector('[data-testid=height]').textContent) >= h,
      committed.height, { timeout: 15000 });
    assert.match(await state(), /live/);
    await o.page.close();
  });

  test('a tx list exports as CSV', async () => {
    const o = await open(`/accounts/${story.brandKey}`);
    const [download] = await Promise.all([o.page.waitForEvent('download'), o.page.click('button[data-csv]')]);
    const path = await download.path();
    const csv = readFileSync(path, 'utf8').split('\r\n');
    assert.equal(csv[0], 'tx_id,height,index,status,signer,nonce,contract,method,reason');
    assert.ok(csv.length > 5);
    assert.match(csv[1], /^[0-9a-f]{64},\d+,\d+,committed,/);
    await o.close();
  });

  test('phone-sized pages fit the screen', async () => {
    for (const [path, shot] of [['/', 'dashboard-phone'], [`/txs/${story.txs[5]}`, 'tx-phone'], ['/orgs/customs', 'org-phone'], ['/fin/check', 'fin-check-phone']]) {
      const o = await open(path, { context: PHONE, shot });
      const overflow = await o.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
      await o.close();
    }
  });
});

// ---- finance pages: bank check and receivable (signed reads, verified in the browser) ----------

// Skips a finance test at run time (finStory is loaded by before()) on a node without /v1/fin.
const finTest = (name, fn) => test(name, async (t) => {
  if (!finStory) return t.skip('pending: the node has no /v1/fin routes');
  return fn(t);
});

// Loads a key file into the page's sign-in box; an encrypted one is unlocked with `passphrase`.
async function signIn(page, file, passphrase) {
  await page.getByTestId('key-file').setInputFiles(file);
  if (passphrase !== undefined) {
    await page.getByTestId('passphrase').fill(passphrase);
    await page.getByTestId('unlock').click();
  }
  await page.getByTestId('signed-in').waitFor({ timeout: 30000 });
}

// Fills the bank check form by uploading the invoice as a JSON file (amount in minor units).
async function checkInvoice(page, inv, { expectAnswer = true } = {}) {
  await page.getByTestId('invoice-file').setInputFiles({ name: 'invoice.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(inv)) });
  await page.waitForFunction((n) => document.querySelector('[data-testid=inv-number]').value === n, inv.number);
  await page.getByTestId('check').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state, null, { timeout: 15000 });
  assert.equal(await page.getByTestId('fingerprint').textContent(), tm.invoiceFingerprint(inv).fingerprint);
  const mark = await page.getByTestId('verify-mark').getAttribute('data-state');
  const markText = await page.getByTestId('verify-mark').textContent();
  if (!expectAnswer) return { mark, markText };
  return {
    mark,
    markText,
    state: await page.getByTestId('fin-verdict').getAttribute('data-state'),
    text: await page.getByTestId('fin-verdict').textContent(),
  };
}

describe('finance pages', () => {
  finTest('bank check: a free invoice is proven absent; registered, encumbered and closed ones are proven present', async () => {
    const o = await open('/fin/check');
    const p = o.page;
    assert.ok(await p.getByTestId('check').isDisabled(), 'no check before a bank key is loaded');
    assert.ok(!(await p.getByTestId('passphrase').isVisible()), 'no passphrase field before an encrypted key file');
    await signIn(p, `${NET_DIR}/bank/admin_key.json`);
    assert.match(await p.getByTestId('signed-in').textContent(), /bank/);
    // Typed into the form, the amount as a decimal in the currency.
    const f = finStory.free;
    await p.getByTestId('inv-creditor').fill(f.creditor);
    await p.getByTestId('inv-debtor').fill(f.debtor);
    await p.getByTestId('inv-number').fill(f.number);
    await p.getByTestId('inv-amount').fill('12500.00');
    await p.getByTestId('inv-currency').fill('CNY');
    await p.getByTestId('inv-date').fill(f.date);
    await p.getByTestId('check').click();
    await p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state, null, { timeout: 15000 });
    const want = tm.invoiceFingerprint(f);
    assert.equal(await p.getByTestId('fingerprint').textContent(), want.fingerprint, 'fingerprint computed in the browser');
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'ok', await p.getByTestId('verify-mark').textContent());
    assert.match(await p.getByTestId('fin-state').textContent(), /Free — this invoice is financed nowhere on this ledger/);
    assert.match(await p.getByTestId('proof-height').textContent(), /block \d+/);
    assert.ok((await p.getByTestId('proof-signers').textContent()).split(',').length >= 3, 'a quorum of signers');
    await p.screenshot({ path: `${SHOTS}/fin-check-free.png`, fullPage: true });
    for (const [inv, state, text] of [[finStory.inv2, 'registered', /Registered/], [finStory.inv1, 'encumbered', /Encumbered/],
      [finStory.inv3, 'closed', /Closed/]]) {
      const r = await checkInvoice(p, inv);
      assert.equal(r.mark, 'ok', `${state}: ${r.markText}`);
      assert.equal(r.state, state);
      assert.match(r.text, text);
      if (state === 'encumbered') await p.screenshot({ path: `${SHOTS}/fin-check-encumbered.png`, fullPage: true });
    }
    // Bad input: a clear message, no request.
    await p.getByTestId('inv-date').fill('');
    await p.getByTestId('check').click();
    assert.match(await p.getByTestId('invoice-error').textContent(), /invoice date/);
    // Nothing of the key was kept outside the page's memory.
    assert.deepEqual(await p.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]), [0, 0, '']);
    await o.close();
  });

  finTest('bank check: a tampered answer shows NOT verified and no state as fact', async () => {
    const o = await open('/fin/check');
    const p = o.page;
    await signIn(p, `${NET_DIR}/bank/admin_key.json`);
    // The node's answer for an encumbered invoice, with its state flipped to "free".
    await p.route('**/v1/fin/check?**', async (route) => {
      const r = await route.fetch();
      const body = await r.json();
      assert.equal(body.fingerprint.state, 'encumbered');
      body.fingerprint.state = 'free';
      body.invoice_key.state = 'free';
      await route.fulfill({ response: r, json: body });
    });
    const r = await checkInvoice(p, finStory.inv1);
    assert.equal(r.mark, 'bad');
    assert.match(r.markText, /NOT verified/);
    assert.equal(r.state, 'unproven');
    assert.doesNotMatch(r.text, /Free —/);
    await p.screenshot({ path: `${SHOTS}/fin-check-tampered.png`, fullPage: true });
    await o.close();
  });

  finTest('bank check: an unknown key gets 401, a key without the BANK role 403, each said plainly', async () => {
    const o = await open('/fin/check');
    const p = o.page;
    const stranger = tm.fromHex('77'.repeat(32));  // on no organisation of the ledger
    await signIn(p, { name: 'stranger.json', mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ seed: tm.toHex(stranger), public_key: tm.toHex(tm.publicKeyFromSeed(stranger)) })) });
    assert.match(await p.getByTestId('signed-in').textContent(), /a key this ledger does not know/);
    const r1 = await checkInvoice(p, finStory.free, { expectAnswer: false });
    assert.equal(r1.mark, 'error');
    assert.match(r1.markText, /did not accept your signature/);
    await p.getByTestId('sign-out').click();
    await signIn(p, `${NET_DIR}/platform/admin_key.json`);
    const r2 = await checkInvoice(p, finStory.free, { expectAnswer: false });
    assert.equal(r2.mark, 'error');
    assert.match(r2.markText, /only banks/);
    // The browser's own "failed to load resource: 401 / 403" lines are the expected answers.
    o.errors.splice(0, o.errors.length, ...o.errors.filter((e) => !/status of 40[13]/.test(e)));
    await o.close();
  });

  finTest('the receivable page for a party: holder tree, encumbrance, timeline, verified; the seed is never sent', async () => {
    const o = await open(`/fin/receivables/${finStory.r1}`);
    const p = o.page;
    assert.ok(await p.getByTestId('need-key').isVisible());
    const k = JSON.parse(readFileSync(`${NET_DIR}/platform/admin_key.json`, 'utf8'));
    const sent = [];
    p.on('request', (r) => sent.push(`${r.url()} ${JSON.stringify(r.headers())} ${r.postData() || ''}`));
    // An encrypted key file written by the CLI when we have it, else the plain one.
    let file = `${NET_DIR}/platform/admin_key.json`;
    let passphrase;
    if (CLI_BIN) {
      const home = `${NET_DIR}/browser-keys-${Date.now()}`;  // a fresh keystore per run
      mkdirSync(home, { recursive: true });
      writeFileSync(`${home}/seed`, k.seed);
      writeFileSync(`${home}/pw`, 'lend me nothing twice');
      const { execFileSync } = await import('node:child_process');
      execFileSync(CLI_BIN, ['--home', home, 'keys', 'import', 'platform-admin', '--seed-file', `${home}/seed`,
        '--password-file', `${home}/pw`, '--kdf', 'interactive']);
      file = `${home}/keys/platform-admin.json`;
      passphrase = 'lend me nothing twice';
      // A wrong passphrase first: refused with a clear message, still signed out.
      await p.getByTestId('key-file').setInputFiles(file);
      await p.getByTestId('passphrase').fill('wrong');
      await p.getByTestId('unlock').click();
      await p.waitForFunction(() => /wrong passphrase/.test(document.querySelector('[data-testid=signin-status]')?.textContent || ''),
        null, { timeout: 30000 });
    }
    await signIn(p, file, passphrase);
    await waitReady(p);
    await p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state, null, { timeout: 15000 });
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'ok', await p.getByTestId('verify-mark').textContent());
    assert.match(await p.getByTestId('rcv-state').textContent(), /confirmed/);
    const tree = p.getByTestId('holder-tree');
    assert.equal(await tree.locator('li[data-part]').count(), 3, 'the root and its two parts');
    assert.match(await tree.locator(`li[data-part="${finStory.r1}.2"]`).textContent(), /held by bank/);
    assert.match(await tree.locator(`li[data-part="${finStory.r1}.1"]`).textContent(), /pledge · bank · active/);
    assert.ok((await p.getByTestId('rcv-timeline').locator('li').count()) >= 6, 'register, confirm, split, transfer, offer, accept');
    await p.screenshot({ path: `${SHOTS}/fin-receivable.png`, fullPage: true });
    for (const line of sent) assert.ok(!line.includes(k.seed), `the seed left the page: ${line.slice(0, 200)}`);
    assert.ok(sent.some((l) => l.includes('Tidemark-Read key=')), 'reads are signed');
    assert.deepEqual(await p.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]), [0, 0, '']);
    // The key stays signed in across the app's own navigation: the organisation's receivables.
    await p.getByRole('link', { name: 'Receivables', exact: true }).click();
    await p.waitForURL((u) => u.pathname === '/fin/receivables');
    await waitReady(p);
    const list = p.getByTestId('rcv-list');
    assert.match(await list.textContent(), new RegExp(finStory.r1));
    assert.match(await list.locator('tr', { hasText: finStory.r1 }).textContent(), /creditor/);
    await p.screenshot({ path: `${SHOTS}/fin-receivables-list.png`, fullPage: true });
    // Signing out forgets the key.
    await p.getByTestId('sign-out').click();
    await p.getByTestId('need-key').waitFor();
    assert.equal(await list.count(), 0);
    for (const line of sent) assert.ok(!line.includes(k.seed), `the seed left the page: ${line.slice(0, 200)}`);
    await o.close();
  });

  finTest('the receivable page: a tampered record (a part holder changed) shows NOT verified', async () => {
    const o = await open(`/fin/receivables/${finStory.r1}`);
    const p = o.page;
    await p.route('**/v1/fin/receivables/*?proof=true', async (route) => {
      const r = await route.fetch();
      const body = await r.json();
      body.receivable.parts[`${finStory.r1}.2`].holder = 'customs';
      await route.fulfill({ response: r, json: body });
    });
    await signIn(p, `${NET_DIR}/platform/admin_key.json`);
    await waitReady(p);
    await p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state, null, { timeout: 15000 });
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'bad');
    assert.match(await p.getByTestId('verify-mark').textContent(), /NOT verified[\s\S]*Do not trust it/);
    await o.close();
  });

  finTest('the demo\'s settled receivable, read by its sub-contractor (when `tidemark demo load` ran)', async (t) => {
    const keyFile = `${NET_DIR}/demo-keys/trucking.json`;
    if (!existsSync(keyFile)) return t.skip('no demo keys in the network folder');
    const o = await open('/fin/receivables');
    const p = o.page;
    await signIn(p, keyFile);
    await waitReady(p);
    await p.getByTestId('rcv-list').locator('a').first().click();
    await waitReady(p);
    await p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state, null, { timeout: 15000 });
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'ok');
    assert.match(await p.getByTestId('rcv-state').textContent(), /settled/);
    assert.match(await p.getByTestId('settlement').textContent(), /factor/);
    await p.screenshot({ path: `${SHOTS}/fin-demo-receivable.png`, fullPage: true });
    await o.close();
  });

  finTest('the receivable page for a non-party: 403, nothing shown', async () => {
    const o = await open(`/fin/receivables/${finStory.r2}`);
    const p = o.page;
    await signIn(p, `${NET_DIR}/bank/admin_key.json`);  // the bank is no party of R2
    await p.getByTestId('not-party').waitFor({ timeout: 15000 });
    assert.match(await p.getByTestId('not-party').textContent(), /Not a party \(or no such receivable\)/);
    assert.equal(await p.getByTestId('holder-tree').count(), 0);
    await p.screenshot({ path: `${SHOTS}/fin-receivable-not-party.png`, fullPage: true });
    // A 403 is an expected answer here, not a page error: the console's "failed to load" line is
    // the browser's own (no JS error, no exception).
    o.errors.splice(0, o.errors.length, ...o.errors.filter((e) => !/status of 403/.test(e)));
    await o.close();
  });
});

// ---- pledge registry pages: the public register, pledge records, borrowers, the regulator ------

const plgTest = (name, fn) => test(name, async (t) => {
  if (!plgStory) return t.skip('pending: the node has no /v1/plg routes');
  return fn(t);
});
// The browser's own "failed to load resource: the server responded with a status of N" lines are
// expected answers on these pages (a 404 lookup, a 403 refusal), not page errors.
const dropStatusLines = (o, codes) => o.errors.splice(0, o.errors.length,
  ...o.errors.filter((e) => !new RegExp(`status of (${codes.join('|')})`).test(e)));
const waitMark = (p) => p.waitForFunction(() => document.querySelector('[data-testid=verify-mark]')?.dataset.state, null, { timeout: 15000 });

describe('pledge registry pages', () => {
  plgTest('the pledge register finds a registered pledge by number, verified, and shows only the gazette entry', async () => {
    const o = await open('/plg/gazette', { shot: 'plg-gazette-form' });
    const p = o.page;
    await p.getByTestId('gazette-no').fill(` ${plgStory.registrationNo} `);
    await p.getByTestId('gazette-lookup').click();
    await p.waitForURL((u) => u.pathname === `/plg/gazette/${plgStory.registrationNo}`);
    await waitReady(p);
    await waitMark(p);
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'ok', await p.getByTestId('verify-mark').textContent());
    assert.match(await p.getByTestId('verify-mark').textContent(), /Verified in your browser[\s\S]*validators signed block \d+/);
    const facts = await p.getByTestId('gazette-entry').textContent();
    for (const want of [plgStory.registrationNo, 'Equity pledge', 'Harbour Logistics', plgStory.uscc, 'platform', 'bank', 'registered']) {
      assert.ok(facts.includes(want), `the entry shows ${want}: ${facts}`);
    }
    const labels = await p.getByTestId('gazette-entry').locator('dt').allTextContents();
    assert.deepEqual(labels, ['Registration number', 'Kind', 'Company', 'USCC', 'Pledgor', 'Pledgee', 'Registered on', 'State']);
    const all = await p.locator('#main').textContent();
    assert.ok(!/400,?000|5,?000,?000|SHA-256|[0-9a-f]{64}/.test(all), 'no amount, no contract hash on the public register');
    assert.match(await p.getByTestId('gazette-changes').textContent(), /No changes/);
    await p.screenshot({ path: `${SHOTS}/plg-gazette-found.png`, fullPage: true });
    // An unknown number: "not found", said plainly.
    await p.getByTestId('gazette-no').fill('EQ-1999-NOSUCH');
    await p.getByTestId('gazette-lookup').click();
    await p.getByTestId('gazette-not-found').waitFor({ timeout: 15000 });
    assert.match(await p.getByTestId('gazette-not-found').textContent(), /Not found: no pledge is registered under number “EQ-1999-NOSUCH”/);
    await p.screenshot({ path: `${SHOTS}/plg-gazette-not-found.png`, fullPage: true });
    // A malformed number never leaves the form.
    await p.getByTestId('gazette-no').fill('EQ 1/2');
    await p.getByTestId('gazette-lookup').click();
    assert.match(await p.getByTestId('gazette-msg').textContent(), /letters, digits and hyphens/);
    dropStatusLines(o, [404]);
    await o.close();
  });

  plgTest('the pledge register: a tampered entry shows NOT verified; a network error is said plainly', async () => {
    const o = await open('/plg/gazette');
    const p = o.page;
    await p.route('**/v1/plg/gazette/*?proof=true', async (route) => {
      const r = await route.fetch();
      const body = await r.json();
      body.entry.pledgee = 'customs';
      await route.fulfill({ response: r, json: body });
    });
    await p.getByTestId('gazette-no').fill(plgStory.registrationNo);
    await p.getByTestId('gazette-lookup').click();
    await waitMark(p);
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'bad');
    assert.match(await p.getByTestId('verify-mark').textContent(), /NOT verified[\s\S]*Do not trust it/);
    await p.screenshot({ path: `${SHOTS}/plg-gazette-tampered.png`, fullPage: true });
    await p.unroute('**/v1/plg/gazette/*?proof=true');
    await p.route('**/v1/plg/gazette/**', (route) => route.abort('internetdisconnected'));
    await p.getByTestId('gazette-no').fill('EQ-1');
    await p.getByTestId('gazette-lookup').click();
    await p.getByTestId('read-error').waitFor({ timeout: 15000 });
    assert.equal(await p.getByTestId('read-error').getAttribute('data-status'), 'network');
    assert.match(await p.getByTestId('read-error').textContent(), /Could not reach the node/);
    o.errors.splice(0, o.errors.length, ...o.errors.filter((e) => !/request failed: .*gazette|ERR_INTERNET_DISCONNECTED/.test(e)));
    await o.close();
  });

  plgTest('the bank reads its pledge record: facts, history, verified; and finds it in its list', async () => {
    const o = await open(`/plg/records/${plgStory.pledge}`);
    const p = o.page;
    assert.ok(await p.getByTestId('need-key').isVisible());
    await signIn(p, `${NET_DIR}/bank/admin_key.json`);
    await p.getByTestId('plg-facts').waitFor({ timeout: 15000 });
    await waitMark(p);
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'ok', await p.getByTestId('verify-mark').textContent());
    const facts = await p.getByTestId('plg-facts').textContent();
    for (const want of ['registered', 'Equity pledge', plgStory.uscc, '400,000', 'CNY 50,000.00', plgStory.registrationNo]) {
      assert.ok(facts.includes(want), `the record shows ${want}: ${facts}`);
    }
    const steps = await p.getByTestId('plg-timeline').locator('.step').allTextContents();
    assert.deepEqual(steps, ['Applied for by platform', 'Accepted by bank', 'Registered by regulator']);
    await p.screenshot({ path: `${SHOTS}/plg-record-bank.png`, fullPage: true });
    // The register link on the record opens the public entry; the nav's "Pledges" lists the bank's records.
    await p.getByRole('link', { name: 'Pledges', exact: true }).click();
    await p.waitForURL((u) => u.pathname === '/plg/records');
    await p.getByTestId('plg-list').waitFor({ timeout: 15000 });
    assert.match(await p.getByTestId('plg-list').locator('tr', { hasText: plgStory.pledge }).textContent(), /registered[\s\S]*platform[\s\S]*bank/);
    await p.screenshot({ path: `${SHOTS}/plg-records-list.png`, fullPage: true });
    await o.close();
  });

  plgTest('a non-party is refused: "your organisation is not a party", nothing shown', async () => {
    const o = await open(`/plg/records/${plgStory.pledge}`);
    const p = o.page;
    await signIn(p, `${NET_DIR}/customs/admin_key.json`);  // customs is no party of the pledge
    await p.getByTestId('read-error').waitFor({ timeout: 15000 });
    assert.equal(await p.getByTestId('read-error').getAttribute('data-status'), '403');
    assert.match(await p.getByTestId('read-error').textContent(), /Your organisation is not a party of this pledge record/);
    assert.equal(await p.getByTestId('plg-facts').count(), 0);
    assert.ok(!(await p.locator('#main').textContent()).includes('Harbour Logistics'));
    await p.screenshot({ path: `${SHOTS}/plg-record-not-party.png`, fullPage: true });
    dropStatusLines(o, [403]);
    await o.close();
  });

  plgTest('the regulator: the alert list renders (paged by cursor), the export downloads or says it is not available', async () => {
    const o = await open('/reg/alerts');
    const p = o.page;
    await signIn(p, `${NET_DIR}/regulator/admin_key.json`);
    await p.getByTestId('alert-list').locator('table, p').first().waitFor({ timeout: 15000 });
    assert.equal(await p.locator('[data-testid=alert-list] [data-testid=read-error]').count(), 0);
    const real = Number(await p.getByTestId('alert-list').getAttribute('data-count'));
    if (real === 0) assert.match(await p.getByTestId('alert-list').textContent(), /No alerts/);
    if (nodeRoutes.has('/v1/reg/export')) {
      await p.getByTestId('export-from').fill('2020-01-01');
      await p.getByTestId('export-to').fill(new Date(Date.now() + 86400000).toISOString().slice(0, 10));
      await p.getByTestId('export-format').selectOption('csv');
      const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId('export-go').click()]);
      assert.match(download.suggestedFilename(), /^tidemark-export-2020-01-01-to-\d{4}-\d\d-\d\d\.csv$/);
      const text = readFileSync(await download.path(), 'utf8');
      assert.ok(text.includes(plgStory.pledge), 'the export holds the pledge\'s history');
      assert.match(await p.getByTestId('export-status').textContent(), /Downloaded/);
      await p.screenshot({ path: `${SHOTS}/plg-regulator-export.png`, fullPage: true });
      // To before From: a clear message, no request.
      await p.getByTestId('export-from').fill('2026-12-06');
      await p.getByTestId('export-to').fill('2026-12-05');
      await p.getByTestId('export-go').click();
      assert.match(await p.getByTestId('export-status').textContent(), /must not be before From/);
    } else {
      assert.match(await p.getByTestId('export-not-available').textContent(), /not available on this node yet/);
    }
    await p.screenshot({ path: `${SHOTS}/plg-regulator.png`, fullPage: true });
    // From a block height far ahead: the node takes from_height, and nothing is there yet.
    await p.getByTestId('alerts-from').fill('999999999');
    await p.getByTestId('alerts-from').press('Enter');
    await p.waitForURL((u) => u.search === '?from_height=999999999');
    await p.waitForFunction(() => /No alerts from block 999999999 on/.test(document.querySelector('[data-testid=alert-list]')?.textContent || ''),
      null, { timeout: 15000 });
    await o.close();

    // Paging: two pages of alerts as the node would send them, joined by its cursor.
    const q = await open('/reg/alerts');
    const pq = q.page;
    const alert = (i) => ({ kind: i % 2 ? 'circular-transfer' : 'repeated-registration', height: 10 + i, time_ms: Date.now() - 60000 * i,
      tx: 'ab'.repeat(32), subject: `rcv_${String(i).padStart(20, '0')}`, orgs: ['platform', 'bank'], detail: { part: `p${i}` }, ns: 'fin',
      key: `fin/alert/${i}` });
    const asked = [];
    await pq.route('**/v1/reg/alerts?**', async (route) => {
      const u = new URL(route.request().url());
      asked.push(u.search);
      const second = u.searchParams.get('cursor') === 'a1.next';
      await route.fulfill({ json: second ? { alerts: [alert(3)], next_cursor: null, as_of: {} }
        : { alerts: [alert(1), alert(2)], next_cursor: 'a1.next', as_of: {} } });
    });
    await signIn(pq, `${NET_DIR}/regulator/admin_key.json`);
    await pq.getByTestId('alerts-more').waitFor({ timeout: 15000 });
    assert.equal(await pq.getByTestId('alert-list').locator('tbody tr').count(), 2);
    await pq.getByTestId('alerts-more').click();
    await pq.waitForFunction(() => document.querySelector('[data-testid=alert-list]')?.dataset.count === '3');
    assert.ok(await pq.getByTestId('alerts-more').isHidden(), 'no "More" after the last page');
    assert.match(await pq.getByTestId('alert-list').textContent(), /Circular transfer[\s\S]*rcv_00000000000000000003/);
    assert.ok(asked.some((s) => s.includes('cursor=a1.next')), 'the second page asked with the cursor');
    // From a block height: the page asks the node for alerts from there on.
    await pq.getByTestId('alerts-from').fill('12');
    await pq.getByTestId('alerts-from').press('Enter');
    await pq.waitForURL((u) => u.search === '?from_height=12');
    await pq.getByTestId('alerts-more').waitFor({ timeout: 15000 });
    assert.ok(asked.at(-1).includes('from_height=12'), asked.at(-1));
    await pq.screenshot({ path: `${SHOTS}/plg-regulator-alerts.png`, fullPage: true });
    await q.close();
  });

  plgTest('the regulator\'s pages refuse a bank: "only the regulator", no export form', async () => {
    const o = await open('/reg/alerts');
    const p = o.page;
    await signIn(p, `${NET_DIR}/bank/admin_key.json`);
    await p.getByTestId('read-error').waitFor({ timeout: 15000 });
    assert.equal(await p.getByTestId('read-error').getAttribute('data-status'), '403');
    assert.match(await p.getByTestId('read-error').textContent(), /Only the regulator may read this/);
    assert.equal(await p.getByTestId('export-form').count(), 0);
    dropStatusLines(o, [403]);
    await o.close();
  });

  plgTest('the borrower view for a bank: standings when the node serves it, else "not available"', async () => {
    const o = await open('/fin/borrowers');
    const p = o.page;
    await signIn(p, `${NET_DIR}/bank/admin_key.json`);
    await p.getByTestId('borrower-org').fill('platform');
    await p.getByTestId('borrower-go').click();
    await p.waitForURL((u) => u.pathname === '/fin/borrowers/platform');
    await p.waitForFunction(() => document.querySelector('[data-testid=borrower-result]')?.dataset.state, null, { timeout: 15000 });
    const state = await p.getByTestId('borrower-result').getAttribute('data-state');
    if (nodeRoutes.has('/v1/fin/borrowers/{org}')) {
      assert.equal(state, 'found', await p.getByTestId('borrower-result').textContent());
      await waitMark(p);
      assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'ok', await p.getByTestId('verify-mark').textContent());
      const equity = await p.getByTestId('borrower-equity').textContent();
      for (const want of [plgStory.uscc, 'Harbour Logistics', '1,000,000', 'pledged', 'bank', '400,000', plgStory.registrationNo]) {
        assert.ok(equity.includes(want), `the equity holding shows ${want}: ${equity}`);
      }
      if (finStory) {
        const rcv = p.getByTestId('borrower-receivables').locator('tr', { hasText: finStory.r1 });
        assert.match(await rcv.textContent(), /encumbered[\s\S]*pledge · bank/);
        assert.equal(await p.getByTestId('borrower-receivables').locator('tr', { hasText: finStory.r2 }).count(), 0, 'the bank is no party of R2');
      }
    } else {
      assert.equal(state, 'not-available');
      assert.match(await p.getByTestId('borrower-not-available').textContent(), /not available on this node yet/);
    }
    await p.screenshot({ path: `${SHOTS}/plg-borrower.png`, fullPage: true });
    if (state === 'found') {
      // Customs is neither a bank nor the regulator: the one 403, said plainly.
      await p.getByTestId('sign-out').click();
      await signIn(p, `${NET_DIR}/customs/admin_key.json`);
      await p.getByTestId('read-error').waitFor({ timeout: 15000 });
      assert.equal(await p.getByTestId('read-error').getAttribute('data-status'), '403');
      assert.match(await p.getByTestId('read-error').textContent(), /Only banks and the regulator/);
      assert.equal(await p.getByTestId('borrower-equity').count(), 0);
      await p.screenshot({ path: `${SHOTS}/plg-borrower-refused.png`, fullPage: true });
      dropStatusLines(o, [403]);
    }
    await o.close();
  });

  plgTest('the borrower view: a standing altered on the way (pledged shown as free) shows NOT verified', async (t) => {
    if (!nodeRoutes.has('/v1/fin/borrowers/{org}')) return t.skip('the node does not serve /v1/fin/borrowers');
    const o = await open('/fin/borrowers/platform');
    const p = o.page;
    await p.route('**/v1/fin/borrowers/platform', async (route) => {
      const r = await route.fetch();
      const body = await r.json();
      const h = body.equity.find((x) => x.uscc === plgStory.uscc);
      assert.equal(h.standing.state, 'pledged');
      h.standing.state = 'free';
      await route.fulfill({ response: r, json: body });
    });
    await signIn(p, `${NET_DIR}/bank/admin_key.json`);
    await waitMark(p);
    assert.equal(await p.getByTestId('verify-mark').getAttribute('data-state'), 'bad');
    assert.match(await p.getByTestId('verify-mark').textContent(), /NOT verified[\s\S]*"free" in the answer but "pledged"[\s\S]*Do not lend/);
    await p.screenshot({ path: `${SHOTS}/plg-borrower-tampered.png`, fullPage: true });
    await o.close();
  });

  plgTest('the pledge pages fit a phone', async () => {
    for (const [path, shot] of [[`/plg/gazette/${plgStory.registrationNo}`, 'plg-gazette-phone'], ['/reg/alerts', 'plg-regulator-phone']]) {
      const o = await open(path, { context: PHONE, shot });
      const overflow = await o.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
      await o.close();
    }
  });
});
