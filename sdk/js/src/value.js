// value.js — the canonical structured Value (docs/encoding.md §Value), as
// sdk/include/tidemark/value.h.
//
// A Value is a plain JS tree:
//   null | boolean | bigint (int64; safe-integer numbers are accepted when encoding)
//   | string | Uint8Array (bytes) | Array (list) | plain object (map with string keys)
// There are no floats. Decoding always yields ints as BigInt. Map keys are encoded in ascending
// order of their UTF-8 bytes whatever the object's key order, so one value has one encoding.
// JSON maps onto Value one-to-one except bytes, which appear as {"$bytes": "<hex>"}.
//
//   const b = encodeValue({ gtin: '09521234543213', qty: 12 });
//   decodeValue(b);                      // { gtin: '09521234543213', qty: 12n }
//   valueToJsonText(decodeValue(b));     // '{"gtin":"09521234543213","qty":12}'
//   valueFromJson({ doc: { $bytes: '00ff' } });   // { doc: Uint8Array [0, 255] }

import { DecodeError, compareBytes, fromHex, isBytes, toHex, utf8Encode } from './bytes.js';
import { Reader, Writer } from './codec.js';

export const VALUE_MAX_DEPTH = 32;
export const VALUE_MAX_STRING_LEN = 1 << 20;
const MAX_ELEMENTS = 1 << 20;
const MAX_KEY_LEN = 1024;

export const ValueTag = Object.freeze({
  null: 0,
  false: 1,
  true: 2,
  int: 3,
  string: 4,
  bytes: 5,
  list: 6,
  map: 7,
});

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function isPlainObject(v) {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  // Object.prototype of any realm, or no prototype; not arrays, Maps, Dates or class instances.
  return !Array.isArray(v) && (proto === null || Object.getPrototypeOf(proto) === null);
}

// Sets obj[k] = v as an own enumerable property, even for keys like "__proto__".
function defineKey(obj, k, v) {
  Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Map entries as [keyBytes, key, value], sorted by key bytes (the canonical order). */
function sortedEntries(obj) {
  const entries = Object.keys(obj).map((k) => [utf8Encode(k), k, obj[k]]);
  entries.sort((a, b) => compareBytes(a[0], b[0]));
  return entries;
}

export function encodeValueTo(w, v) {
  if (v === null) {
    w.u8(ValueTag.null);
  } else if (v === false || v === true) {
    w.u8(v ? ValueTag.true : ValueTag.false);
  } else if (typeof v === 'bigint' || typeof v === 'number') {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      throw new TypeError(
        `value: ${v} is not an integer Value (no floats; use BigInt beyond 2^53)`,
      );
    }
    const x = BigInt(v);
    if (x < I64_MIN || x > I64_MAX) throw new RangeError(`value: ${x} is outside int64`);
    w.u8(ValueTag.int).i64(x);
  } else if (typeof v === 'string') {
    w.u8(ValueTag.string).str(v);
  } else if (isBytes(v)) {
    w.u8(ValueTag.bytes).blob(v);
  } else if (Array.isArray(v)) {
    w.u8(ValueTag.list).u32(v.length);
    for (const e of v) encodeValueTo(w, e);
  } else if (isPlainObject(v)) {
    const entries = sortedEntries(v);
    w.u8(ValueTag.map).u32(entries.length);
    for (const [kb, , e] of entries) {
      w.blob(kb);
      encodeValueTo(w, e);
    }
  } else {
    throw new TypeError(`value: cannot encode ${typeof v}`);
  }
  return w;
}

export function encodeValue(v) {
  return encodeValueTo(new Writer(), v).bytes();
}

export function decodeValueFrom(r, depth = 0) {
  if (depth > VALUE_MAX_DEPTH) throw r.error(`value nested deeper than ${VALUE_MAX_DEPTH}`);
  const tag = r.u8('value tag');
  switch (tag) {
    case ValueTag.null:
      return null;
    case ValueTag.false:
      return false;
    case ValueTag.true:
      return true;
    case ValueTag.int:
      return r.i64('int');
    case ValueTag.string:
      return r.str(VALUE_MAX_STRING_LEN, 'string');
    case ValueTag.bytes:
      return r.blob(VALUE_MAX_STRING_LEN, 'bytes');
    case ValueTag.list: {
      const n = r.count(MAX_ELEMENTS, 1, 'list');
      const out = [];
      for (let i = 0; i < n; i++) out.push(decodeValueFrom(r, depth + 1));
      return out;
    }
    case ValueTag.map: {
      const n = r.count(MAX_ELEMENTS, 5, 'map');
      const out = {};
      let prev = null;
      for (let i = 0; i < n; i++) {
        const start = r.pos + 4;
        const k = r.str(MAX_KEY_LEN, 'map key');
        const kb = r.in.subarray(start, r.pos);
        if (prev !== null && compareBytes(prev, kb) >= 0) {
          throw r.error(`map keys not strictly ascending at "${k}"`);
        }
        prev = kb;
        defineKey(out, k, decodeValueFrom(r, depth + 1));
      }
      return out;
    }
    default:
      throw r.error(`unknown value tag ${tag}`);
  }
}

/** Decodes one whole Value; throws DecodeError on anything non-canonical or trailing. */
export function decodeValue(bytes) {
  const r = new Reader(bytes, 'value');
  const v = decodeValueFrom(r);
  r.finish();
  return v;
}

/**
 * Value from parsed JSON (the REST form). Numbers must be safe integers (pass BigInt for larger
 * int64s); {"$bytes": hex} (that single key) is bytes. Throws DecodeError naming the JSON path.
 */
export function valueFromJson(j, depth = 0, path = '$') {
  if (depth > VALUE_MAX_DEPTH) throw new DecodeError(`${path}: nested too deeply`);
  if (j === null || typeof j === 'boolean' || typeof j === 'string') {
    if (typeof j === 'string') {
      let b;
      try {
        b = utf8Encode(j);
      } catch {
        throw new DecodeError(`${path}: string is not valid UTF-8`);
      }
      if (b.length > VALUE_MAX_STRING_LEN) throw new DecodeError(`${path}: string too long`);
    }
    return j;
  }
  if (typeof j === 'bigint') {
    if (j < I64_MIN || j > I64_MAX) throw new DecodeError(`${path}: integer out of range`);
    return j;
  }
  if (typeof j === 'number') {
    if (!Number.isInteger(j)) {
      throw new DecodeError(`${path}: non-integer numbers are not allowed (use a decimal string)`);
    }
    if (!Number.isSafeInteger(j)) {
      throw new DecodeError(
        `${path}: integer beyond 2^53 lost precision in JSON.parse; use BigInt`,
      );
    }
    return BigInt(j);
  }
  if (Array.isArray(j)) {
    if (j.length > MAX_ELEMENTS) throw new DecodeError(`${path}: list too long`);
    return j.map((e, i) => valueFromJson(e, depth + 1, `${path}[${i}]`));
  }
  if (isPlainObject(j)) {
    const keys = Object.keys(j);
    if (keys.length === 1 && keys[0] === '$bytes') {
      if (typeof j.$bytes !== 'string')
        throw new DecodeError(`${path}.$bytes: must be a hex string`);
      let b;
      try {
        b = fromHex(j.$bytes);
      } catch (e) {
        throw new DecodeError(`${path}.$bytes: ${e.message}`);
      }
      if (b.length > VALUE_MAX_STRING_LEN) throw new DecodeError(`${path}: bytes too long`);
      return b;
    }
    if (keys.length > MAX_ELEMENTS) throw new DecodeError(`${path}: map too large`);
    for (const k of keys) {
      let kb = null;
      try {
        kb = utf8Encode(k);
      } catch {
        // reported below
      }
      if (kb === null || kb.length > MAX_KEY_LEN) {
        throw new DecodeError(
          `${path}: map key is not valid UTF-8 or longer than ${MAX_KEY_LEN} bytes`,
        );
      }
    }
    const out = {};
    for (const k of keys) defineKey(out, k, valueFromJson(j[k], depth + 1, `${path}.${k}`));
    return out;
  }
  throw new DecodeError(`${path}: unsupported JSON type`);
}

/**
 * JSON form of a Value (ints as numbers when they are safe integers, else as BigInt — use
 * valueToJsonText for exact text).
 */
export function valueToJson(v) {
  if (typeof v === 'bigint') return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
  if (isBytes(v)) return { $bytes: toHex(v) };
  if (Array.isArray(v)) return v.map(valueToJson);
  if (isPlainObject(v)) {
    const out = {};
    for (const [, k, e] of sortedEntries(v)) defineKey(out, k, valueToJson(e));
    return out;
  }
  return v;
}

/**
 * Compact JSON text of a Value with map keys in byte order and exact int64s — the same text as
 * the C++ `Value::ToJson().dump()`.
 */
export function valueToJsonText(v) {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypeError(`value: ${v} is not an integer Value`);
    return String(v);
  }
  if (isBytes(v)) return `{"$bytes":${JSON.stringify(toHex(v))}}`;
  if (Array.isArray(v)) return `[${v.map(valueToJsonText).join(',')}]`;
  if (isPlainObject(v)) {
    const parts = sortedEntries(v).map(([, k, e]) => `${JSON.stringify(k)}:${valueToJsonText(e)}`);
    return `{${parts.join(',')}}`;
  }
  throw new TypeError(`value: cannot convert ${typeof v} to JSON`);
}
