// codec.js — the canonical binary encoding's primitives (docs/encoding.md), same rules as
// sdk/include/tidemark/codec.h.
//
// Integers are fixed-width big-endian (u64 / i64 as BigInt, u8 / u16 / u32 as numbers);
// variable-length fields are a u32 length then the bytes; booleans are exactly 0x00 / 0x01;
// optionals are a 0x00 / 0x01 tag then the value.
//
//   const w = new Writer();  w.u64(7n);  w.str('hello');  const out = w.bytes();
//   const r = new Reader(out, 'example');
//   const n = r.u64('n');  const s = r.str(64, 's');
//   r.finish();                        // rejects trailing bytes
//
// A Reader never reads out of bounds and never allocates more than the bytes present; every
// failure throws a DecodeError whose message matches the C++ Status message.

import { DecodeError, assertBytes, isValidUtf8, utf8Encode } from './bytes.js';

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function toBigInt(v, what) {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new TypeError(`${what}: expected a BigInt or a safe integer, got ${v}`);
}

function checkUint(v, bits, what) {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
    throw new RangeError(`${what}: ${v} is not a u${bits}`);
  }
}

export class Writer {
  constructor() {
    this.buf = new Uint8Array(64);
    this.len = 0;
  }

  reserve(n) {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v) {
    checkUint(v, 8, 'u8');
    this.reserve(1);
    this.buf[this.len++] = v;
    return this;
  }

  u16(v) {
    checkUint(v, 16, 'u16');
    this.reserve(2);
    this.buf[this.len++] = v >>> 8;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u32(v) {
    checkUint(v, 32, 'u32');
    this.reserve(4);
    for (let s = 24; s >= 0; s -= 8) this.buf[this.len++] = (v >>> s) & 0xff;
    return this;
  }

  u64(v) {
    const x = toBigInt(v, 'u64');
    if (x < 0n || x > U64_MAX) throw new RangeError(`u64: ${x} out of range`);
    this.reserve(8);
    for (let s = 56n; s >= 0n; s -= 8n) this.buf[this.len++] = Number((x >> s) & 0xffn);
    return this;
  }

  i64(v) {
    const x = toBigInt(v, 'i64');
    if (x < I64_MIN || x > I64_MAX) throw new RangeError(`i64: ${x} out of range`);
    return this.u64(BigInt.asUintN(64, x));
  }

  bool(v) {
    if (typeof v !== 'boolean') throw new TypeError('bool: expected a boolean');
    return this.u8(v ? 1 : 0);
  }

  /** Length-prefixed bytes. */
  blob(b) {
    assertBytes(b, undefined, 'blob');
    this.u32(b.length);
    return this.raw(b);
  }

  /** Length-prefixed UTF-8. */
  str(s) {
    return this.blob(utf8Encode(s));
  }

  /** No prefix: fixed-size fields (hashes, keys, signatures). Pass n to check the size. */
  raw(b, n) {
    assertBytes(b, n, 'raw');
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** A copy of the bytes written so far. */
  bytes() {
    return this.buf.slice(0, this.len);
  }
}

export class Reader {
  /** `what` names the object being decoded and prefixes every error ("tx: truncated at nonce"). */
  constructor(bytes, what = '') {
    assertBytes(bytes, undefined, 'Reader input');
    this.in = bytes;
    this.pos = 0;
    this.what = what;
  }

  remaining() {
    return this.in.length - this.pos;
  }

  error(msg) {
    return new DecodeError(this.what ? `${this.what}: ${msg}` : msg);
  }

  need(n, field) {
    if (this.remaining() < n) {
      throw this.error(`truncated at ${field} (need ${n} bytes, have ${this.remaining()})`);
    }
  }

  u8(field = 'u8') {
    this.need(1, field);
    return this.in[this.pos++];
  }

  u16(field = 'u16') {
    this.need(2, field);
    const v = (this.in[this.pos] << 8) | this.in[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(field = 'u32') {
    this.need(4, field);
    let v = 0;
    for (let i = 0; i < 4; i++) v = v * 256 + this.in[this.pos + i];
    this.pos += 4;
    return v;
  }

  u64(field = 'u64') {
    this.need(8, field);
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.in[this.pos + i]);
    this.pos += 8;
    return v;
  }

  i64(field = 'i64') {
    return BigInt.asIntN(64, this.u64(field));
  }

  bool(field = 'bool') {
    const b = this.u8(field);
    if (b > 1) throw this.error(`non-canonical bool at ${field}`);
    return b === 1;
  }

  /** Length-prefixed bytes; rejects a length above maxLen before reading. Returns a copy. */
  blob(maxLen, field = 'bytes') {
    const len = this.u32(field);
    if (len > maxLen) throw this.error(`${field} too long (${len} > ${maxLen})`);
    this.need(len, field);
    const out = this.in.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** Like blob, and the bytes must be valid UTF-8. */
  str(maxLen, field = 'string') {
    const b = this.blob(maxLen, field);
    if (!isValidUtf8(b)) throw this.error(`${field} is not valid UTF-8`);
    return utf8.decode(b);
  }

  /** Exactly n bytes with no prefix (hashes, keys, signatures). Returns a copy. */
  raw(n, field = 'raw') {
    this.need(n, field);
    const out = this.in.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * A u32 element count, checked against maxCount and against the bytes left (each element takes
   * at least minElemSize bytes), so a huge count cannot allocate.
   */
  count(maxCount, minElemSize, field = 'count') {
    const n = this.u32(field);
    if (n > maxCount) throw this.error(`${field} too large (${n} > ${maxCount})`);
    if (minElemSize > 0 && n * minElemSize > this.remaining()) {
      throw this.error(
        `truncated at ${field} (${n} elements cannot fit in ${this.remaining()} bytes)`,
      );
    }
    return n;
  }

  /** Reads the version byte and rejects anything but `expected`. */
  version(expected) {
    const v = this.u8('version');
    if (v !== expected) throw this.error(`unknown version ${v} (expected ${expected})`);
  }

  /** Throws unless every byte was consumed. */
  finish() {
    if (this.remaining() !== 0) throw this.error(`trailing bytes (${this.remaining()})`);
  }
}

/** Runs `fn(reader)` over the whole input and rejects trailing bytes. */
export function decodeWhole(bytes, what, fn) {
  const r = new Reader(bytes, what);
  const out = fn(r);
  r.finish();
  return out;
}
