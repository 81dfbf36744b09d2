// Fuzzes MerkleProof decoding and verification: the first 64 bytes are a root and a leaf hash,
// the rest a proof. Never crashes; an accepted proof re-encodes to the same bytes; verification
// of any decoded proof terminates and agrees with itself.
#include "fuzz_util.h"
#include "tidemark/merkle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  ByteView in(data, size);
  Reader whole(in, "merkle_proof");
  MerkleProof p;
  if (MerkleProof::DecodeFrom(whole, &p).ok() && whole.Finish().ok()) {
    Writer w;
    p.EncodeTo(w);
    fuzz::CheckCanonical(in, w.bytes(), "merkle_proof");
  }
  if (size < 64) return 0;
  Hash256 root, leaf;
  std::copy(data, data + 32, root.begin());
  std::copy(data + 32, data + 64, leaf.begin());
  Reader r(in.subspan(64), "merkle_proof");
  MerkleProof q;
  if (!MerkleProof::DecodeFrom(r, &q).ok()) return 0;
  bool ok = MerkleVerifyLeafHash(root, leaf, q);
  // A proof that verifies against a root must also verify against the root it computes; the
  // converse check is the property: a changed root never verifies.
  if (ok) {
    Hash256 other = root;
    other.data[0] ^= 1;
    if (MerkleVerifyLeafHash(other, leaf, q)) std::abort();
  }
  return 0;
}
