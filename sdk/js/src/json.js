// json.js — JSON text parsing that keeps integers exact (as BigInt), for REST payloads carrying
// int64 / u64 fields and Values, which JSON.parse would round beyond 2^53.
//
//   parseJsonExact('{"height": 18446744073709551615, "ok": true}');
//   // { height: 18446744073709551615n, ok: true }
//   valueFromJsonText('{"qty": 9007199254740993}');   // { qty: 9007199254740993n }
//
// Integers (no fraction or exponent) become BigInt; other numbers stay Numbers (which
// valueFromJson then rejects, as the C++ bridge does). Duplicate object keys are rejected.

import { DecodeError } from './bytes.js';
import { valueFromJson } from './value.js';

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

export function parseJsonExact(text) {
  if (typeof text !== 'string') throw new TypeError('parseJsonExact: expected a string');
  let i = 0;
  const fail = (msg) => {
    throw new DecodeError(`json: ${msg} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  const define = (obj, k, v) =>
    Object.defineProperty(obj, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });

  function value(depth) {
    if (depth > 512) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out = {};
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = string();
        if (Object.prototype.hasOwnProperty.call(out, k)) fail(`duplicate key "${k}"`);
        ws();
        if (text[i++] !== ':') fail('expected ":"');
        define(out, k, value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return out;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const out = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) fail('unexpected character');
    i += m[0].length;
    return m[1] === undefined && m[2] === undefined ? BigInt(m[0]) : Number(m[0]);
  }

  function string() {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) i++;
      i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)); // the escapes, validated by the platform
  }

  const out = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return out;
}

/** A Value from JSON text, exact for every int64. */
export function valueFromJsonText(text) {
  return valueFromJson(parseJsonExact(text));
}
