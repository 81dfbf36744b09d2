// value.h — a canonical, self-describing structured value (docs/encoding.md §Value).
//
// Contract call arguments, events and contract records are Values: a tree of null, bool, int64,
// UTF-8 string, bytes, list and map (string keys). There are no floats (determinism); decimals
// travel as strings. The encoding is canonical: map keys are strictly ascending by their bytes, so
// one value has exactly one encoding. JSON maps onto Value one-to-one except bytes, which appear in
// JSON as {"$bytes": "<hex>"}.
//
//   Value v = Value::Map({{"gtin", "09521234543213"}, {"qty", 12}});
//   Bytes b = v.Encode();
//   Result<Value> back = Value::Decode(b);
//   const Value* g = v.Find("gtin");  // nullptr if absent
//
// Thread safety: value type.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <variant>
#include <vector>

#include "tidemark/bytes.h"
#include "tidemark/codec.h"

namespace tidemark {

class Value {
 public:
  enum class Type : uint8_t {
    kNull = 0,
    kFalse = 1,
    kTrue = 2,
    kInt = 3,
    kString = 4,
    kBytes = 5,
    kList = 6,
    kMap = 7
  };
  using List = std::vector<Value>;
  using Map = std::map<std::string, Value>;  // ordered by key bytes: canonical

  static constexpr size_t kMaxDepth = 32;
  static constexpr size_t kMaxStringLen = 1 << 20;  // strings and bytes
  static constexpr size_t kMaxKeyLen = 1024;        // map keys
  static constexpr size_t kMaxCount = 1 << 20;      // list elements, map entries

  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int v) : v_(static_cast<int64_t>(v)) {}
  Value(int64_t v) : v_(v) {}
  Value(uint32_t v) : v_(static_cast<int64_t>(v)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(Bytes b) : v_(std::move(b)) {}
  Value(List l) : v_(std::move(l)) {}
  Value(Map m) : v_(std::move(m)) {}
  static Value MakeMap(std::initializer_list<std::pair<const std::string, Value>> kv) {
    return Value(Map(kv));
  }

  Type type() const;
  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_bytes() const { return std::holds_alternative<Bytes>(v_); }
  bool is_list() const { return std::holds_alternative<List>(v_); }
  bool is_map() const { return std::holds_alternative<Map>(v_); }

  // REQUIRES: the matching is_*().
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Bytes& as_bytes() const { return std::get<Bytes>(v_); }
  const List& as_list() const { return std::get<List>(v_); }
  List& as_list() { return std::get<List>(v_); }
  const Map& as_map() const { return std::get<Map>(v_); }
  Map& as_map() { return std::get<Map>(v_); }

  // Map lookup; nullptr if not a map or no such key.
  const Value* Find(const std::string& key) const;

  void EncodeTo(Writer& w) const;
  Bytes Encode() const;
  static Result<Value> Decode(ByteView in);
  static Status DecodeFrom(Reader& r, Value* out, size_t depth = 0);

  // JSON bridge (REST, CLI). Rejects non-integer numbers, integers outside int64, depth >
  // kMaxDepth, and anything Decode() would reject (over-long strings, bytes or keys, too many
  // elements), so every Value it returns encodes to bytes that decode.
  static Result<Value> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::monostate, bool, int64_t, std::string, Bytes, List, Map> v_;
};

}  // namespace tidemark
