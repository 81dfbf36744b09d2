// The valid vectors: fixed keys, hashes, signatures, Values and every ledger object.
// The reject vectors are in rejects.cc; the format is described in docs/encoding.md.
#include "vectors.h"

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "tidemark/hash.h"
#include "tidemark/merkle.h"
#include "tidemark/types.h"
#include "tidemark/value.h"
#include "vectors_internal.h"

namespace tidemark::vectors {

KeyPair TestKey(uint8_t fill) {
  Seed seed;
  seed.data.fill(fill);
  return KeyPair::FromSeed(seed);
}

Json Dec(uint64_t v) { return std::to_string(v); }
Json DecSigned(int64_t v) { return std::to_string(v); }
Json HexJson(ByteView b) { return ToHex(b); }

Json Entry(const std::string& kind, const std::string& name, Json fields, ByteView encoding,
           const Hash256& hash) {
  Json e;
  e["kind"] = kind;
  e["name"] = name;
  e["fields"] = std::move(fields);
  e["hex"] = ToHex(encoding);
  e["hash"] = hash.Hex();
  return e;
}

void AddSignature(Json& e, std::string_view chain_id, ByteView signing_message, const PublicKey& pk,
                  const Signature& sig) {
  if (!VerifyRaw(pk, signing_message, sig)) {
    std::fprintf(stderr, "vectors: signature of %s does not verify\n",
                 e["name"].get<std::string>().c_str());
    std::abort();  // our own bug: a vector must never carry a bad signature
  }
  e["chain_id"] = std::string(chain_id);
  e["signing_hex"] = ToHex(signing_message);
  e["public_key"] = pk.Hex();
  e["signature"] = sig.Hex();
}

Json TypedValue(const Value& v, bool reverse_maps) {
  Json out;
  switch (v.type()) {
    case Value::Type::kNull:
      out["type"] = "null";
      break;
    case Value::Type::kFalse:
    case Value::Type::kTrue:
      out["type"] = "bool";
      out["value"] = v.as_bool();
      break;
    case Value::Type::kInt:
      out["type"] = "int";
      out["value"] = DecSigned(v.as_int());
      break;
    case Value::Type::kString:
      out["type"] = "string";
      out["value"] = v.as_string();
      break;
    case Value::Type::kBytes:
      out["type"] = "bytes";
      out["value"] = ToHex(v.as_bytes());
      break;
    case Value::Type::kList: {
      out["type"] = "list";
      Json items = Json::array();
      for (const auto& e : v.as_list()) items.push_back(TypedValue(e, reverse_maps));
      out["value"] = std::move(items);
      break;
    }
    case Value::Type::kMap: {
      out["type"] = "map";
      Json entries = Json::array();
      for (const auto& [k, e] : v.as_map()) {
        entries.push_back(Json::array({k, TypedValue(e, reverse_maps)}));
      }
      if (reverse_maps) std::reverse(entries.begin(), entries.end());
      out["value"] = std::move(entries);
      break;
    }
  }
  return out;
}

Json TxFields(const Transaction& tx) {
  Json f;
  f["chain_id"] = tx.chain_id;
  f["signer"] = tx.signer.Hex();
  f["nonce"] = Dec(tx.nonce);
  f["contract"] = tx.contract;
  f["method"] = tx.method;
  f["args"] = ToHex(tx.args);
  f["expiry_height"] = tx.expiry_height ? Dec(*tx.expiry_height) : Json(nullptr);
  f["signature"] = tx.signature.Hex();
  return f;
}

Json VoteDataFields(const VoteData& d) {
  Json f;
  f["epoch"] = Dec(d.epoch);
  f["round"] = Dec(d.round);
  f["height"] = Dec(d.height);
  f["block_id"] = d.block_id.Hex();
  f["commit_height"] = Dec(d.commit_height);
  f["commit_id"] = d.commit_id.Hex();
  return f;
}

Json ValidatorSetFields(const ValidatorSet& vs) {
  Json f;
  f["epoch"] = Dec(vs.epoch);
  Json list = Json::array();
  for (const auto& v : vs.validators) list.push_back(Json{{"key", v.key.Hex()}, {"org", v.org}});
  f["validators"] = std::move(list);
  return f;
}

Json QcFields(const QuorumCert& qc) {
  Json f;
  f["data"] = VoteDataFields(qc.data);
  Json sigs = Json::array();
  for (const auto& [idx, sig] : qc.signatures) {
    sigs.push_back(Json{{"signer", idx}, {"signature", sig.Hex()}});
  }
  f["signatures"] = std::move(sigs);
  return f;
}

Json HeaderFields(const BlockHeader& h) {
  Json f;
  f["chain_id"] = h.chain_id;
  f["epoch"] = Dec(h.epoch);
  f["round"] = Dec(h.round);
  f["height"] = Dec(h.height);
  f["parent"] = h.parent.Hex();
  f["justify_hash"] = h.justify_hash.Hex();
  f["proposer"] = h.proposer;
  f["timestamp_ms"] = Dec(h.timestamp_ms);
  f["tx_root"] = h.tx_root.Hex();
  f["tx_count"] = h.tx_count;
  f["exec_height"] = Dec(h.exec_height);
  f["state_root"] = h.state_root.Hex();
  f["receipts_root"] = h.receipts_root.Hex();
  f["validators_hash"] = h.validators_hash.Hex();
  return f;
}

Json ReceiptFields(const Receipt& rc) {
  Json f;
  f["tx_id"] = rc.tx_id.Hex();
  f["height"] = Dec(rc.height);
  f["index"] = rc.index;
  f["status"] = static_cast<int>(rc.status);
  f["reason"] = rc.reason;
  Json events = Json::array();
  for (const auto& e : rc.events) events.push_back(Json{{"type", e.type}, {"data", ToHex(e.data)}});
  f["events"] = std::move(events);
  return f;
}

Hash256 Filled(uint8_t b) {
  Hash256 h;
  h.data.fill(b);
  return h;
}

namespace {

Json Keys() {
  Json keys = Json::array();
  for (uint8_t b = 1; b <= 4; ++b) {
    KeyPair k = TestKey(b);
    keys.push_back(Json{{"name", "key_0" + std::to_string(b)},
                        {"seed", k.seed().Hex()},
                        {"public_key", k.public_key().Hex()}});
  }
  return keys;
}

void AddSha256(Json& out) {
  auto add = [&](const std::string& name, ByteView in) {
    out.push_back(Entry("sha256", name, Json{{"input", ToHex(in)}}, in, Sha256(in)));
  };
  add("empty", {});
  add("abc", AsBytes("abc"));
  add("nist_448_bits", AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
  add("nist_896_bits", AsBytes("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                               "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"));
  Bytes all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  add("bytes_00_to_ff", all);
}

void AddEd25519(Json& out) {
  Bytes msg64(64);
  for (size_t i = 0; i < msg64.size(); ++i) msg64[i] = static_cast<uint8_t>(i);
  struct Raw {
    const char* name;
    uint8_t key;
    Bytes msg;
  };
  const Raw raws[] = {{"key_01_empty", 1, {}},
                      {"key_01_abc", 1, Bytes{'a', 'b', 'c'}},
                      {"key_01_64_bytes", 1, msg64},
                      {"key_02_abc", 2, Bytes{'a', 'b', 'c'}}};
  for (const auto& r : raws) {
    KeyPair k = TestKey(r.key);
    Json e = Entry("ed25519_raw", r.name, Json{{"message", ToHex(r.msg)}}, r.msg, Sha256(r.msg));
    AddSignature(e, "", r.msg, k.public_key(), k.SignRaw(r.msg));
    e.erase("chain_id");  // a raw signature has no chain id
    out.push_back(std::move(e));
  }
  const std::pair<SigKind, const char*> kinds[] = {{SigKind::kTx, "tx"},
                                                   {SigKind::kVote, "vote"},
                                                   {SigKind::kTimeout, "timeout"},
                                                   {SigKind::kProposal, "proposal"},
                                                   {SigKind::kHandshake, "handshake"},
                                                   {SigKind::kRead, "read"}};
  Bytes body = {0xde, 0xad, 0xbe, 0xef};
  KeyPair k = TestKey(1);
  auto add = [&](const std::string& name, SigKind kind, const char* kind_name,
                 const std::string& chain) {
    Bytes msg = SigningMessage(kind, chain, body);
    Json f{{"sig_kind", kind_name},
           {"domain", std::string(SigDomain(kind))},
           {"chain_id", chain},
           {"body", ToHex(body)}};
    Json e = Entry("ed25519_domain", name, std::move(f), msg, Sha256(msg));
    AddSignature(e, chain, msg, k.public_key(), k.Sign(kind, chain, body));
    out.push_back(std::move(e));
  };
  for (const auto& [kind, name] : kinds) add(name, kind, name, kChainId);
  add("tx_other_chain", SigKind::kTx, "tx", "other-chain");
}

Value Nested(int lists) {
  Value v;
  for (int i = 0; i < lists; ++i) v = Value(Value::List{v});
  return v;
}

void AddValues(Json& out) {
  Value::Map ordering;
  for (const char* k : {"b", "a", "aa", "B", "\xc3\xa9", "", "a\x7f", "Z9"}) ordering[k] = Value(k);
  struct V {
    const char* name;
    Value v;
    bool reverse;
  };
  const V values[] = {
      {"null", Value(), false},
      {"false", Value(false), false},
      {"true", Value(true), false},
      {"int_zero", Value(0), false},
      {"int_one", Value(1), false},
      {"int_minus_one", Value(-1), false},
      {"int_min", Value(int64_t{INT64_MIN}), false},
      {"int_max", Value(int64_t{INT64_MAX}), false},
      {"string_empty", Value(""), false},
      {"string_ascii", Value("hello"), false},
      {"string_utf8", Value("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x9a"), false},
      {"bytes_empty", Value(Bytes{}), false},
      {"bytes_00ff", Value(Bytes{0x00, 0xff}), false},
      {"list_empty", Value(Value::List{}), false},
      {"list_mixed",
       Value(Value::List{Value(), Value(true), Value(42), Value("x"), Value(Bytes{1})}), false},
      {"map_empty", Value(Value::Map{}), false},
      {"map_key_order", Value(ordering), false},
      {"map_key_order_unsorted_input", Value(ordering), true},
      {"nested",
       Value::MakeMap({{"gtin", "09521234543213"},
                       {"qty", 12},
                       {"route", Value::List{Value::MakeMap({{"country", "CN"}}),
                                             Value::MakeMap({{"country", "DE"}})}},
                       {"cert", Value(Bytes{0xab, 0xcd})},
                       {"recalled", false}}),
       false},
      {"nested_max_depth", Nested(static_cast<int>(Value::kMaxDepth)), false},
  };
  for (const auto& v : values) {
    Bytes enc = v.v.Encode();
    out.push_back(
        Entry("value", v.name, Json{{"value", TypedValue(v.v, v.reverse)}}, enc, Sha256(enc)));
  }
}

}  // namespace

Transaction SampleTx(uint8_t key, uint64_t nonce, std::optional<uint64_t> expiry) {
  Transaction tx{.chain_id = kChainId,
                 .nonce = nonce,
                 .contract = "provenance",
                 .method = "capture_event",
                 .args = Value::MakeMap({{"gtin", "09521234543213"},
                                         {"lot", "L1"},
                                         {"n", static_cast<int64_t>(nonce % 1000)}})
                             .Encode(),
                 .expiry_height = expiry};
  tx.SignWith(TestKey(key));
  return tx;
}

Json TxEntry(const std::string& name, const Transaction& tx) {
  Bytes enc = tx.Encode();
  Json e = Entry("transaction", name, TxFields(tx), enc, tx.Id());
  AddSignature(e, tx.chain_id, SigningMessage(SigKind::kTx, tx.chain_id, tx.SigningBody()),
               tx.signer, tx.signature);
  return e;
}

ValidatorSet FourValidators() {
  ValidatorSet vs{.epoch = 1};
  const char* orgs[] = {"org-a", "org-b", "org-c", "org-d"};
  for (uint8_t b = 1; b <= 4; ++b) vs.validators.push_back({TestKey(b).public_key(), orgs[b - 1]});
  return vs;
}

QuorumCert SignedQc(const VoteData& d, std::initializer_list<uint32_t> voters) {
  QuorumCert qc{.data = d};
  for (uint32_t v : voters) {
    qc.signatures.push_back(
        {v, TestKey(static_cast<uint8_t>(v + 1)).Sign(SigKind::kVote, kChainId, d.Encode())});
  }
  return qc;
}

namespace {

void AddTransactions(Json& out) {
  out.push_back(TxEntry("no_expiry", SampleTx(1, 1, std::nullopt)));
  out.push_back(TxEntry("with_expiry", SampleTx(2, 7, 1000)));
  out.push_back(TxEntry("max_nonce_and_expiry", SampleTx(3, UINT64_MAX, UINT64_MAX)));
  Transaction empty_args{.chain_id = "c", .nonce = 0, .contract = "a", .method = "A.b_9"};
  empty_args.SignWith(TestKey(4));
  out.push_back(TxEntry("empty_args_short_names", empty_args));
}

}  // namespace

VoteData SampleVoteData(bool with_commit) {
  VoteData d{.epoch = 1, .round = 5, .height = 4, .block_id = Filled(0x44)};
  if (with_commit) {
    d.commit_height = 3;
    d.commit_id = Filled(0x33);
  }
  return d;
}

namespace {

void AddVotes(Json& out) {
  for (bool commit : {false, true}) {
    VoteData d = SampleVoteData(commit);
    Bytes enc = d.Encode();
    Json e = Entry("vote_data", commit ? "with_commit" : "no_commit", VoteDataFields(d), enc,
                   Sha256(enc));
    KeyPair k = TestKey(1);
    AddSignature(e, kChainId, SigningMessage(SigKind::kVote, kChainId, enc), k.public_key(),
                 k.Sign(SigKind::kVote, kChainId, enc));
    out.push_back(std::move(e));
  }
  Vote v{.data = SampleVoteData(true), .voter = 2};
  KeyPair k = TestKey(3);
  v.signature = k.Sign(SigKind::kVote, kChainId, v.data.Encode());
  Bytes enc = v.Encode();
  Json f{{"data", VoteDataFields(v.data)}, {"voter", v.voter}, {"signature", v.signature.Hex()}};
  Json e = Entry("vote", "voter_2", std::move(f), enc, Sha256(enc));
  AddSignature(e, kChainId, SigningMessage(SigKind::kVote, kChainId, v.data.Encode()),
               k.public_key(), v.signature);
  out.push_back(std::move(e));
}

void AddValidatorSets(Json& out) {
  ValidatorSet four = FourValidators();
  out.push_back(
      Entry("validator_set", "four", ValidatorSetFields(four), four.Encode(), four.Hash()));
  ValidatorSet one{.epoch = 0, .validators = {{TestKey(1).public_key(), "solo"}}};
  out.push_back(Entry("validator_set", "one", ValidatorSetFields(one), one.Encode(), one.Hash()));
}

void AddQcs(Json& out) {
  QuorumCert genesis;
  out.push_back(Entry("qc", "genesis", QcFields(genesis), genesis.Encode(), genesis.Hash()));
  QuorumCert qc = SignedQc(SampleVoteData(true), {0, 1, 3});
  if (!qc.Verify(FourValidators(), kChainId).ok()) std::abort();  // our own bug
  Json e = Entry("qc", "three_of_four", QcFields(qc), qc.Encode(), qc.Hash());
  e["chain_id"] = kChainId;
  e["validator_set"] = "four";
  out.push_back(std::move(e));
}

}  // namespace

Block SampleBlock(size_t tx_count) {
  Block b;
  b.justify = SignedQc(SampleVoteData(true), {0, 1, 2});
  for (size_t i = 0; i < tx_count; ++i) {
    b.txs.push_back(SampleTx(static_cast<uint8_t>(1 + i % 4), 10 + i,
                             i % 2 ? std::optional<uint64_t>(100) : std::nullopt));
  }
  BlockHeader& h = b.header;
  h = BlockHeader{.chain_id = kChainId,
                  .epoch = 1,
                  .round = 6,
                  .height = 5,
                  .parent = b.justify.data.block_id,
                  .justify_hash = b.justify.Hash(),
                  .proposer = 1,
                  .timestamp_ms = 1767225600000,
                  .tx_root = TxRoot(b.txs),
                  .tx_count = static_cast<uint32_t>(b.txs.size()),
                  .exec_height = 3,
                  .state_root = Filled(0x55),
                  .receipts_root = Filled(0x66),
                  .validators_hash = FourValidators().Hash()};
  if (!b.CheckInternal().ok()) std::abort();  // our own bug
  return b;
}

namespace {

void AddBlocks(Json& out) {
  BlockHeader genesis{.chain_id = kChainId, .validators_hash = FourValidators().Hash()};
  genesis.tx_root = MerkleEmptyRoot();
  out.push_back(
      Entry("block_header", "genesis", HeaderFields(genesis), genesis.Encode(), genesis.Id()));
  Block b = SampleBlock(3);
  out.push_back(
      Entry("block_header", "height_5", HeaderFields(b.header), b.header.Encode(), b.header.Id()));
  for (size_t n : {size_t{0}, size_t{3}}) {
    Block blk = SampleBlock(n);
    Json txs = Json::array();
    for (const auto& tx : blk.txs) txs.push_back(TxFields(tx));
    Json f{{"header", HeaderFields(blk.header)},
           {"justify", QcFields(blk.justify)},
           {"txs", std::move(txs)}};
    out.push_back(Entry("block", "txs_" + std::to_string(n), std::move(f), blk.Encode(), blk.Id()));
  }
}

void AddReceipts(Json& out) {
  Receipt ok{.tx_id = SampleTx(1, 1, std::nullopt).Id(), .height = 5, .index = 0};
  ok.events.push_back({"provenance.EventCaptured", Value::MakeMap({{"lot", "L1"}}).Encode()});
  ok.events.push_back({"provenance.Other", Value().Encode()});
  Receipt rejected{.tx_id = Filled(0x77),
                   .height = 5,
                   .index = 1,
                   .status = TxStatus::kRejected,
                   .reason = "PERMISSION_DENIED: not a member"};
  for (const auto& [name, rc] : {std::pair<const char*, Receipt>{"committed_with_events", ok},
                                 std::pair<const char*, Receipt>{"rejected", rejected}}) {
    out.push_back(Entry("receipt", name, ReceiptFields(rc), rc.Encode(), rc.Hash()));
  }
}

void AddMerkle(Json& out) {
  for (size_t n = 0; n <= 9; ++n) {
    std::vector<Bytes> leaves;
    Json leaves_hex = Json::array();
    for (size_t i = 0; i < n; ++i) {
      std::string s = "leaf-" + std::to_string(i);
      leaves.emplace_back(s.begin(), s.end());
      leaves_hex.push_back(ToHex(leaves.back()));
    }
    Hash256 root = MerkleRoot(leaves);
    out.push_back(
        Entry("merkle_root", "size_" + std::to_string(n), Json{{"leaves", leaves_hex}}, {}, root));
    for (size_t i = 0; i < n; ++i) {
      MerkleProof p = MerkleProve(leaves, i);
      if (!MerkleVerify(root, leaves[i], p)) std::abort();  // our own bug
      Writer w;
      p.EncodeTo(w);
      Json path = Json::array();
      for (const auto& h : p.path) path.push_back(h.Hex());
      Json f{{"leaf", ToHex(leaves[i])},
             {"index", Dec(p.index)},
             {"tree_size", Dec(p.tree_size)},
             {"path", std::move(path)},
             {"root", root.Hex()}};
      out.push_back(Entry("merkle_proof",
                          "size_" + std::to_string(n) + "_index_" + std::to_string(i), std::move(f),
                          w.bytes(), Sha256(w.bytes())));
    }
  }
}

}  // namespace

Json Generate() {
  Json doc;
  doc["format"] = "tidemark-vectors/v1";
  doc["encoding_version"] = kEncodingVersion;
  doc["chain_id"] = kChainId;
  doc["keys"] = Keys();
  Json v = Json::array();
  AddSha256(v);
  AddEd25519(v);
  AddValues(v);
  AddTransactions(v);
  AddVotes(v);
  AddValidatorSets(v);
  AddQcs(v);
  AddBlocks(v);
  AddReceipts(v);
  AddMerkle(v);
  doc["vectors"] = std::move(v);
  doc["rejects"] = Rejects();
  doc["state_keys"] = StateKeyVectors();
  doc["fin_fingerprints"] = FinFingerprintVectors();
  doc["fin_signed_reads"] = FinSignedReadVectors();
  return doc;
}

std::string GenerateText() { return Generate().dump(2) + "\n"; }

}  // namespace tidemark::vectors
