// Canonical codec: primitives, and every decoder's rejections (truncation at every prefix, trailing
// bytes, over-long lengths, wrong versions, non-canonical tags, counts beyond the input).
#include "tidemark/codec.h"

#include <catch2/catch.hpp>

#include "tidemark/merkle.h"
#include "tidemark/types.h"
#include "tidemark/value.h"
#include "vectors.h"

using namespace tidemark;

namespace {

Bytes HexBytes(const std::string& h) {
  auto b = FromHex(h);
  REQUIRE(b.ok());
  return *b;
}

struct Sample {
  std::string kind, name;
  Bytes bytes;
};

// Every valid, decodable object from the vectors (all kinds, edge values included).
const std::vector<Sample>& Samples() {
  static const std::vector<Sample> samples = [] {
    std::vector<Sample> out;
    auto doc = vectors::Generate();
    const auto& kinds = vectors::DecodableKinds();
    for (const auto& e : doc["vectors"]) {
      std::string kind = e["kind"];
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) continue;
      out.push_back({kind, e["name"], HexBytes(e["hex"])});
    }
    return out;
  }();
  return samples;
}

Transaction SampleTx() {
  Seed seed;
  seed.data.fill(9);
  Transaction tx{.chain_id = "c",
                 .nonce = 5,
                 .contract = "test",
                 .method = "put",
                 .args = Value::MakeMap({{"k", "v"}}).Encode(),
                 .expiry_height = 77};
  tx.SignWith(KeyPair::FromSeed(seed));
  return tx;
}

}  // namespace

TEST_CASE("writer encodes integers big-endian and blobs with a u32 length") {
  Writer w;
  w.U8(0xab);
  w.U16(0x0102);
  w.U32(0x03040506);
  w.U64(0x0708090a0b0c0d0eULL);
  w.I64(-2);
  w.Bool(true);
  w.Str("hi");
  REQUIRE(ToHex(w.bytes()) ==
          "ab"
          "0102"
          "03040506"
          "0708090a0b0c0d0e"
          "fffffffffffffffe"
          "01"
          "000000026869");
  Reader r(w.bytes());
  uint8_t a;
  uint16_t b;
  uint32_t c;
  uint64_t d;
  int64_t e;
  bool f;
  std::string g;
  REQUIRE(r.U8(&a).ok());
  REQUIRE(r.U16(&b).ok());
  REQUIRE(r.U32(&c).ok());
  REQUIRE(r.U64(&d).ok());
  REQUIRE(r.I64(&e).ok());
  REQUIRE(r.Bool(&f).ok());
  REQUIRE(r.Str(&g, 2).ok());
  REQUIRE(r.Finish().ok());
  REQUIRE((a == 0xab && b == 0x0102 && c == 0x03040506 && d == 0x0708090a0b0c0d0eULL && e == -2 &&
           f && g == "hi"));
}

TEST_CASE("reader rejects a non-canonical bool, over-long blob and length beyond the input") {
  bool b;
  Bytes two = {2};
  REQUIRE_FALSE(Reader(two).Bool(&b).ok());
  Bytes blob = HexBytes("00000003616263");
  Bytes out;
  Status too_long = Reader(blob, "x").Blob(&out, 2, "field");
  REQUIRE(too_long.message() == "x: field too long (3 > 2)");
  Bytes short_blob = HexBytes("0000000561");
  REQUIRE_FALSE(Reader(short_blob).Blob(&out, 100).ok());
  Bytes max_len = HexBytes("ffffffff");
  REQUIRE_FALSE(Reader(max_len).Blob(&out, SIZE_MAX).ok());
}

TEST_CASE("reader count is bounded by max and by the bytes left") {
  uint32_t n;
  Bytes in = HexBytes(
      "00000003"
      "aabbcc");
  REQUIRE(Reader(in).Count(&n, 3, 1).ok());
  REQUIRE_FALSE(Reader(in).Count(&n, 2, 1).ok());
  REQUIRE_FALSE(Reader(in).Count(&n, 3, 2).ok());
  Bytes huge = HexBytes("ffffffff");
  REQUIRE_FALSE(Reader(huge).Count(&n, UINT32_MAX, 1).ok());
}

TEST_CASE("utf-8 validation follows RFC 3629") {
  REQUIRE(IsValidUtf8(""));
  REQUIRE(IsValidUtf8(std::string("a\0b", 3)));
  REQUIRE(IsValidUtf8("caf\xc3\xa9"));
  REQUIRE(IsValidUtf8("\xe2\x82\xac"));
  REQUIRE(IsValidUtf8("\xf0\x9f\x9a\x9a"));
  REQUIRE(IsValidUtf8("\xf4\x8f\xbf\xbf"));        // U+10FFFF
  REQUIRE(IsValidUtf8("\xed\x9f\xbf"));            // U+D7FF
  REQUIRE_FALSE(IsValidUtf8("\x80"));              // stray continuation
  REQUIRE_FALSE(IsValidUtf8("\xc3"));              // truncated
  REQUIRE_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  REQUIRE_FALSE(IsValidUtf8("\xc0\x80"));          // overlong NUL
  REQUIRE_FALSE(IsValidUtf8("\xc1\xbf"));          // overlong
  REQUIRE_FALSE(IsValidUtf8("\xe0\x80\x80"));      // overlong
  REQUIRE_FALSE(IsValidUtf8("\xf0\x80\x80\x80"));  // overlong
  REQUIRE_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  REQUIRE_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  REQUIRE_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));
  REQUIRE_FALSE(IsValidUtf8("\xc3\x28"));  // bad continuation
}

TEST_CASE("every object decodes and re-encodes to the same bytes") {
  for (const auto& s : Samples()) {
    INFO(s.kind << "/" << s.name);
    auto again = vectors::RoundTrip(s.kind, s.bytes);
    REQUIRE(again.ok());
    REQUIRE(*again == s.bytes);
  }
}

TEST_CASE("every proper prefix of every object is rejected") {
  size_t checked = 0;
  for (const auto& s : Samples()) {
    for (size_t len = 0; len < s.bytes.size(); ++len) {
      auto r = vectors::RoundTrip(s.kind, ByteView(s.bytes.data(), len));
      if (r.ok()) FAIL(s.kind << "/" << s.name << " decodes when cut to " << len << " bytes");
      ++checked;
    }
  }
  REQUIRE(checked > 5000);
}

TEST_CASE("every object followed by a trailing byte is rejected") {
  for (const auto& s : Samples()) {
    INFO(s.kind << "/" << s.name);
    for (uint8_t extra : {0x00, 0x01, 0xff}) {
      Bytes b = s.bytes;
      b.push_back(extra);
      auto r = vectors::RoundTrip(s.kind, b);
      REQUIRE_FALSE(r.ok());
      REQUIRE(r.status().code() == Code::kInvalidArgument);
    }
  }
}

TEST_CASE("every versioned object rejects every other version byte") {
  for (const auto& s : Samples()) {
    if (s.kind == "value" || s.kind == "merkle_proof") continue;  // not versioned
    INFO(s.kind << "/" << s.name);
    REQUIRE(s.bytes[0] == kEncodingVersion);
    for (int v : {0, 2, 3, 0x7f, 0xff}) {
      Bytes b = s.bytes;
      b[0] = static_cast<uint8_t>(v);
      auto r = vectors::RoundTrip(s.kind, b);
      REQUIRE_FALSE(r.ok());
      REQUIRE_THAT(r.status().message(), Catch::Contains("unknown version"));
    }
  }
}

TEST_CASE("tx: optional tag other than 0/1 is rejected, both forms round-trip") {
  Transaction tx = SampleTx();
  size_t tag = tx.SigningBody().size() - 9;  // tag, then the u64 expiry
  Bytes enc = tx.Encode();
  REQUIRE(enc[tag] == 1);
  for (int t : {2, 0x80, 0xff}) {
    Bytes b = enc;
    b[tag] = static_cast<uint8_t>(t);
    REQUIRE_THAT(Transaction::Decode(b).status().message(),
                 Catch::Contains("non-canonical bool at expiry_height"));
  }
  tx.expiry_height.reset();
  auto back = Transaction::Decode(tx.Encode());
  REQUIRE(back.ok());
  REQUIRE_FALSE(back->expiry_height.has_value());
}

TEST_CASE("tx: fields over their limits are rejected, limits themselves accepted") {
  Transaction tx = SampleTx();
  tx.chain_id = std::string(kMaxChainIdLen, 'c');
  tx.contract = std::string(kMaxContractLen, 'a');
  tx.method = std::string(kMaxMethodLen, 'M');
  REQUIRE(Transaction::Decode(tx.Encode()).ok());
  Transaction t = tx;
  t.chain_id += "c";
  REQUIRE_FALSE(Transaction::Decode(t.Encode()).ok());
  t = tx;
  t.contract += "a";
  REQUIRE_FALSE(Transaction::Decode(t.Encode()).ok());
  t = tx;
  t.method += "M";
  REQUIRE_FALSE(Transaction::Decode(t.Encode()).ok());
  t = tx;
  t.args = Bytes(kMaxArgsLen + 1, 0);
  REQUIRE_FALSE(Transaction::Decode(t.Encode()).ok());
  REQUIRE_THAT(Transaction::Decode(Bytes(kMaxTxSize + 1, 1)).status().message(),
               Catch::Contains("too large"));
}

TEST_CASE("tx: an over-long length prefix cannot make the decoder read past the end") {
  Bytes enc = SampleTx().Encode();
  // chain_id length at offset 1: claim every length up to 0xffffffff.
  for (uint32_t len : {2u, 64u, 65u, 0x7fffffffu, 0xffffffffu}) {
    Bytes b = enc;
    b[1] = static_cast<uint8_t>(len >> 24);
    b[2] = static_cast<uint8_t>(len >> 16);
    b[3] = static_cast<uint8_t>(len >> 8);
    b[4] = static_cast<uint8_t>(len);
    REQUIRE_FALSE(Transaction::Decode(b).ok());
  }
}

TEST_CASE("value: every type round-trips and map keys come out sorted by bytes") {
  Value v = Value::MakeMap({{"b", 1},
                            {"a", Value::List{Value(), true, false}},
                            {"\xc3\xa9", Value(Bytes{1, 2})},
                            {"B", "s"},
                            {"n", int64_t{INT64_MIN}}});
  Bytes enc = v.Encode();
  auto back = Value::Decode(enc);
  REQUIRE(back.ok());
  REQUIRE(*back == v);
  std::vector<std::string> keys;
  for (const auto& [k, _] : back->as_map()) keys.push_back(k);
  REQUIRE(keys == std::vector<std::string>{"B", "a", "b", "n", "\xc3\xa9"});
}

TEST_CASE("value: unsorted and duplicate map keys are rejected") {
  auto map2 = [](const std::string& k1, const std::string& k2) {
    Writer w;
    w.U8(7);
    w.U32(2);
    w.Str(k1);
    w.U8(0);
    w.Str(k2);
    w.U8(0);
    return w.Take();
  };
  REQUIRE(Value::Decode(map2("a", "b")).ok());
  REQUIRE(Value::Decode(map2("a", "ab")).ok());
  REQUIRE_FALSE(Value::Decode(map2("b", "a")).ok());
  REQUIRE_FALSE(Value::Decode(map2("ab", "a")).ok());
  REQUIRE_FALSE(Value::Decode(map2("a", "a")).ok());
  REQUIRE_FALSE(Value::Decode(map2("", "")).ok());
  // Byte order, not signed-char order: 0x7f < 0xc3.
  REQUIRE(Value::Decode(map2("\x7f", "\xc3\xa9")).ok());
  REQUIRE_FALSE(Value::Decode(map2("\xc3\xa9", "\x7f")).ok());
}

TEST_CASE("value: nesting up to the limit decodes, one more level is rejected") {
  auto nested = [](size_t lists) {
    Bytes b;
    for (size_t i = 0; i < lists; ++i) b.insert(b.end(), {6, 0, 0, 0, 1});
    b.push_back(0);
    return b;
  };
  REQUIRE(Value::Decode(nested(Value::kMaxDepth)).ok());
  REQUIRE_FALSE(Value::Decode(nested(Value::kMaxDepth + 1)).ok());
  REQUIRE_FALSE(Value::Decode(nested(10000)).ok());
}

TEST_CASE("value: JSON bridge rejects what the decoder would reject") {
  using nlohmann::json;
  REQUIRE(Value::FromJson(json::parse(R"({"a":[1,"x",{"$bytes":"00ff"}],"b":null})")).ok());
  REQUIRE_FALSE(Value::FromJson(json::parse("1.5")).ok());
  REQUIRE_FALSE(Value::FromJson(json::parse("18446744073709551615")).ok());
  REQUIRE_FALSE(Value::FromJson(json{{std::string(Value::kMaxKeyLen + 1, 'k'), 1}}).ok());
  REQUIRE(Value::FromJson(json{{std::string(Value::kMaxKeyLen, 'k'), 1}}).ok());
  REQUIRE_FALSE(Value::FromJson(json(std::string(Value::kMaxStringLen + 1, 's'))).ok());
  REQUIRE_FALSE(Value::FromJson(json{{"$bytes", "0g"}}).ok());
  Value v = *Value::FromJson(json::parse(R"({"z":{"$bytes":"01"},"a":[true,-3]})"));
  REQUIRE(Value::Decode(v.Encode()).ok());
  REQUIRE(v.ToJson() == json::parse(R"({"a":[true,-3],"z":{"$bytes":"01"}})"));
}

TEST_CASE("qc: signers must be strictly ascending, decoding checks structure only") {
  QuorumCert qc;
  qc.data.round = 1;
  qc.signatures = {{0, Signature{}}, {2, Signature{}}};
  REQUIRE(QuorumCert::Decode(qc.Encode()).ok());
  qc.signatures = {{2, Signature{}}, {2, Signature{}}};
  REQUIRE_FALSE(QuorumCert::Decode(qc.Encode()).ok());
}

TEST_CASE("block: a tx inside must itself be canonical") {
  Block b;
  b.txs.push_back(SampleTx());
  b.header.tx_count = 1;
  REQUIRE(Block::Decode(b.Encode()).ok());
  Writer w;
  b.header.EncodeTo(w);
  b.justify.EncodeTo(w);
  w.U32(1);
  Bytes tx = b.txs[0].Encode();
  tx[0] = 2;
  w.Blob(tx);
  REQUIRE_THAT(Block::Decode(w.bytes()).status().message(), Catch::Contains("block: tx:"));
}

TEST_CASE("receipt: unknown status and too many events are rejected") {
  Receipt rc{.height = 1};
  Bytes enc = rc.Encode();
  REQUIRE(Receipt::Decode(enc).ok());
  enc[1 + 32 + 8 + 4] = 2;
  REQUIRE_FALSE(Receipt::Decode(enc).ok());
  rc.events.assign(kMaxEventsPerReceipt + 1, Event{"t", {}});
  REQUIRE_FALSE(Receipt::Decode(rc.Encode()).ok());
  rc.events.resize(kMaxEventsPerReceipt);
  REQUIRE(Receipt::Decode(rc.Encode()).ok());
}
