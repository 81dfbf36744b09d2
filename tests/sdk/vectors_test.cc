// The committed vectors file is exactly what the generator writes today (no encoding drift), and
// every entry in it means what it says: it decodes and re-encodes, its hash and signature check,
// its `fields` rebuild the same bytes, and every reject is rejected.
#include "vectors.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tidemark/hash.h"
#include "tidemark/merkle.h"
#include "tidemark/types.h"
#include "tidemark/value.h"

using namespace tidemark;
using vectors::Json;

namespace {

std::string CommittedText() {
  std::ifstream f(TIDEMARK_SOURCE_DIR "/tests/vectors/vectors.json", std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const Json& Doc() {
  static const Json doc = Json::parse(CommittedText());
  return doc;
}

Bytes HexOf(const Json& j) {
  auto b = FromHex(j.get<std::string>());
  REQUIRE(b.ok());
  return *b;
}

template <typename T>
T Fixed(const Json& j) {
  auto b = T::FromHex(j.get<std::string>());
  REQUIRE(b.ok());
  return *b;
}

uint64_t U64(const Json& j) { return std::stoull(j.get<std::string>()); }

Value ValueFromTyped(const Json& t) {
  const std::string type = t["type"];
  if (type == "null") return Value();
  if (type == "bool") return Value(t["value"].get<bool>());
  if (type == "int") return Value(static_cast<int64_t>(std::stoll(t["value"].get<std::string>())));
  if (type == "string") return Value(t["value"].get<std::string>());
  if (type == "bytes") return Value(HexOf(t["value"]));
  if (type == "list") {
    Value::List l;
    for (const auto& e : t["value"]) l.push_back(ValueFromTyped(e));
    return Value(std::move(l));
  }
  REQUIRE(type == "map");
  Value::Map m;
  for (const auto& e : t["value"]) m[e[0].get<std::string>()] = ValueFromTyped(e[1]);
  return Value(std::move(m));
}

VoteData VoteDataFrom(const Json& f) {
  return VoteData{.epoch = U64(f["epoch"]),
                  .round = U64(f["round"]),
                  .height = U64(f["height"]),
                  .block_id = Fixed<Hash256>(f["block_id"]),
                  .commit_height = U64(f["commit_height"]),
                  .commit_id = Fixed<Hash256>(f["commit_id"])};
}

Transaction TxFrom(const Json& f) {
  Transaction tx{.chain_id = f["chain_id"],
                 .signer = Fixed<PublicKey>(f["signer"]),
                 .nonce = U64(f["nonce"]),
                 .contract = f["contract"],
                 .method = f["method"],
                 .args = HexOf(f["args"]),
                 .signature = Fixed<Signature>(f["signature"])};
  if (!f["expiry_height"].is_null()) tx.expiry_height = U64(f["expiry_height"]);
  return tx;
}

BlockHeader HeaderFrom(const Json& f) {
  return BlockHeader{.chain_id = f["chain_id"],
                     .epoch = U64(f["epoch"]),
                     .round = U64(f["round"]),
                     .height = U64(f["height"]),
                     .parent = Fixed<Hash256>(f["parent"]),
                     .justify_hash = Fixed<Hash256>(f["justify_hash"]),
                     .proposer = f["proposer"],
                     .timestamp_ms = U64(f["timestamp_ms"]),
                     .tx_root = Fixed<Hash256>(f["tx_root"]),
                     .tx_count = f["tx_count"],
                     .exec_height = U64(f["exec_height"]),
                     .state_root = Fixed<Hash256>(f["state_root"]),
                     .receipts_root = Fixed<Hash256>(f["receipts_root"]),
                     .validators_hash = Fixed<Hash256>(f["validators_hash"])};
}

QuorumCert QcFrom(const Json& f) {
  QuorumCert qc{.data = VoteDataFrom(f["data"])};
  for (const auto& s : f["signatures"]) {
    qc.signatures.push_back({s["signer"].get<uint32_t>(), Fixed<Signature>(s["signature"])});
  }
  return qc;
}

// Rebuilds the object from `fields` with no help from the encoding; nullopt for kinds whose
// fields are not an object (sha256, signatures, merkle roots).
std::optional<Bytes> EncodeFromFields(const std::string& kind, const Json& f) {
  if (kind == "value") return ValueFromTyped(f["value"]).Encode();
  if (kind == "transaction") return TxFrom(f).Encode();
  if (kind == "vote_data") return VoteDataFrom(f).Encode();
  if (kind == "vote") {
    return Vote{.data = VoteDataFrom(f["data"]),
                .voter = f["voter"],
                .signature = Fixed<Signature>(f["signature"])}
        .Encode();
  }
  if (kind == "validator_set") {
    ValidatorSet vs{.epoch = U64(f["epoch"])};
    for (const auto& v : f["validators"])
      vs.validators.push_back({Fixed<PublicKey>(v["key"]), v["org"]});
    return vs.Encode();
  }
  if (kind == "qc") return QcFrom(f).Encode();
  if (kind == "block_header") return HeaderFrom(f).Encode();
  if (kind == "block") {
    Block b{.header = HeaderFrom(f["header"]), .justify = QcFrom(f["justify"])};
    for (const auto& t : f["txs"]) b.txs.push_back(TxFrom(t));
    return b.Encode();
  }
  if (kind == "receipt") {
    Receipt rc{.tx_id = Fixed<Hash256>(f["tx_id"]),
               .height = U64(f["height"]),
               .index = f["index"],
               .status = static_cast<TxStatus>(f["status"].get<int>()),
               .reason = f["reason"]};
    for (const auto& e : f["events"]) rc.events.push_back({e["type"], HexOf(e["data"])});
    return rc.Encode();
  }
  if (kind == "merkle_proof") {
    MerkleProof p{.index = U64(f["index"]), .tree_size = U64(f["tree_size"])};
    for (const auto& h : f["path"]) p.path.push_back(Fixed<Hash256>(h));
    Writer w;
    p.EncodeTo(w);
    return w.Take();
  }
  return std::nullopt;
}

bool IsDecodable(const std::string& kind) {
  const auto& k = vectors::DecodableKinds();
  return std::find(k.begin(), k.end(), kind) != k.end();
}

}  // namespace

TEST_CASE("committed vectors.json is byte-identical to a fresh generation") {
  // On failure: the encoding changed. If that is intended, run
  //   build/dev/tests/sdk/tidemark-vectors tests/vectors/vectors.json
  // and tell every SDK (sdk/js) — then bump the format in docs/encoding.md.
  REQUIRE(vectors::GenerateText() == CommittedText());
}

TEST_CASE("every vector decodes, re-encodes, hashes and rebuilds from its fields") {
  const Json& doc = Doc();
  REQUIRE(doc["format"] == "tidemark-vectors/v1");
  size_t decoded = 0, rebuilt = 0;
  for (const auto& e : doc["vectors"]) {
    const std::string kind = e["kind"], name = e["name"];
    INFO(kind << "/" << name);
    Bytes enc = HexOf(e["hex"]);
    if (IsDecodable(kind)) {
      auto again = vectors::RoundTrip(kind, enc);
      REQUIRE(again.ok());
      REQUIRE(ToHex(*again) == e["hex"].get<std::string>());
      ++decoded;
    }
    if (auto from_fields = EncodeFromFields(kind, e["fields"])) {
      REQUIRE(ToHex(*from_fields) == e["hex"].get<std::string>());
      ++rebuilt;
    }
    if (kind == "transaction") {
      REQUIRE(e["hash"] == Sha256(enc).Hex());
    } else if (kind == "block") {
      REQUIRE(e["hash"] == HeaderFrom(e["fields"]["header"]).Id().Hex());
    } else if (kind == "merkle_root") {
      std::vector<Bytes> leaves;
      for (const auto& l : e["fields"]["leaves"]) leaves.push_back(HexOf(l));
      REQUIRE(e["hash"] == MerkleRoot(leaves).Hex());
    } else if (kind == "merkle_proof") {
      Reader r(enc);
      MerkleProof p;
      REQUIRE(MerkleProof::DecodeFrom(r, &p).ok());
      REQUIRE(MerkleVerify(Fixed<Hash256>(e["fields"]["root"]), HexOf(e["fields"]["leaf"]), p));
    } else {
      REQUIRE(e["hash"] == Sha256(enc).Hex());
    }
    if (e.contains("signature")) {
      REQUIRE(VerifyRaw(Fixed<PublicKey>(e["public_key"]), HexOf(e["signing_hex"]),
                        Fixed<Signature>(e["signature"])));
    }
  }
  CHECK(decoded > 40);
  CHECK(rebuilt > 80);
}

TEST_CASE("signed vectors sign exactly SigningMessage(domain, chain id, body)") {
  for (const auto& e : Doc()["vectors"]) {
    const std::string kind = e["kind"];
    INFO(kind << "/" << e["name"].get<std::string>());
    if (kind == "transaction") {
      Transaction tx = TxFrom(e["fields"]);
      REQUIRE(ToHex(SigningMessage(SigKind::kTx, tx.chain_id, tx.SigningBody())) ==
              e["signing_hex"].get<std::string>());
      REQUIRE(tx.VerifySignature());
    } else if (kind == "vote_data") {
      REQUIRE(ToHex(SigningMessage(SigKind::kVote, e["chain_id"].get<std::string>(),
                                   HexOf(e["hex"]))) == e["signing_hex"].get<std::string>());
    } else if (kind == "ed25519_domain") {
      const Json& f = e["fields"];
      Writer w;
      w.Str(f["domain"].get<std::string>());
      w.Str(f["chain_id"].get<std::string>());
      w.Raw(HexOf(f["body"]));
      REQUIRE(ToHex(w.bytes()) == e["signing_hex"].get<std::string>());
      REQUIRE(f["domain"] == "tidemark/" + f["sig_kind"].get<std::string>() + "/v1");
    }
  }
}

TEST_CASE("the three-of-four qc vector verifies against the four-validator set") {
  const Json* vs_entry = nullptr;
  const Json* qc_entry = nullptr;
  for (const auto& e : Doc()["vectors"]) {
    if (e["kind"] == "validator_set" && e["name"] == "four") vs_entry = &e;
    if (e["kind"] == "qc" && e["name"] == "three_of_four") qc_entry = &e;
  }
  REQUIRE(vs_entry != nullptr);
  REQUIRE(qc_entry != nullptr);
  auto vs = ValidatorSet::Decode(HexOf((*vs_entry)["hex"]));
  auto qc = QuorumCert::Decode(HexOf((*qc_entry)["hex"]));
  REQUIRE(vs.ok());
  REQUIRE(qc.ok());
  REQUIRE(qc->Verify(*vs, vectors::kChainId).ok());
  REQUIRE_FALSE(qc->Verify(*vs, "other-chain").ok());
}

TEST_CASE("every reject vector is rejected with the recorded error") {
  size_t n = 0;
  for (const auto& e : Doc()["rejects"]) {
    INFO(e["kind"].get<std::string>() << "/" << e["name"].get<std::string>());
    auto r = vectors::RoundTrip(e["kind"].get<std::string>(), HexOf(e["hex"]));
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.status().code() == Code::kInvalidArgument);
    REQUIRE(r.status().message() == e["error"].get<std::string>());
    REQUIRE_FALSE(e["reason"].get<std::string>().empty());
    ++n;
  }
  REQUIRE(n > 40);
}
