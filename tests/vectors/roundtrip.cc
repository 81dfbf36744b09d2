// Decode-then-encode for every decodable kind (used by the vectors test and the corpus writer).
#include "tidemark/merkle.h"
#include "tidemark/types.h"
#include "tidemark/value.h"
#include "vectors.h"

namespace tidemark::vectors {

namespace {
template <typename T>
Result<Bytes> Whole(ByteView in, const char* what) {
  Reader r(in, what);
  T out;
  TM_RETURN_IF_ERROR(T::DecodeFrom(r, &out));
  TM_RETURN_IF_ERROR(r.Finish());
  Writer w;
  out.EncodeTo(w);
  return w.Take();
}
}  // namespace

Result<Bytes> RoundTrip(std::string_view kind, ByteView in) {
  if (kind == "transaction") {
    TM_ASSIGN_OR_RETURN(auto v, Transaction::Decode(in));
    return v.Encode();
  }
  if (kind == "vote_data") return Whole<VoteData>(in, "vote_data");
  if (kind == "vote") {
    TM_ASSIGN_OR_RETURN(auto v, Vote::Decode(in));
    return v.Encode();
  }
  if (kind == "validator_set") {
    TM_ASSIGN_OR_RETURN(auto v, ValidatorSet::Decode(in));
    return v.Encode();
  }
  if (kind == "qc") {
    TM_ASSIGN_OR_RETURN(auto v, QuorumCert::Decode(in));
    return v.Encode();
  }
  if (kind == "block_header") {
    TM_ASSIGN_OR_RETURN(auto v, BlockHeader::Decode(in));
    return v.Encode();
  }
  if (kind == "block") {
    TM_ASSIGN_OR_RETURN(auto v, Block::Decode(in));
    return v.Encode();
  }
  if (kind == "receipt") {
    TM_ASSIGN_OR_RETURN(auto v, Receipt::Decode(in));
    return v.Encode();
  }
  if (kind == "value") {
    TM_ASSIGN_OR_RETURN(auto v, Value::Decode(in));
    return v.Encode();
  }
  if (kind == "merkle_proof") return Whole<MerkleProof>(in, "merkle_proof");
  return Status::Invalid("unknown kind \"" + std::string(kind) + "\"");
}

const std::vector<std::string>& DecodableKinds() {
  static const std::vector<std::string> kKinds = {
      "transaction",  "vote_data", "vote",    "validator_set", "qc",
      "block_header", "block",     "receipt", "value",         "merkle_proof"};
  return kKinds;
}

}  // namespace tidemark::vectors
