// The JS state-key layout (src/state_keys.js) against the C++ one the contracts write with: every
// "state_keys" vector of tests/vectors/vectors.json (generated from
// sdk/include/tidemark/state_keys/*.h) names a JS builder or constant that gives exactly its key,
// and every builder and constant of the JS layout is named by some vector, so neither side can
// add, drop or change a key without this test failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as tm from '../src/index.js';

const doc = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/vectors.json', import.meta.url)),
);
const { stateKeys } = tm;

function resolve(name) {
  let at = stateKeys;
  for (const part of name.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = at[part];
  }
  return at;
}

// "prov.obj", "gov.VALIDATORS", "seqPart", ...: every leaf of stateKeys.
function leaves(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' ? leaves(v, `${prefix}${k}.`) : [`${prefix}${k}`]);
}

test('the vectors hold a state_keys section', () => {
  assert.ok(Array.isArray(doc.state_keys) && doc.state_keys.length > 0);
});

test('every state_keys vector is reproduced by the JS layout', () => {
  for (const v of doc.state_keys) {
    const target = resolve(v.name);
    assert.notEqual(target, undefined, `${v.name}: not in the JS layout`);
    if (typeof target === 'function') {
      assert.ok(Array.isArray(v.args), `${v.name}: a builder vector carries args`);
      assert.equal(target.length, v.args.length, `${v.name}: argument count`);
      assert.equal(target(...v.args), v.key, `${v.name}(${v.args.join(', ')})`);
    } else {
      assert.equal(v.args, undefined, `${v.name}: a constant takes no args`);
      assert.equal(target, v.key, v.name);
    }
  }
});

test('every builder and constant of the JS layout is pinned by a C++ vector', () => {
  const named = new Set(doc.state_keys.map((v) => v.name));
  assert.deepEqual(leaves(stateKeys).filter((n) => !named.has(n)), []);
});

test('the verifiers use the layout: the validator-set key is gov.VALIDATORS', () => {
  assert.equal(tm.VALIDATOR_SET_STATE_KEY, stateKeys.gov.VALIDATORS);
});

test('numbers: bigint, safe number and decimal string agree; the rest is refused', () => {
  const { seqPart, timePart, prov } = stateKeys;
  assert.equal(seqPart(42), '0000000000000042');
  assert.equal(seqPart(42n), seqPart('42'));
  assert.equal(timePart(-1), timePart(-1n));
  assert.throws(() => seqPart(-1), RangeError);
  assert.throws(() => seqPart(1n << 64n), RangeError);
  assert.throws(() => timePart(1n << 63n), RangeError);
  assert.throws(() => seqPart(1.5), TypeError);
  assert.throws(() => seqPart(2 ** 60), TypeError); // not a safe integer: give a bigint
  assert.throws(() => prov.event('0x10'), TypeError);
  // Keys sort in time order, times before 1970 first.
  const times = [-5n, -1n, 0n, 7n, 1767225600000n];
  const sorted = times.map((t) => prov.timeIndexFrom(t)).slice().sort();
  assert.deepEqual(sorted, times.map((t) => prov.timeIndexFrom(t)));
});

test('identifiers and keys: wrong types and upper-case hex are refused', () => {
  const { sys, identity, prov } = stateKeys;
  const key = tm.publicKeyFromSeed(new Uint8Array(32).fill(1));
  assert.equal(sys.nonce(key), sys.nonce(tm.toHex(key)));
  assert.throws(() => sys.nonce(tm.toHex(key).toUpperCase()), TypeError);
  assert.throws(() => identity.key(key.subarray(1)), TypeError);
  assert.throws(() => prov.obj(undefined), TypeError);
  assert.throws(() => prov.deleg('/01/09506000134352', 7), TypeError);
});
