// bytes.js — byte helpers: hex, concatenation, comparison and strict UTF-8.
//
//   import { fromHex, toHex, utf8Encode } from '@tidemark/sdk';
//   toHex(fromHex('00ff'));          // '00ff'
//   utf8Encode('é');                 // Uint8Array [0xc3, 0xa9]
//
// Every function here is pure and works the same in Node and in browsers (no Buffer).

/** Thrown by every decoder for malformed input; `message` names what was wrong. */
export class DecodeError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DecodeError';
  }
}

const HEX = '0123456789abcdef';

/** Lowercase hex of a Uint8Array. */
export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4] + HEX[b & 15];
  return s;
}

function hexDigit(c) {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Lowercase or uppercase hex of even length to bytes; throws DecodeError otherwise. */
export function fromHex(hex) {
  if (typeof hex !== 'string') throw new DecodeError('hex: expected a string');
  if (hex.length % 2 !== 0) throw new DecodeError('hex: odd length');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(hex.charCodeAt(2 * i));
    const lo = hexDigit(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new DecodeError('hex: invalid digit');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Hex of exactly n bytes to bytes. */
export function fromHexFixed(hex, n, what = 'value') {
  const b = fromHex(hex);
  if (b.length !== n) throw new DecodeError(`${what}: expected ${n} bytes, got ${b.length}`);
  return b;
}

export function concatBytes(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Lexicographic byte order: negative, zero or positive like a comparator. */
export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function isZero(bytes) {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

/** True for a Uint8Array, also one made in another realm (iframe, worker, vm context). */
export function isBytes(v) {
  return (
    v instanceof Uint8Array ||
    (ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === '[object Uint8Array]')
  );
}

/** Checks a value is a Uint8Array of `n` bytes (or any length if n is undefined). */
export function assertBytes(v, n, what) {
  if (!isBytes(v)) throw new TypeError(`${what}: expected a Uint8Array`);
  if (n !== undefined && v.length !== n) {
    throw new TypeError(`${what}: expected ${n} bytes, got ${v.length}`);
  }
  return v;
}

const encoder = new TextEncoder();

/**
 * UTF-8 encoding of a JS string. Lone surrogates cannot be encoded canonically (TextEncoder would
 * silently replace them with U+FFFD), so they are rejected.
 */
export function utf8Encode(s) {
  if (typeof s !== 'string') throw new TypeError('expected a string');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new TypeError('string has a lone surrogate');
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new TypeError('string has a lone surrogate');
    }
  }
  return encoder.encode(s);
}

/**
 * Same rules as the C++ IsValidUtf8: no overlong forms, no surrogates, nothing above U+10FFFF,
 * no truncated sequences.
 */
export function isValidUtf8(b) {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n;
    let cp;
    if ((c & 0xe0) === 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) === 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) === 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= b.length) return false;
    for (let k = 1; k <= n; k++) {
      if ((b[i + k] & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (b[i + k] & 0x3f);
    }
    if ((n === 1 && cp < 0x80) || (n === 2 && cp < 0x800) || (n === 3 && cp < 0x10000))
      return false;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 decoding; throws DecodeError on anything isValidUtf8 rejects. */
export function utf8Decode(b) {
  if (!isValidUtf8(b)) throw new DecodeError('invalid UTF-8');
  return decoder.decode(b);
}
