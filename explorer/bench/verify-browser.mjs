#!/usr/bin/env node
// verify-browser.mjs — how long the consumer's browser takes to check a trace answer (DESIGN.md §5:
// <= 50 ms in the browser), measured in Debian's chromium driven by playwright-core.
//
// The input is the shared vector answer_ok of tests/vectors/proof_vectors.json (a trace answer
// with its state bundle: six records under a 3-of-4 commit certificate), verified by sdk/js
// exactly as the trace page does (verifyTraceAnswer), bundled for the browser by esbuild.
// The ceiling is measured in the same page and run: one Ed25519 verification, the step a bundle
// repeats once per certificate signature. The report gives medians and the ratio of a whole
// answer to its signature checks alone (3 here), so a noisy, shared machine still reads right.
//
//   cd explorer && npm ci && node bench/verify-browser.mjs [runs]
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const runs = Number(process.argv[2] ?? 50);
if (!Number.isInteger(runs) || runs < 5 || runs > 10000) {
  console.error('usage: node bench/verify-browser.mjs [runs: 5..10000]');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(`${here}../../tests/vectors/proof_vectors.json`, 'utf8'));
const answerCase = doc.trace_answers.find((c) => c.name === 'answer_ok');
if (!answerCase) throw new Error('proof_vectors.json has no answer_ok trace answer');

const bundled = await esbuild.build({
  stdin: { contents: "import * as tm from '../../sdk/js/src/index.js'; globalThis.tm = tm;", resolveDir: here },
  bundle: true, format: 'iife', platform: 'browser', target: 'es2022', minify: true, write: false,
  nodePaths: [`${here}../node_modules`], logLevel: 'warning',
});

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><title>verify bench</title>');
  await page.addScriptTag({ content: bundled.outputFiles[0].text });
  const r = await page.evaluate(({ answer, trust, runs }) => {
    const { tm } = globalThis;
    const t = tm.trustFromGenesis(trust);
    const time = (fn) => {
      for (let i = 0; i < 5; i++) fn();  // warm-up: JIT, caches
      const ms = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        fn();
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      return { median: ms[Math.floor(ms.length / 2)], p90: ms[Math.floor(ms.length * 0.9)] };
    };
    const check = tm.verifyTraceAnswer(answer, t);  // throws VerifyError with the reason
    const seed = new Uint8Array(32).fill(7);
    const pub = tm.publicKeyFromSeed(seed);
    const msg = new TextEncoder().encode('tidemark verify-bench ceiling');
    const sig = tm.signRaw(seed, msg);
    if (!tm.verifyRaw(pub, msg, sig)) throw new Error('ed25519 self-check failed');
    return {
      answer: time(() => tm.verifyTraceAnswer(answer, t)),
      ed25519: time(() => tm.verifyRaw(pub, msg, sig)),
      signers: check.quorum.signed,
      ua: navigator.userAgent,
    };
  }, { answer: answerCase.answer, trust: doc.trust, runs });
  const bytes = answerCase.answer.proof.bundle.length / 2;
  const browserVersion = browser.version();
  console.log(`browser verify (chromium ${browserVersion}, ${runs} runs, medians):`);
  console.log(`  trace answer: bundle ${bytes} bytes, ${r.signers} signatures: ` +
              `median ${r.answer.median.toFixed(2)} ms, p90 ${r.answer.p90.toFixed(2)} ms ` +
              '(target <= 50 ms)');
  console.log(`  ceiling, one Ed25519 verify in the same page: median ${r.ed25519.median.toFixed(2)} ms`);
  if (r.signers > 0 && r.ed25519.median > 0) {
    console.log(`  answer / (signatures x Ed25519): ${(r.answer.median / (r.signers * r.ed25519.median)).toFixed(2)}`);
  }
} finally {
  await browser.close();
}
