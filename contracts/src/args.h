// args.h (internal) — reading fields of Value maps with errors that name the field.
// Thread safety: stateless functions.
#pragma once

#include <optional>
#include <string>

#include "tidemark/status.h"
#include "tidemark/value.h"

namespace tidemark::contracts::internal {

inline Status NeedMap(const Value& v, const std::string& what) {
  if (!v.is_map()) return Status::Invalid(what + ": must be a map");
  return Status::Ok();
}

// A required non-empty string field.
inline Result<std::string> Str(const Value& m, const std::string& key) {
  const Value* v = m.Find(key);
  if (v == nullptr) return Status::Invalid(key + ": required");
  if (!v->is_string() || v->as_string().empty()) {
    return Status::Invalid(key + ": must be a non-empty string");
  }
  return v->as_string();
}

// An optional string field ("" if absent).
inline Result<std::string> OptStr(const Value& m, const std::string& key) {
  const Value* v = m.Find(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return Status::Invalid(key + ": must be a string");
  return v->as_string();
}

inline Result<int64_t> Int(const Value& m, const std::string& key) {
  const Value* v = m.Find(key);
  if (v == nullptr) return Status::Invalid(key + ": required");
  if (!v->is_int()) return Status::Invalid(key + ": must be an integer");
  return v->as_int();
}

inline int64_t IntOr(const Value& m, const std::string& key, int64_t fallback) {
  const Value* v = m.Find(key);
  return v != nullptr && v->is_int() ? v->as_int() : fallback;
}

inline std::string StrOr(const Value& m, const std::string& key, std::string fallback = "") {
  const Value* v = m.Find(key);
  return v != nullptr && v->is_string() ? v->as_string() : fallback;
}

inline bool BoolOr(const Value& m, const std::string& key, bool fallback) {
  const Value* v = m.Find(key);
  return v != nullptr && v->is_bool() ? v->as_bool() : fallback;
}

inline Result<Value::List> List(const Value& m, const std::string& key) {
  const Value* v = m.Find(key);
  if (v == nullptr) return Status::Invalid(key + ": required");
  if (!v->is_list()) return Status::Invalid(key + ": must be a list");
  return v->as_list();
}

inline Value::List ListOr(const Value& m, const std::string& key) {
  const Value* v = m.Find(key);
  return v != nullptr && v->is_list() ? v->as_list() : Value::List{};
}

}  // namespace tidemark::contracts::internal
