// Differential test against libsodium 1.0.18 (what the nodes use through the C++ core): 287
// adversarial (public key, message, signature) triples — valid signatures, S + L, public keys and
// R with every torsion component (libsodium accepts some of these: those whose torsion term
// vanishes), small-order A and R, non-canonical encodings, negative zero — each with libsodium's
// verdict from crypto_sign_verify_detached. JS must agree on every one: a browser that accepted a
// signature the nodes reject (or the reverse) would show a wrong "verified" mark. @noble's own
// verify disagrees with libsodium on about 200 of them in either mode, which is why crypto.js
// implements the check itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as tm from '../src/index.js';

const cases = JSON.parse(
  readFileSync(new URL('./fixtures/ed25519-edge-cases.json', import.meta.url)),
);

test('verifyRaw agrees with libsodium on every adversarial signature', () => {
  assert.equal(cases.length, 287);
  const accepted = cases.filter((c) => c.libsodium).length;
  assert.ok(accepted > 16 && accepted < cases.length, `${accepted} accepted`);
  const disagreements = cases
    .filter(
      (c) => tm.verifyRaw(tm.fromHex(c.pk), tm.fromHex(c.msg), tm.fromHex(c.sig)) !== c.libsodium,
    )
    .map((c) => c.name);
  assert.deepEqual(disagreements, []);
});
