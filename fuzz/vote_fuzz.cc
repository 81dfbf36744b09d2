// Fuzzes Vote::Decode and VoteData: never crash; what they accept re-encodes to the same bytes.
#include "fuzz_util.h"
#include "tidemark/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  ByteView in(data, size);
  auto vote = Vote::Decode(in);
  if (vote.ok()) fuzz::CheckCanonical(in, vote->Encode(), "vote");
  Reader r(in, "vote_data");
  VoteData d;
  if (VoteData::DecodeFrom(r, &d).ok() && r.Finish().ok()) {
    fuzz::CheckCanonical(in, d.Encode(), "vote_data");
  }
  return 0;
}
