// crypto.js — Ed25519 keys and domain-separated signatures, as sdk/include/tidemark/crypto.h.
//
// Every signature in Tidemark is over
//     signingMessage(kind, chainId, body) = Str("tidemark/<kind>/v1") || Str(chainId) || body
// so a signature made for one kind of message or one chain can never be replayed as another.
//
//   const seed = new Uint8Array(32);                       // keep secret; 32 random bytes
//   const pk = publicKeyFromSeed(seed);
//   const sig = sign(seed, 'tx', 'tidemark-local', body);
//   verify(pk, 'tx', 'tidemark-local', body, sig);          // true
//
// Verification follows libsodium's crypto_sign_verify_detached exactly (what the C++ core uses),
// not @noble's more permissive default: S must be canonical (< L), A and R must be canonical
// encodings of points that are not of small order, and the check is the cofactorless
// encode([S]B - [k]A) == R. So JS accepts a signature iff the node does.
// Everything is synchronous; no WebCrypto (pages may be served over plain http).

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

import { assertBytes, bytesEqual, concatBytes, isBytes } from './bytes.js';
import { Writer } from './codec.js';

ed.hashes.sha512 = sha512;

/** Signature kinds and their domain strings (crypto.h SigKind). */
export const SIG_DOMAINS = Object.freeze({
  tx: 'tidemark/tx/v1',
  vote: 'tidemark/vote/v1',
  timeout: 'tidemark/timeout/v1',
  proposal: 'tidemark/proposal/v1',
  handshake: 'tidemark/handshake/v1',
  read: 'tidemark/read/v1',
});

export function sigDomain(kind) {
  const d = SIG_DOMAINS[kind];
  if (d === undefined) throw new TypeError(`unknown signature kind "${kind}"`);
  return d;
}

/** The exact bytes that are signed. */
export function signingMessage(kind, chainId, body) {
  assertBytes(body, undefined, 'body');
  return new Writer().str(sigDomain(kind)).str(chainId).raw(body).bytes();
}

/** The 32-byte public key of a 32-byte seed (libsodium crypto_sign_seed_keypair). */
export function publicKeyFromSeed(seed) {
  assertBytes(seed, 32, 'seed');
  return ed.getPublicKey(seed);
}

/** A signature with no domain (only for test vectors of the primitive itself). */
export function signRaw(seed, message) {
  assertBytes(seed, 32, 'seed');
  assertBytes(message, undefined, 'message');
  return ed.sign(message, seed);
}

export function sign(seed, kind, chainId, body) {
  return signRaw(seed, signingMessage(kind, chainId, body));
}

const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function numberLE(bytes) {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

// Decodes a canonical point encoding that is not of small order, or returns null.
function strictPoint(bytes) {
  let p;
  try {
    p = ed.Point.fromBytes(bytes, false);
  } catch {
    return null;
  }
  if (!bytesEqual(p.toBytes(), bytes)) return null; // non-canonical (e.g. x = 0 with sign bit)
  return p.isSmallOrder() ? null : p;
}

// [s]B + [k]C by one shared double-and-add pass (Straus / Shamir). Variable time, which is fine
// for verification (all inputs are public). Unlike Point.BASE.multiply it needs no base-point
// table, whose one-off construction costs ~50 ms: the first check on a fresh page stays fast.
function doubleScalarMul(s, k, C) {
  const B = ed.Point.BASE;
  const BC = B.add(C);
  let p = ed.Point.ZERO;
  for (let i = 255n; i >= 0n; i--) {
    p = p.double();
    const sb = (s >> i) & 1n;
    const kb = (k >> i) & 1n;
    if (sb === 1n && kb === 1n) p = p.add(BC);
    else if (sb === 1n) p = p.add(B);
    else if (kb === 1n) p = p.add(C);
  }
  return p;
}

/** libsodium-compatible Ed25519 verification of raw bytes. Never throws on bad input. */
export function verifyRaw(publicKey, message, signature) {
  if (!isBytes(publicKey) || publicKey.length !== 32) return false;
  if (!isBytes(signature) || signature.length !== 64) return false;
  if (!isBytes(message)) return false;
  const r = signature.subarray(0, 32);
  const s = numberLE(signature.subarray(32, 64));
  if (s >= L) return false;
  const A = strictPoint(publicKey);
  const R = strictPoint(r);
  if (A === null || R === null) return false;
  const k = numberLE(sha512(concatBytes(r, publicKey, message))) % L;
  return bytesEqual(doubleScalarMul(s, k, A.negate()).toBytes(), r);
}

export function verify(publicKey, kind, chainId, body, signature) {
  return verifyRaw(publicKey, signingMessage(kind, chainId, body), signature);
}
