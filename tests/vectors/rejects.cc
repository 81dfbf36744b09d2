// The reject vectors: inputs every decoder must refuse, each with the reason.
#include <cstdio>
#include <cstdlib>

#include "tidemark/merkle.h"
#include "tidemark/value.h"
#include "vectors_internal.h"

namespace tidemark::vectors {

namespace {

class RejectList {
 public:
  void Add(const std::string& kind, const std::string& name, ByteView in,
           const std::string& reason) {
    auto r = RoundTrip(kind, in);
    if (r.ok()) {
      std::fprintf(stderr, "vectors: reject %s/%s decodes\n", kind.c_str(), name.c_str());
      std::abort();  // our own bug: a reject vector must be rejected
    }
    Json e;
    e["kind"] = kind;
    e["name"] = name;
    e["hex"] = ToHex(in);
    e["reason"] = reason;
    e["error"] = r.status().message();
    list_.push_back(std::move(e));
  }
  Json Take() { return std::move(list_); }

 private:
  Json list_ = Json::array();
};

Bytes Cat(Bytes a, ByteView b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
Bytes Cut(Bytes a, size_t n) {
  a.resize(a.size() - n);
  return a;
}
Bytes Set(Bytes a, size_t pos, uint8_t v) {
  a[pos] = v;
  return a;
}

Bytes ValueBytes(std::initializer_list<std::pair<std::string, uint8_t>> map_entries) {
  Writer w;
  w.U8(7);
  w.U32(static_cast<uint32_t>(map_entries.size()));
  for (const auto& [k, tag] : map_entries) {
    w.Str(k);
    w.U8(tag);
  }
  return w.Take();
}

Bytes StringValue(ByteView raw) {
  Writer w;
  w.U8(4);
  w.Blob(raw);
  return w.Take();
}

void TxRejects(RejectList& r) {
  Transaction base = SampleTx(1, 1, std::nullopt);
  Bytes enc = base.Encode();
  size_t tag_pos = base.SigningBody().size() - 1;
  r.Add("transaction", "empty", {}, "truncated at the version byte");
  r.Add("transaction", "truncated_signature", Cut(enc, 1), "last signature byte missing");
  r.Add("transaction", "trailing_byte", Cat(enc, Bytes{0}), "one byte after the signature");
  r.Add("transaction", "version_0", Set(enc, 0, 0), "unknown version 0");
  r.Add("transaction", "version_2", Set(enc, 0, 2), "unknown version 2");
  r.Add("transaction", "expiry_tag_2", Set(enc, tag_pos, 2), "optional tag must be 0 or 1");
  r.Add("transaction", "chain_id_length_beyond_input", Bytes{1, 0, 0, 0, 10, 'a', 'b', 'c'},
        "chain_id length 10 but only 3 bytes follow");
  auto with = [&](auto mutate) {
    Transaction t = base;
    mutate(t);
    return t.Encode();
  };
  r.Add("transaction", "chain_id_too_long",
        with([](Transaction& t) { t.chain_id = std::string(kMaxChainIdLen + 1, 'c'); }),
        "chain_id longer than 64 bytes");
  r.Add("transaction", "chain_id_empty", with([](Transaction& t) { t.chain_id.clear(); }),
        "chain_id must not be empty");
  r.Add("transaction", "chain_id_invalid_utf8",
        with([](Transaction& t) { t.chain_id = "\xc0\x80"; }), "overlong UTF-8 in chain_id");
  r.Add("transaction", "contract_uppercase", with([](Transaction& t) { t.contract = "Test"; }),
        "contract allows only [a-z0-9_]");
  r.Add("transaction", "contract_too_long",
        with([](Transaction& t) { t.contract = std::string(kMaxContractLen + 1, 'a'); }),
        "contract longer than 32 bytes");
  r.Add("transaction", "method_empty", with([](Transaction& t) { t.method.clear(); }),
        "method must not be empty");
  r.Add("transaction", "method_space", with([](Transaction& t) { t.method = "a b"; }),
        "method allows only [A-Za-z0-9_.]");
}

void ValueRejects(RejectList& r) {
  r.Add("value", "empty", {}, "no tag");
  r.Add("value", "unknown_tag_8", Bytes{8}, "tags are 0..7");
  r.Add("value", "int_truncated", Bytes{3, 0, 0, 0, 0}, "int needs 8 bytes");
  r.Add("value", "trailing_byte", Bytes{0, 0}, "a second value after the first");
  r.Add("value", "map_keys_unsorted", ValueBytes({{"b", 0}, {"a", 0}}),
        "map keys must be strictly ascending by bytes");
  r.Add("value", "map_key_duplicate", ValueBytes({{"a", 0}, {"a", 0}}), "duplicate map key");
  r.Add("value", "map_key_invalid_utf8", ValueBytes({{"\xff", 0}}), "map key is not UTF-8");
  r.Add("value", "map_key_too_long", ValueBytes({{std::string(1025, 'k'), 0}}),
        "map keys are at most 1024 bytes");
  r.Add("value", "string_overlong_utf8", StringValue(Bytes{0xc0, 0x80}), "overlong encoding");
  r.Add("value", "string_surrogate", StringValue(Bytes{0xed, 0xa0, 0x80}),
        "UTF-16 surrogate code point");
  r.Add("value", "string_truncated_utf8", StringValue(Bytes{0xc3}), "incomplete sequence");
  r.Add("value", "string_above_10ffff", StringValue(Bytes{0xf4, 0x90, 0x80, 0x80}),
        "code point above U+10FFFF");
  r.Add("value", "string_length_beyond_input", Bytes{4, 0, 0, 0, 16, 'a', 'b'},
        "string length 16 but 2 bytes follow");
  r.Add("value", "list_count_beyond_input", Bytes{6, 0, 0, 0, 5, 0, 0},
        "list of 5 elements in 2 bytes");
  r.Add("value", "map_count_beyond_input", Bytes{7, 0xff, 0xff, 0xff, 0xff},
        "map count larger than the bytes left");
  Bytes deep;
  for (size_t i = 0; i <= Value::kMaxDepth; ++i) deep = Cat(deep, Bytes{6, 0, 0, 0, 1});
  deep.push_back(0);
  r.Add("value", "nested_too_deep", deep, "more than 32 levels of nesting");
}

void ObjectRejects(RejectList& r) {
  Bytes vd = SampleVoteData(true).Encode();
  r.Add("vote_data", "version_2", Set(vd, 0, 2), "unknown version");
  VoteData bad = SampleVoteData(false);
  bad.commit_height = 3;
  r.Add("vote_data", "commit_height_without_id", bad.Encode(),
        "commit_height and commit_id must be both zero or both non-zero");
  bad = SampleVoteData(false);
  bad.commit_id = Filled(1);
  r.Add("vote_data", "commit_id_without_height", bad.Encode(),
        "commit_height and commit_id must be both zero or both non-zero");

  Vote v{.data = SampleVoteData(true), .voter = 0};
  r.Add("vote", "truncated", Cut(v.Encode(), 1), "signature byte missing");
  r.Add("vote", "trailing_byte", Cat(v.Encode(), Bytes{0}), "one byte after the signature");

  ValidatorSet vs = FourValidators();
  r.Add("validator_set", "empty", ValidatorSet{.epoch = 1}.Encode(), "no validators");
  ValidatorSet dup = vs;
  dup.validators[1].key = dup.validators[0].key;
  r.Add("validator_set", "duplicate_key", dup.Encode(), "two validators with one key");
  Writer over;
  over.U8(kEncodingVersion);
  over.U64(1);
  over.U32(kMaxValidators + 1);
  r.Add("validator_set", "count_above_max", over.bytes(), "more than 256 validators");
  r.Add("validator_set", "truncated_last_validator", Cut(vs.Encode(), 10),
        "the last validator's org is cut short");
  Writer few;
  few.U8(kEncodingVersion);
  few.U64(1);
  few.U32(10);
  few.Fixed(vs.validators[0].key);
  few.Str("org-a");
  r.Add("validator_set", "count_beyond_input", few.bytes(),
        "10 validators announced, bytes for at most 1");

  QuorumCert qc = SignedQc(SampleVoteData(true), {0, 1, 3});
  std::swap(qc.signatures[0], qc.signatures[1]);
  r.Add("qc", "signers_unsorted", qc.Encode(), "signers must be strictly ascending");
  qc = SignedQc(SampleVoteData(true), {0, 1, 3});
  qc.signatures[1].first = 0;
  r.Add("qc", "signer_duplicate", qc.Encode(), "one signer twice");

  Block b = SampleBlock(2);
  BlockHeader h = b.header;
  h.exec_height = h.height + 1;
  r.Add("block_header", "exec_height_above_height", h.Encode(), "exec_height > height");
  h = b.header;
  h.tx_count = kMaxTxsPerBlock + 1;
  r.Add("block_header", "tx_count_above_max", h.Encode(), "more than 10000 txs");
  r.Add("block_header", "version_0", Set(b.header.Encode(), 0, 0), "unknown version");
  r.Add("block_header", "truncated", Cut(b.header.Encode(), 1), "last byte missing");

  Writer bad_tx;
  b.header.EncodeTo(bad_tx);
  b.justify.EncodeTo(bad_tx);
  bad_tx.U32(1);
  bad_tx.Blob(Cat(b.txs[0].Encode(), Bytes{0}));
  r.Add("block", "tx_with_trailing_byte", bad_tx.bytes(),
        "a tx inside the block has a trailing byte");
  r.Add("block", "trailing_byte", Cat(b.Encode(), Bytes{0}), "one byte after the last tx");

  Receipt rc{.tx_id = Filled(1), .height = 1};
  Bytes renc = rc.Encode();
  r.Add("receipt", "status_2", Set(renc, 1 + 32 + 8 + 4, 2), "status is 0 or 1");
  rc.reason = std::string(kMaxReasonLen + 1, 'r');
  r.Add("receipt", "reason_too_long", rc.Encode(), "reason longer than 1024 bytes");

  Writer mp;
  mp.U64(0);
  mp.U64(1);
  mp.U32(65);
  r.Add("merkle_proof", "path_too_long", mp.bytes(), "a path has at most 64 hashes");
  Writer mp2;
  mp2.U64(0);
  mp2.U64(2);
  mp2.U32(2);
  mp2.Fixed(Filled(1));
  r.Add("merkle_proof", "path_count_beyond_input", mp2.bytes(), "2 hashes announced, 1 present");
}

}  // namespace

Json Rejects() {
  RejectList r;
  TxRejects(r);
  ValueRejects(r);
  ObjectRejects(r);
  return r.Take();
}

}  // namespace tidemark::vectors
