// hash.js — SHA-256 from @noble/hashes: synchronous, no WebCrypto, so pages over plain http work.
//
//   import { sha256 } from '@tidemark/sdk';
//   sha256(utf8Encode('abc'));   // Uint8Array(32)
export { sha256 } from '@noble/hashes/sha2.js';
