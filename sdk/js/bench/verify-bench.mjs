#!/usr/bin/env node
// verify-bench.mjs — JS verification time of a trace answer (the shared vector answer_ok of
// tests/vectors/proof_vectors.json: six records, 3-of-4 commit certificate), median of N runs
// after a warm-up. The browser figure: explorer/bench/verify-browser.mjs (Debian chromium).
//   node sdk/js/bench/verify-bench.mjs [runs]
import { readFileSync } from 'node:fs';

import { trustFromGenesis, verifyTraceAnswer } from '../src/index.js';

const runs = Number(process.argv[2] ?? 50);
const doc = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/proof_vectors.json', import.meta.url)),
);
const trust = trustFromGenesis(doc.trust);
const answer = doc.trace_answers.find((c) => c.name === 'answer_ok').answer;
const bytes = answer.proof.bundle.length / 2;
for (let i = 0; i < 5; i++) verifyTraceAnswer(answer, trust);
const ms = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  verifyTraceAnswer(answer, trust);
  ms.push(performance.now() - t0);
}
ms.sort((a, b) => a - b);
const med = ms[Math.floor(ms.length / 2)];
console.log(`verifyTraceAnswer: bundle ${bytes} bytes, median ${med.toFixed(2)} ms, ` +
            `p90 ${ms[Math.floor(ms.length * 0.9)].toFixed(2)} ms over ${runs} runs ` +
            `(target <= 50 ms in the browser) — ${process.version}`);
