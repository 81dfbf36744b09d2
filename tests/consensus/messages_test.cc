#include "tidemark/consensus/messages.h"

#include <catch2/catch.hpp>

#include "test_util.h"

using namespace tidemark;
using namespace tidemark::consensus;
using namespace tidemark::consensus::testing;

namespace {

Block MakeBlock(const std::vector<KeyPair>& keys) {
  Block b;
  b.justify = SignQc(Data(3, 3, 9), keys, {0, 1, 2});
  b.header.chain_id = kChain;
  b.header.round = 4;
  b.header.height = 4;
  b.header.parent = b.justify.data.block_id;
  b.header.justify_hash = b.justify.Hash();
  Transaction tx{.chain_id = kChain, .nonce = 1, .contract = "test", .method = "put"};
  tx.SignWith(keys[0]);
  b.txs.push_back(tx);
  b.header.tx_count = 1;
  b.header.tx_root = TxRoot(b.txs);
  return b;
}

std::vector<Message> Samples() {
  auto keys = MakeKeys(4);
  QuorumCert qc = SignQc(Data(3, 3, 9), keys, {0, 1, 3});
  TimeoutCert tc = SignTc(0, 4, keys, {{0, 3}, {1, 3}, {2, 1}}, qc);
  std::vector<Message> out;
  out.push_back(ProposalMsg{MakeBlock(keys), tc, Signature{}});
  out.push_back(ProposalMsg{MakeBlock(keys), std::nullopt, Signature{}});
  out.push_back(Vote{Data(4, 4, 1), 2, Signature{}});
  out.push_back(TimeoutMsg{0, 5, qc, tc, 3, Signature{}});
  out.push_back(TimeoutMsg{0, 5, qc, std::nullopt, 3, Signature{}});
  Hash256 id;
  id.data.fill(5);
  out.push_back(BlockRequest{id, 8});
  out.push_back(BlockResponse{{MakeBlock(keys), MakeBlock(keys)}});
  out.push_back(EpochRequest{3});
  out.push_back(EpochProof{qc, {}});
  out.push_back(EpochProof{qc, {MakeBlock(keys)}});
  return out;
}

}  // namespace

TEST_CASE("every message round-trips byte for byte") {
  for (const Message& m : Samples()) {
    Bytes wire = EncodeMessage(m);
    auto back = DecodeMessage(wire);
    INFO(MessageName(m));
    REQUIRE(back.ok());
    REQUIRE(back->index() == m.index());
    REQUIRE(EncodeMessage(*back) == wire);
  }
}

TEST_CASE("a block's estimated size bounds its encoding from above") {
  auto keys = MakeKeys(4);
  Block b = MakeBlock(keys);
  for (size_t args : {0, 1, 200, 70000}) {
    for (int txs = 0; txs < 3; ++txs) {
      REQUIRE(EstimatedSize(b) >= b.Encode().size());
      Transaction tx{.chain_id = std::string(64, 'c'),
                     .nonce = ~uint64_t{0},
                     .contract = std::string(32, 'k'),
                     .method = std::string(64, 'm'),
                     .args = Bytes(args, 1),
                     .expiry_height = ~uint64_t{0}};
      b.txs.push_back(tx);
    }
  }
  REQUIRE(EstimatedSize(b) >= b.Encode().size());
  REQUIRE(EstimatedSize(b) < b.Encode().size() + 200 * b.txs.size() + 1024);
}

TEST_CASE("decoders reject every truncation and trailing bytes") {
  for (const Message& m : Samples()) {
    Bytes wire = EncodeMessage(m);
    INFO(MessageName(m));
    for (size_t len = 0; len < wire.size(); len += 1 + wire.size() / 200) {
      REQUIRE_FALSE(DecodeMessage(ByteView(wire.data(), len)).ok());
    }
    Bytes longer = wire;
    longer.push_back(0);
    REQUIRE_FALSE(DecodeMessage(longer).ok());
  }
}

TEST_CASE("decoders reject bad versions, tags and non-canonical fields") {
  Bytes wire = EncodeMessage(EpochRequest{1});
  Bytes bad = wire;
  bad[0] = 2;
  REQUIRE_FALSE(DecodeMessage(bad).ok());
  bad = wire;
  bad[1] = 77;
  REQUIRE_FALSE(DecodeMessage(bad).ok());
  // BlockRequest asking for too many blocks.
  REQUIRE_FALSE(DecodeMessage(EncodeMessage(BlockRequest{Hash256{}, kMaxFetchBlocks + 1})).ok());
  REQUIRE_FALSE(DecodeMessage(EncodeMessage(BlockRequest{Hash256{}, 0})).ok());
  // Timeout whose high QC is not below its round.
  auto keys = MakeKeys(4);
  QuorumCert qc = SignQc(Data(5, 5, 9), keys, {0, 1, 3});
  REQUIRE_FALSE(DecodeMessage(EncodeMessage(TimeoutMsg{0, 5, qc, std::nullopt, 1, {}})).ok());
  // TC with signers out of order.
  TimeoutCert tc = SignTc(0, 6, keys, {{1, 5}, {0, 5}, {2, 5}}, qc);
  REQUIRE_FALSE(TimeoutCert::Decode(tc.Encode()).ok());
}

TEST_CASE("random and mutated bytes never crash the decoder") {
  uint64_t x = 12345;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 2000; ++i) {
    Bytes b(2 + i % 300);
    for (auto& v : b) v = static_cast<uint8_t>(next());
    b[0] = 1;
    b[1] = static_cast<uint8_t>(i % 8);
    (void)DecodeMessage(b);
  }
  for (const Message& m : Samples()) {  // valid messages with a few bytes flipped
    const Bytes wire = EncodeMessage(m);
    for (int i = 0; i < 300; ++i) {
      Bytes b = wire;
      for (int k = 0; k < 1 + i % 3; ++k) b[next() % b.size()] ^= static_cast<uint8_t>(next());
      (void)DecodeMessage(b);
    }
  }
  SUCCEED();
}

TEST_CASE("safety state round-trips and rejects a high QC of another epoch") {
  Hash256 root;
  root.data.fill(3);
  SafetyState s = SafetyState::ForEpochRoot(2, root, 40);
  s.last_voted_round = 9;
  s.locked_round = 7;
  s.last_timeout_round = 8;
  auto back = SafetyState::Decode(s.Encode());
  REQUIRE(back.ok());
  REQUIRE(*back == s);
  REQUIRE(back->high_qc.data.block_id == root);
  s.high_qc.data.epoch = 1;
  REQUIRE_FALSE(SafetyState::Decode(s.Encode()).ok());
}
