// plg_seed.mjs — loads an equity pledge for the pledge registry pages' browser tests through the
// REST API (signed `plg` txs, POST /v1/txs?wait=commit), with the organisations' keys from a
// `tidemark network init` folder (docs/finance.md §14):
//   the regulator records platform's holding of 1,000,000 in a company (eq_holding); platform
//   applies to pledge 400,000 of it to the bank (eq_apply); the bank accepts (eq_accept); the
//   regulator registers it under a fresh number (eq_register): a REGISTERED pledge with a gazette
//   entry. Customs is no party of it.
// Runs on its own too:  node explorer/test/plg_seed.mjs http://127.0.0.1:8080 run/local-4
import * as tm from '../../sdk/js/src/index.js';
import { Signer } from './seed.mjs';

const day = (days) => new Date(Date.now() + days * 86400 * 1000).toISOString().slice(0, 10);

// A unified social credit code: 17 characters and the GB 32100-2015 check character.
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export function uscc(body17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(body17[i]) * USCC_WEIGHTS[i];
  return body17 + USCC_CHARS[(31 - (sum % 31)) % 31];
}

export async function plgSeed(base, netDir, { log = console.log } = {}) {
  const status = await (await fetch(`${base}/v1/status`)).json();
  const chainId = status.chain_id;
  const platform = new Signer(base, chainId, `${netDir}/platform/admin_key.json`);
  const bank = new Signer(base, chainId, `${netDir}/bank/admin_key.json`);
  const regulator = new Signer(base, chainId, `${netDir}/regulator/admin_key.json`);
  const run = String(Date.now() % 1000000).padStart(6, '0');
  const plg = async (who, method, args) => {
    const r = await who.call('plg', method, args);
    log(`  plg.${method.padEnd(12)} committed at height ${r.height}`);
    return r;
  };
  const company = uscc(`91310000MA${run}0`);
  const registrationNo = `EQ-${new Date().getUTCFullYear()}-${run}`;
  log(`plg seed: an equity pledge into ${base}`);
  await plg(regulator, 'eq_holding', { org: 'platform', uscc: company, company: `Harbour Logistics ${run} Co., Ltd.`,
    listed: false, amount: 1000000 });
  const applied = await plg(platform, 'eq_apply', { uscc: company, pledgee: 'bank', amount: 400000, debt_amount: 5000000,
    currency: 'CNY', debt_due: day(365), contract_hash: tm.toHex(tm.sha256(tm.utf8Encode(`pledge contract ${run}`))) });
  const pledge = `eqp_${applied.id.slice(0, 20)}`;
  await plg(bank, 'eq_accept', { pledge });
  await plg(regulator, 'eq_register', { pledge, registration_no: registrationNo });
  log(`plg seed: ${base}/plg/gazette/${registrationNo} (${pledge}, registered)`);
  return { pledge, registrationNo, uscc: company };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [base = 'http://127.0.0.1:8080', dir = 'run/local-4'] = process.argv.slice(2);
  plgSeed(base, dir).catch((e) => {
    console.error(`plg seed: ${e.message}`);
    process.exit(1);
  });
}
