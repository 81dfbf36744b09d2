// keyfile.js — reads the key files `tidemark` writes, in the browser, so a reader can sign its
// requests (docs/explorer.md, "Signing in"). The seed never leaves this page's memory.
//
// Accepted (the same as the CLI and sdk/src/keystore.cc):
//   plain      {"seed": "<64 hex>", "public_key"?: "<64 hex>", ...}   (`network init`'s
//              <org>/admin_key.json, `tidemark -o json keys export NAME --seed`)
//   seed text  "<64 hex>"                                                (`keys export NAME --seed`)
//   encrypted  {"version": 1, "name", "public_key", "kdf": {"alg": "argon2id13", opslimit,
//              memlimit, salt}, "cipher": {"alg": "xsalsa20poly1305", nonce, ciphertext}}
//              (the keystore's <home>/keys/NAME.json, `keys export NAME`, or its `-o json`
//              wrapper {"name", "key_file": {...}}): Argon2id (libsodium's crypto_pwhash, p = 1,
//              memlimit bytes = m KiB × 1024) then crypto_secretbox_open_easy (tag first).
//
//   const k = parseKeyFile(text);           // {kind: 'plain', seed, publicKey, name}
//                                           // or {kind: 'encrypted', file, publicKey, name}
//   const seed = await decryptKeyFile(k.file, passphrase, { onProgress });
//
// Errors are KeyFileError with a message for the user; a wrong passphrase and a tampered file are
// indistinguishable ("wrong passphrase or corrupted key file"), as in the C++ keystore.
import { secretbox } from '@noble/ciphers/salsa.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import * as tm from '../../sdk/js/src/index.js';

export class KeyFileError extends Error {}

// The C++ keystore's bounds (keystore.h): a hostile file cannot make the page spend 100 GiB.
export const KDF_BOUNDS = Object.freeze({ minOps: 1, maxOps: 10, minMem: 8 * 1024, maxMem: 2 ** 30 });
export const MAX_KEY_FILE = 64 * 1024;

const HEX64 = /^[0-9a-fA-F]{64}$/;

function hexField(obj, key, n, path) {
  const v = obj && obj[key];
  if (typeof v !== 'string' || v.length !== 2 * n || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new KeyFileError(`key file: ${path} must be ${2 * n} hex digits`);
  }
  return tm.fromHex(v.toLowerCase());
}

function uintField(obj, key, path) {
  const v = obj && obj[key];
  if (!Number.isSafeInteger(v) || v < 0) throw new KeyFileError(`key file: ${path} must be a non-negative integer`);
  return v;
}

function plainKey(seed, claimed, name) {
  const publicKey = tm.toHex(tm.publicKeyFromSeed(seed));
  if (claimed !== undefined && (typeof claimed !== 'string' || claimed.toLowerCase() !== publicKey)) {
    seed.fill(0);
    throw new KeyFileError('key file: public_key does not match the seed');
  }
  return { kind: 'plain', seed, publicKey, name: name || '' };
}

function encryptedFile(j) {
  if (j.version !== 1) throw new KeyFileError(`key file: unsupported version ${JSON.stringify(j.version)} (expected 1)`);
  if (typeof j.name !== 'string') throw new KeyFileError('key file: name must be a string');
  const publicKey = tm.toHex(hexField(j, 'public_key', 32, 'public_key'));
  const kdf = j.kdf;
  if (!kdf || typeof kdf !== 'object') throw new KeyFileError('key file: missing field kdf');
  if (kdf.alg !== 'argon2id13') throw new KeyFileError(`key file: unsupported kdf.alg ${JSON.stringify(kdf.alg)}`);
  const opslimit = uintField(kdf, 'opslimit', 'kdf.opslimit');
  const memlimit = uintField(kdf, 'memlimit', 'kdf.memlimit');
  if (opslimit < KDF_BOUNDS.minOps || opslimit > KDF_BOUNDS.maxOps) {
    throw new KeyFileError(`key file: kdf.opslimit ${opslimit} outside [${KDF_BOUNDS.minOps}, ${KDF_BOUNDS.maxOps}]`);
  }
  if (memlimit < KDF_BOUNDS.minMem || memlimit > KDF_BOUNDS.maxMem) {
    throw new KeyFileError(`key file: kdf.memlimit ${memlimit} outside [${KDF_BOUNDS.minMem}, ${KDF_BOUNDS.maxMem}]`);
  }
  const salt = hexField(kdf, 'salt', 16, 'kdf.salt');
  const cipher = j.cipher;
  if (!cipher || typeof cipher !== 'object') throw new KeyFileError('key file: missing field cipher');
  if (cipher.alg !== 'xsalsa20poly1305') throw new KeyFileError(`key file: unsupported cipher.alg ${JSON.stringify(cipher.alg)}`);
  const nonce = hexField(cipher, 'nonce', 24, 'cipher.nonce');
  const ciphertext = hexField(cipher, 'ciphertext', 48, 'cipher.ciphertext');
  return { kind: 'encrypted', name: j.name, publicKey,
    file: { publicKey, opslimit, memlimit, salt, nonce, ciphertext } };
}

/** Parses a key file's text; throws KeyFileError naming what is wrong. */
export function parseKeyFile(text) {
  if (typeof text !== 'string') throw new KeyFileError('key file: not text');
  if (text.length > MAX_KEY_FILE) throw new KeyFileError('key file: larger than 64 KiB');
  const trimmed = text.trim();
  if (HEX64.test(trimmed)) return plainKey(tm.fromHex(trimmed.toLowerCase()), undefined, '');
  let j;
  try {
    j = JSON.parse(trimmed);
  } catch {
    throw new KeyFileError('key file: neither JSON nor a 64-hex-digit seed');
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new KeyFileError('key file: not a JSON object');
  if (j.key_file && typeof j.key_file === 'object') return encryptedFile(j.key_file);  // -o json export
  if ('seed' in j) {
    if (typeof j.seed !== 'string' || !HEX64.test(j.seed)) throw new KeyFileError('key file: seed must be 64 hex digits');
    return plainKey(tm.fromHex(j.seed.toLowerCase()), j.public_key, typeof j.name === 'string' ? j.name : '');
  }
  if ('version' in j || 'kdf' in j || 'cipher' in j) return encryptedFile(j);
  throw new KeyFileError('key file: expected a "seed" (plain key file) or "kdf" and "cipher" (encrypted key file)');
}

/**
 * Decrypts an encrypted key file (parseKeyFile(...).file) with the passphrase; resolves to the
 * 32-byte seed. Argon2id runs in slices (asyncTick) so the page stays responsive.
 */
export async function decryptKeyFile(file, passphrase, { onProgress } = {}) {
  let key;
  try {
    key = await argon2idAsync(tm.utf8Encode(String(passphrase)), file.salt, {
      t: file.opslimit, m: Math.floor(file.memlimit / 1024), p: 1, dkLen: 32, version: 0x13,
      maxmem: file.memlimit + (1 << 20), asyncTick: 20, onProgress });
  } catch (e) {
    throw new KeyFileError(`key derivation failed (${e.message}); this browser may not have ${file.memlimit >> 20} MiB to spare`);
  }
  let seed;
  try {
    seed = secretbox(key, file.nonce).open(file.ciphertext);
  } catch {
    throw new KeyFileError('wrong passphrase or corrupted key file');
  } finally {
    key.fill(0);
  }
  if (tm.toHex(tm.publicKeyFromSeed(seed)) !== file.publicKey) {
    seed.fill(0);
    throw new KeyFileError('key file: public_key does not match the encrypted key');
  }
  return seed;
}
