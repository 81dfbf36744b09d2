#include "tidemark/node/storage/key_layout.h"

namespace tidemark::node::keys {
namespace {

std::string WithHash(char prefix, const Hash256& h) {
  std::string k(1, prefix);
  k.append(reinterpret_cast<const char*>(h.data.data()), h.size());
  return k;
}

std::string WithHeight(char prefix, uint64_t height) {
  std::string k(1, prefix);
  AppendU64(&k, height);
  return k;
}

}  // namespace

void AppendU64(std::string* out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}
void AppendU32(std::string* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}
uint64_t ReadU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}
uint32_t ReadU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | p[i];
  return v;
}

std::string BlockByHeight(uint64_t height) { return WithHeight(kBlock, height); }
std::string BlockById(const Hash256& id) { return WithHash(kBlockId, id); }
std::string Cert(uint64_t height) { return WithHeight(kCert, height); }
std::string TxLocation(const Hash256& tx_id) { return WithHash(kTxLocation, tx_id); }
std::string SignerTxPrefix(ByteView signer) { return std::string(1, kSignerTx) + ToString(signer); }
std::string SignerTx(ByteView signer, uint64_t height, uint32_t index) {
  std::string k = SignerTxPrefix(signer);
  AppendU64(&k, height);
  AppendU32(&k, index);
  return k;
}
std::string Receipt(const Hash256& tx_id) { return WithHash(kReceipt, tx_id); }
std::string Meta(const char* name) { return std::string(1, kMeta) + name; }
std::string StateNode(uint64_t version, const Hash256& hash) {
  std::string k = WithHeight(kStateNode, version);
  k.append(reinterpret_cast<const char*>(hash.data.data()), hash.size());
  return k;
}
std::string StateNodeBySeq(uint64_t version, uint32_t seq) {
  std::string k = WithHeight(kStateNode, version);
  AppendU32(&k, seq);
  return k;
}
std::string StaleSet(uint64_t stale_since) { return WithHeight(kStateStale, stale_since); }
std::string StateStale(uint64_t stale_since, uint64_t version, const Hash256& hash) {
  std::string k = WithHeight(kStateStale, stale_since);
  AppendU64(&k, version);
  k.append(reinterpret_cast<const char*>(hash.data.data()), hash.size());
  return k;
}
std::string StateRoot(uint64_t height) { return WithHeight(kStateRoot, height); }
std::string StateValue(ByteView key) { return std::string(1, kStateValue) + ToString(key); }
std::string PinnedVersion(uint64_t version) { return WithHeight(kPinnedVersion, version); }
std::string ExecResult(uint64_t height) { return WithHeight(kExecResult, height); }
std::string PendingBlock(const Hash256& id) {
  return std::string(1, kPendingBlock) + ToString(id.view());
}
std::string EpochProof(uint64_t epoch) { return WithHeight(kEpochProof, epoch); }

}  // namespace tidemark::node::keys
