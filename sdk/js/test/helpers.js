// Test helpers: deterministic keys and a signed quorum certificate built with the SDK itself
// (its signatures are deterministic and cross-checked against C++ in core_fixture.test.js).
import * as tm from '../src/index.js';

export const CHAIN = 'tidemark-test';

export function seedOf(b) {
  return Uint8Array.from({ length: 32 }, (_, i) => (b + i) & 0xff);
}

/** n validators (seeds 1..n), epoch `epoch`. */
export function makeValidatorSet(n, epoch = 3n) {
  const seeds = Array.from({ length: n }, (_, i) => seedOf(i + 1));
  const validators = seeds.map((s, i) => ({ key: tm.publicKeyFromSeed(s), org: `org${i + 1}` }));
  return { seeds, vs: { epoch, validators } };
}

export function voteData(epoch = 3n) {
  return {
    epoch,
    round: 7n,
    height: 5n,
    block_id: tm.sha256(tm.utf8Encode('block5')),
    commit_height: 4n,
    commit_id: tm.sha256(tm.utf8Encode('block4')),
  };
}

/** A QC over `data` signed by the validators at `signers` (in the order given). */
export function makeQc(seeds, signers, data = voteData(), chainId = CHAIN) {
  return {
    data,
    signatures: signers.map((i) => ({
      signer: i,
      signature: tm.signVoteData(data, seeds[i], chainId),
    })),
  };
}
