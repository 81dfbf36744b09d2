#include "tidemark/value.h"

#include <nlohmann/json.hpp>

namespace tidemark {

Value::Type Value::type() const {
  switch (v_.index()) {
    case 0:
      return Type::kNull;
    case 1:
      return as_bool() ? Type::kTrue : Type::kFalse;
    case 2:
      return Type::kInt;
    case 3:
      return Type::kString;
    case 4:
      return Type::kBytes;
    case 5:
      return Type::kList;
    default:
      return Type::kMap;
  }
}

const Value* Value::Find(const std::string& key) const {
  if (!is_map()) return nullptr;
  auto it = as_map().find(key);
  return it == as_map().end() ? nullptr : &it->second;
}

void Value::EncodeTo(Writer& w) const {
  Type t = type();
  w.U8(static_cast<uint8_t>(t));
  switch (t) {
    case Type::kNull:
    case Type::kFalse:
    case Type::kTrue:
      break;
    case Type::kInt:
      w.I64(as_int());
      break;
    case Type::kString:
      w.Str(as_string());
      break;
    case Type::kBytes:
      w.Blob(as_bytes());
      break;
    case Type::kList:
      w.U32(static_cast<uint32_t>(as_list().size()));
      for (const auto& e : as_list()) e.EncodeTo(w);
      break;
    case Type::kMap:
      w.U32(static_cast<uint32_t>(as_map().size()));
      for (const auto& [k, v] : as_map()) {
        w.Str(k);
        v.EncodeTo(w);
      }
      break;
  }
}

Bytes Value::Encode() const {
  Writer w;
  EncodeTo(w);
  return w.Take();
}

Status Value::DecodeFrom(Reader& r, Value* out, size_t depth) {
  if (depth > kMaxDepth) return r.Error("value nested deeper than " + std::to_string(kMaxDepth));
  uint8_t tag;
  TM_RETURN_IF_ERROR(r.U8(&tag, "value tag"));
  switch (static_cast<Type>(tag)) {
    case Type::kNull:
      *out = Value();
      return Status::Ok();
    case Type::kFalse:
      *out = Value(false);
      return Status::Ok();
    case Type::kTrue:
      *out = Value(true);
      return Status::Ok();
    case Type::kInt: {
      int64_t i;
      TM_RETURN_IF_ERROR(r.I64(&i, "int"));
      *out = Value(i);
      return Status::Ok();
    }
    case Type::kString: {
      std::string s;
      TM_RETURN_IF_ERROR(r.Str(&s, kMaxStringLen, "string"));
      *out = Value(std::move(s));
      return Status::Ok();
    }
    case Type::kBytes: {
      Bytes b;
      TM_RETURN_IF_ERROR(r.Blob(&b, kMaxStringLen, "bytes"));
      *out = Value(std::move(b));
      return Status::Ok();
    }
    case Type::kList: {
      uint32_t n;
      TM_RETURN_IF_ERROR(r.Count(&n, kMaxCount, 1, "list"));
      // Grow as elements decode: preallocating n (bounded only by the bytes left) at every one
      // of 32 nesting levels would let a small input allocate 32 * n * sizeof(Value).
      List l;
      for (uint32_t i = 0; i < n; ++i) {
        Value e;
        TM_RETURN_IF_ERROR(DecodeFrom(r, &e, depth + 1));
        l.push_back(std::move(e));
      }
      *out = Value(std::move(l));
      return Status::Ok();
    }
    case Type::kMap: {
      uint32_t n;
      TM_RETURN_IF_ERROR(r.Count(&n, kMaxCount, 5, "map"));
      Map m;
      const std::string* prev = nullptr;
      for (uint32_t i = 0; i < n; ++i) {
        std::string k;
        TM_RETURN_IF_ERROR(r.Str(&k, kMaxKeyLen, "map key"));
        if (prev != nullptr && !(*prev < k)) {
          return r.Error("map keys not strictly ascending at \"" + k + "\"");
        }
        Value v;
        TM_RETURN_IF_ERROR(DecodeFrom(r, &v, depth + 1));
        auto it = m.emplace_hint(m.end(), std::move(k), std::move(v));
        prev = &it->first;
      }
      *out = Value(std::move(m));
      return Status::Ok();
    }
  }
  return r.Error("unknown value tag " + std::to_string(tag));
}

Result<Value> Value::Decode(ByteView in) {
  Reader r(in, "value");
  Value v;
  TM_RETURN_IF_ERROR(DecodeFrom(r, &v));
  TM_RETURN_IF_ERROR(r.Finish());
  return v;
}

namespace {
Status FromJsonRec(const nlohmann::json& j, Value* out, size_t depth, const std::string& path) {
  if (depth > Value::kMaxDepth) return Status::Invalid(path + ": nested too deeply");
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      *out = Value();
      return Status::Ok();
    case nlohmann::json::value_t::boolean:
      *out = Value(j.get<bool>());
      return Status::Ok();
    case nlohmann::json::value_t::number_integer:
      *out = Value(j.get<int64_t>());
      return Status::Ok();
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX))
        return Status::Invalid(path + ": integer out of range");
      *out = Value(static_cast<int64_t>(u));
      return Status::Ok();
    }
    case nlohmann::json::value_t::number_float:
      return Status::Invalid(path + ": non-integer numbers are not allowed (use a decimal string)");
    case nlohmann::json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (!IsValidUtf8(s)) return Status::Invalid(path + ": string is not valid UTF-8");
      if (s.size() > Value::kMaxStringLen) return Status::Invalid(path + ": string too long");
      *out = Value(s);
      return Status::Ok();
    }
    case nlohmann::json::value_t::array: {
      if (j.size() > Value::kMaxCount) return Status::Invalid(path + ": list too long");
      Value::List l;
      l.reserve(j.size());
      for (size_t i = 0; i < j.size(); ++i) {
        Value e;
        TM_RETURN_IF_ERROR(FromJsonRec(j[i], &e, depth + 1, path + "[" + std::to_string(i) + "]"));
        l.push_back(std::move(e));
      }
      *out = Value(std::move(l));
      return Status::Ok();
    }
    case nlohmann::json::value_t::object: {
      if (j.size() == 1 && j.contains("$bytes")) {
        const auto& h = j["$bytes"];
        if (!h.is_string()) return Status::Invalid(path + ".$bytes: must be a hex string");
        auto b = FromHex(h.get<std::string>());
        if (!b.ok()) return b.status().WithContext(path + ".$bytes");
        if (b->size() > Value::kMaxStringLen) return Status::Invalid(path + ": bytes too long");
        *out = Value(std::move(*b));
        return Status::Ok();
      }
      if (j.size() > Value::kMaxCount) return Status::Invalid(path + ": map too large");
      Value::Map m;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!IsValidUtf8(it.key()) || it.key().size() > Value::kMaxKeyLen) {
          return Status::Invalid(path + ": map key is not valid UTF-8 or longer than " +
                                 std::to_string(Value::kMaxKeyLen) + " bytes");
        }
        Value e;
        TM_RETURN_IF_ERROR(FromJsonRec(it.value(), &e, depth + 1, path + "." + it.key()));
        m.emplace(it.key(), std::move(e));
      }
      *out = Value(std::move(m));
      return Status::Ok();
    }
    default:
      return Status::Invalid(path + ": unsupported JSON type");
  }
}
}  // namespace

Result<Value> Value::FromJson(const nlohmann::json& j) {
  Value v;
  TM_RETURN_IF_ERROR(FromJsonRec(j, &v, 0, "$"));
  return v;
}

nlohmann::json Value::ToJson() const {
  switch (type()) {
    case Type::kNull:
      return nullptr;
    case Type::kFalse:
      return false;
    case Type::kTrue:
      return true;
    case Type::kInt:
      return as_int();
    case Type::kString:
      return as_string();
    case Type::kBytes:
      return nlohmann::json{{"$bytes", ToHex(as_bytes())}};
    case Type::kList: {
      auto a = nlohmann::json::array();
      for (const auto& e : as_list()) a.push_back(e.ToJson());
      return a;
    }
    case Type::kMap: {
      auto o = nlohmann::json::object();
      for (const auto& [k, v] : as_map()) o[k] = v.ToJson();
      return o;
    }
  }
  return nullptr;
}

}  // namespace tidemark
