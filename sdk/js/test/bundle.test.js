// Browser bundle sanity: esbuild bundles src/index.js for the browser with no errors or
// warnings, the bundle uses no Node-only API, and it runs in a bare JS context (no Buffer,
// process, require or WebCrypto) to verify a quorum certificate signed by the C++ core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

import { build } from 'esbuild';

const fx = JSON.parse(readFileSync(new URL('./fixtures/core-fixture.json', import.meta.url)));

test('esbuild bundles src/index.js for the browser and it verifies a QC there', async () => {
  const result = await build({
    entryPoints: [new URL('../src/index.js', import.meta.url).pathname],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'Tidemark',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings, []);
  const code = result.outputFiles[0].text;
  assert.ok(code.length < 100_000, `bundle is ${code.length} bytes`);
  // (@noble's unused async paths mention crypto.subtle; the sandbox below has no crypto at all.)
  const nodeOnly = code.match(/(?<!Array)\bBuffer\b|\bprocess\.|\brequire\(/g);
  assert.equal(nodeOnly, null, `bundle references Node-only APIs: ${nodeOnly}`);

  // Only what every browser has; no crypto.subtle (pages may be served over plain http).
  const sandbox = { TextEncoder, TextDecoder };
  vm.createContext(sandbox);
  vm.runInContext(code, sandbox);
  const result2 = vm.runInContext(
    `(() => {
    const tm = Tidemark;
    const vs = tm.decodeValidatorSet(tm.fromHex(${JSON.stringify(fx.validator_set.encoding)}));
    const qc = tm.decodeQuorumCert(tm.fromHex(${JSON.stringify(fx.qc.encoding)}));
    const ok = tm.verifyQuorumCert(qc, vs, ${JSON.stringify(fx.qc.chain_id)});
    qc.signatures[0].signature[0] ^= 1;
    let reason = '';
    try {
      tm.verifyQuorumCert(qc, vs, ${JSON.stringify(fx.qc.chain_id)});
    } catch (e) {
      reason = e.reason;
    }
    return { ok, reason, hash: tm.toHex(tm.validatorSetHash(vs)) };
  })()`,
    sandbox,
  );
  assert.equal(result2.ok, true);
  assert.equal(result2.reason, 'qc: bad signature from validator 0');
  assert.equal(result2.hash, fx.validator_set.hash);
});
