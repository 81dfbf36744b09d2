// Builds the explorer into dist/: one ES module bundle (app.js, with sdk/js and the QR library
// inside it), index.html, style.css and the icon. Nothing is loaded from the internet at run time.
//   npm ci && npm run build
import * as esbuild from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = `${here}dist`;
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
const result = await esbuild.build({
  entryPoints: [`${here}src/main.js`],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outfile: `${dist}/app.js`,
  // sdk/js is imported by relative path; its @noble packages resolve from here.
  nodePaths: [`${here}node_modules`],
  logLevel: 'warning',
});
if (result.errors.length || result.warnings.length) process.exit(1);
for (const f of ['index.html', 'style.css', 'favicon.svg']) {
  await copyFile(`${here}static/${f}`, `${dist}/${f}`);
}
console.log(`explorer: built ${dist}`);
