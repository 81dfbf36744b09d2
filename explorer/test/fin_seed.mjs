// fin_seed.mjs — loads receivables for the finance pages' browser tests through the REST API
// (signed `fin` txs, POST /v1/txs?wait=commit), with the organisations' keys from a `tidemark
// network init` folder:
//   R1  platform invoices customs; customs confirms; platform splits it 7,500 / 5,000 CNY, transfers
//       the second part to the bank and pledges the first to the bank, which accepts: encumbered
//   R2  platform invoices customs; registered only (the bank is no party of it: 403)
//   R3  registered, then cancelled by platform: closed
// Runs on its own too:  node explorer/test/fin_seed.mjs http://127.0.0.1:8080 run/local-4
import * as tm from '../../sdk/js/src/index.js';
import { Signer } from './seed.mjs';

const day = (days) => new Date(Date.now() + days * 86400 * 1000).toISOString().slice(0, 10);
const docHash = (text) => tm.toHex(tm.sha256(tm.utf8Encode(text)));

export async function finSeed(base, netDir, { log = console.log } = {}) {
  const status = await (await fetch(`${base}/v1/status`)).json();
  const chainId = status.chain_id;
  const platform = new Signer(base, chainId, `${netDir}/platform/admin_key.json`);
  const customs = new Signer(base, chainId, `${netDir}/customs/admin_key.json`);
  const bank = new Signer(base, chainId, `${netDir}/bank/admin_key.json`);
  const run = String(Date.now() % 1000000);
  const fin = async (who, method, args) => {
    const r = await who.call('fin', method, tm.finArgs[method](args));
    log(`  fin.${method.padEnd(15)} committed at height ${r.height}`);
    return r;
  };
  const invoice = (n, amount) => ({ creditor: 'platform', debtor: 'customs', number: `INV-${run}/${n}`, amount,
    currency: 'CNY', date: day(-5) });
  const register = async (inv) => {
    const r = await fin(platform, 'register', { debtor: inv.debtor, currency: inv.currency,
      contract: { number: `PC-${run}`, hash: docHash(`purchase contract ${run}`) },
      invoices: [{ number: inv.number, amount: inv.amount, tax: Math.floor(inv.amount / 10), date: inv.date,
        hash: docHash(`invoice ${inv.number}`) }],
      issue_date: day(-4), due_date: day(86) });
    return `rcv_${r.id.slice(0, 20)}`;
  };

  log(`fin seed: receivables into ${base}`);
  const inv1 = invoice(1, 1250000);
  const r1 = await register(inv1);
  await fin(customs, 'confirm', { id: r1 });
  await fin(platform, 'split', { part: r1, amounts: [750000, 500000] });
  await fin(platform, 'transfer', { part: `${r1}.2`, to: 'bank' });
  await fin(platform, 'offer_finance', { part: `${r1}.1`, bank: 'bank', kind: 'pledge', amount: 600000 });
  await fin(bank, 'accept_finance', { part: `${r1}.1` });
  const inv2 = invoice(2, 380000);
  const r2 = await register(inv2);
  const inv3 = invoice(3, 99000);
  const r3 = await register(inv3);
  await fin(platform, 'cancel', { id: r3 });
  const free = invoice(4, 1250000);  // never registered
  log(`fin seed: ${base}/fin/receivables/${r1} (encumbered), ${r2} (registered), ${r3} (cancelled)`);
  return { r1, r2, r3, inv1, inv2, inv3, free };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [base = 'http://127.0.0.1:8080', dir = 'run/local-4'] = process.argv.slice(2);
  finSeed(base, dir).catch((e) => {
    console.error(`fin seed: ${e.message}`);
    process.exit(1);
  });
}
