// codec.h — the canonical binary encoding's primitives (docs/encoding.md).
//
// Integers are fixed-width big-endian; variable-length fields are a u32 big-endian length followed
// by the bytes; booleans are exactly 0x00 / 0x01; optionals are a 0x00 / 0x01 tag then the value.
// There is one encoding of every value, so equal objects have equal bytes and equal hashes.
//
//   Writer w;  w.U64(7); w.Str("hello");  Bytes out = w.Take();
//   Reader r(out);  uint64_t n; std::string s;
//   TM_RETURN_IF_ERROR(r.U64(&n));  TM_RETURN_IF_ERROR(r.Str(&s, 64));
//   TM_RETURN_IF_ERROR(r.Finish());         // rejects trailing bytes
//
// Reader never reads out of bounds and never allocates more than the bytes present, whatever the
// input; every failure is a kInvalidArgument Status naming what was wrong.
// Thread safety: a Writer / Reader is used by one thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tidemark/bytes.h"

namespace tidemark {

class Writer {
 public:
  Writer() = default;
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v);
  void U32(uint32_t v);
  void U64(uint64_t v);
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }
  // Length-prefixed.
  void Blob(ByteView v);
  void Str(std::string_view v) { Blob(AsBytes(v)); }
  // No prefix: for fixed-size fields (hashes, keys, signatures).
  void Raw(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  template <size_t N>
  void Fixed(const FixedBytes<N>& v) {
    Raw(v.view());
  }

  const Bytes& bytes() const { return out_; }
  Bytes Take() { return std::move(out_); }
  size_t size() const { return out_.size(); }

 private:
  Bytes out_;
};

class Reader {
 public:
  // `what` names the object being decoded; it prefixes every error ("tx: truncated at nonce").
  explicit Reader(ByteView in, std::string_view what = "") : in_(in), what_(what) {}

  Status U8(uint8_t* v, const char* field = "u8");
  Status U16(uint16_t* v, const char* field = "u16");
  Status U32(uint32_t* v, const char* field = "u32");
  Status U64(uint64_t* v, const char* field = "u64");
  Status I64(int64_t* v, const char* field = "i64");
  Status Bool(bool* v, const char* field = "bool");
  // Length-prefixed; rejects a length above max_len before reading.
  Status Blob(Bytes* v, size_t max_len, const char* field = "bytes");
  // Like Blob, and the bytes must be valid UTF-8.
  Status Str(std::string* v, size_t max_len, const char* field = "string");
  Status Raw(uint8_t* out, size_t n, const char* field = "raw");
  template <size_t N>
  Status Fixed(FixedBytes<N>* v, const char* field = "fixed") {
    return Raw(v->data.data(), N, field);
  }
  // A u32 element count, checked against max_count and against the bytes left
  // (each element takes at least min_elem_size bytes), so a huge count cannot allocate.
  Status Count(uint32_t* n, size_t max_count, size_t min_elem_size, const char* field = "count");
  // Reads the version byte and rejects anything but `expected`.
  Status Version(uint8_t expected);
  // OK iff every byte was consumed.
  Status Finish() const;

  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }
  Status Error(const std::string& msg) const;

 private:
  Status Need(size_t n, const char* field);
  ByteView in_;
  size_t pos_ = 0;
  std::string what_;
};

bool IsValidUtf8(std::string_view s);

}  // namespace tidemark
