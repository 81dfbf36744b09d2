// seed.mjs — loads a small, realistic provenance story into a running network through the same
// REST API a platform uses (signed txs, POST /v1/txs?wait=commit), with the organisations' keys
// from a `tidemark network init` folder. The browser tests use it; it also runs on its own:
//   node explorer/test/seed.mjs http://127.0.0.1:8080 run/local-4
// Prints (and returns) the codes it created: trace links, GTINs, tx ids.
import { readFileSync } from 'node:fs';
import * as tm from '../../sdk/js/src/index.js';

// Appends the GS1 check digit (GTIN, GLN, SSCC): weights 3, 1, 3… from the right.
export function gtinCheck(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return body + String((10 - (sum % 10)) % 10);
}

export class Signer {
  constructor(base, chainId, file) {
    const k = JSON.parse(readFileSync(file, 'utf8'));
    this.seed = tm.fromHex(k.seed);
    this.key = k.public_key;
    this.base = base;
    this.chainId = chainId;
    this.nonce = null;
  }

  async call(contract, method, args) {
    if (this.nonce === null) this.nonce = await nextNonce(this.base, this.key);
    const tx = { chain_id: this.chainId, nonce: BigInt(this.nonce), contract, method,
      args: tm.encodeValue(args), expiry_height: null };
    tm.signTransaction(tx, this.seed);
    const r = await fetch(`${this.base}/v1/txs?wait=commit&timeout_ms=10000`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tx: tm.toHex(tm.encodeTransaction(tx)) }) });
    const body = await r.json();
    if (!r.ok) throw new Error(`${method}: HTTP ${r.status} ${body.detail || JSON.stringify(body)}`);
    this.nonce++;
    if (body.status !== 'committed') throw new Error(`${method}: ${body.status} ${body.reason || ''}`);
    return body;
  }
}

// The next nonce of a key: one past its last committed tx (the signer index).
async function nextNonce(base, key) {
  let cursor = null, last = 0; // nonces start at 1
  for (;;) {
    const r = await fetch(`${base}/v1/accounts/${key}/txs?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    const page = await r.json();
    for (const t of page.txs || []) if (t.nonce !== undefined) last = Math.max(last, t.nonce);
    if (!page.next_cursor) return last + 1;
    cursor = page.next_cursor;
  }
}

// Event times: hours before now, or now itself (events after customs happen as the story loads).
const ago = (hours) => new Date(Date.now() - hours * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const day = (days) => new Date(Date.now() + days * 86400 * 1000).toISOString().slice(0, 10);
function ev(type, action, bizStep, epcs, time, extra = {}) {
  const e = { type, eventTime: time, eventTimeZoneOffset: '+00:00', bizStep, ...extra };
  if (action) e.action = action;
  if (epcs) e.epcList = epcs;
  return e;
}

export async function seed(base, netDir, { log = console.log } = {}) {
  const status = await (await fetch(`${base}/v1/status`)).json();
  const chainId = status.chain_id;
  const brand = new Signer(base, chainId, `${netDir}/platform/admin_key.json`);
  const service = new Signer(base, chainId, `${netDir}/platform/service_key.json`);
  const customs = new Signer(base, chainId, `${netDir}/customs/admin_key.json`);
  const regulator = new Signer(base, chainId, `${netDir}/regulator/admin_key.json`);
  // Distinct from the demo loader's codes; a rerun on the same network uses fresh serials.
  const run = Date.now() % 100000;
  const honey = gtinCheck('0952123470001');
  const formula = gtinCheck('0952123470002');
  const lot = `H${run}`;
  const badLot = `F${run}`;
  const items = [1, 2, 3].map((n) => `/01/${honey}/10/${lot}/21/${run}${n}`);
  const recalled = `/01/${formula}/10/${badLot}/21/${run}9`;
  const loc = (n) => `urn:epc:id:sgln:9521234.0000${n}.0`;
  const txs = [];
  const step = async (who, method, args) => {
    const r = await who.call('prov', method, args);
    txs.push(r.id);
    log(`  ${method.padEnd(16)} committed at height ${r.height}`);
    return r;
  };

  log(`seed: loading the demo story into ${base}`);
  await step(brand, 'register_product', { gtin: honey, name: 'Mānuka Honey UMF 15+ 250 g', brand: 'Kaimai Bees',
    origin_country: 'NZ', company_prefix_length: 7, description: 'Raw monofloral honey, Bay of Plenty' });
  await step(brand, 'register_lot', { gtin: honey, lot, production_date: day(-2), expiry_date: day(3 * 365) });
  // The places of the route, registered by name (master data): the trace page shows these names.
  // (A rerun on the same network registers them again: the same owner may.)
  for (const [n, name, country] of [[1, 'Kaimai packing house, Tauranga', 'NZ'], [2, 'Ningbo bonded warehouse', 'CN'],
    [3, 'Harbour Street shop, Hangzhou', 'CN'], [4, 'Auckland Airport', 'NZ'], [5, 'Ningbo Lishe Airport', 'CN']]) {
    await step(brand, 'register_location', { gln: gtinCheck(`95212340000${n}`), name, country,
      ...(n === 2 ? { kind: 'bonded_warehouse' } : {}) });
  }
  await step(brand, 'capture', { events: [ev('ObjectEvent', 'ADD', 'commissioning', items.map((i) => `https://id.gs1.org${i}`), ago(30),
    { disposition: 'active', bizLocation: { id: loc(1) }, ilmd: { 'cbvmda:countryOfOrigin': 'NZ' } })] });
  await step(brand, 'capture', { events: [ev('ObjectEvent', 'OBSERVE', 'shipping', items, ago(26),
    { disposition: 'in_transit', bizLocation: { id: loc(1) }, readPoint: { id: loc(4) } })] });
  // 1210: the goods arrive at a bonded warehouse (under customs control until released), then
  // the order is declared with its order / payment / waybill numbers and released. Customs
  // records carry their own times (docs/provenance.md "Customs clearance").
  await step(brand, 'capture', { events: [ev('ObjectEvent', 'OBSERVE', 'receiving', items, ago(25),
    { bizLocation: { id: loc(2) }, readPoint: { id: loc(5) } })] });
  // The items' holder (the platform) engages the customs organisation as its broker first.
  await step(brand, 'delegate', { holder: 'platform', org: 'customs', acts: ['customs'] });
  await step(customs, 'customs_declare', { declaration_no: `DEC${run}`, mode: '1210', order_no: `ORD${run}`,
    payment_no: `PAY${run}`, waybill_no: `WB${run}`, items, origin_country: 'NZ', declared_time: ago(3) });
  await step(customs, 'customs_inspect', { declaration_no: `DEC${run}` });
  await step(customs, 'certify', { certificate_id: `CERT${run}`, result: 'conformant',
    report_sha256: tm.toHex(tm.sha256(tm.utf8Encode(`lab report ${run}`))), issue_date: day(0),
    expiry_date: day(365), lots: [`/01/${honey}/10/${lot}`] });
  await step(customs, 'customs_release', { declaration_no: `DEC${run}`, release_time: ago(2) });
  await step(brand, 'capture', { events: [ev('ObjectEvent', 'OBSERVE', 'receiving', items, ago(0), { bizLocation: { id: loc(2) } })] });
  await step(brand, 'capture', { events: [ev('ObjectEvent', 'OBSERVE', 'stocking', items.slice(0, 2), ago(0), { bizLocation: { id: loc(3) } })] });
  // The consumer's purchase of the first tin (the 1210 journey's end).
  await step(brand, 'capture', { events: [ev('ObjectEvent', 'OBSERVE', 'retail_selling', [items[0]], ago(0),
    { disposition: 'retail_sold', bizLocation: { id: loc(3) } })] });
  await step(service, 'scan', { code: items[1] });
  await step(service, 'scan', { code: items[1] });

  await step(brand, 'register_product', { gtin: formula, name: 'Infant formula stage 1, 800 g', brand: 'Kaimai Dairy',
    origin_country: 'NZ', company_prefix_length: 7 });
  await step(brand, 'register_lot', { gtin: formula, lot: badLot, production_date: day(-3), expiry_date: day(540) });
  await step(brand, 'capture', { events: [ev('ObjectEvent', 'ADD', 'commissioning', [recalled], ago(40), { disposition: 'active' })] });
  await step(regulator, 'recall', { lot: `/01/${formula}/10/${badLot}`, reason: 'foreign matter found in samples' });

  const out = { honey, formula, lot, items, recalled, txs, orgs: ['platform', 'customs', 'bank', 'regulator'],
    brandKey: brand.key, epcUrn: `urn:epc:id:sgtin:9521234.070001.${run}1` };
  log('seed: trace links');
  for (const i of [...items, recalled]) log(`  ${base}${i}`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [base = 'http://127.0.0.1:8080', dir = 'run/local-4'] = process.argv.slice(2);
  seed(base, dir).catch((e) => {
    console.error(`seed: ${e.message}`);
    process.exit(1);
  });
}
