#include "tidemark/codec.h"

namespace tidemark {

void Writer::U16(uint16_t v) {
  U8(static_cast<uint8_t>(v >> 8));
  U8(static_cast<uint8_t>(v));
}
void Writer::U32(uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) U8(static_cast<uint8_t>(v >> s));
}
void Writer::U64(uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) U8(static_cast<uint8_t>(v >> s));
}
void Writer::Blob(ByteView v) {
  // Callers bound lengths well below 4 GiB; a larger blob is our own bug.
  assert(v.size() <= UINT32_MAX);
  U32(static_cast<uint32_t>(v.size()));
  Raw(v);
}

Status Reader::Error(const std::string& msg) const {
  if (what_.empty()) return Status::Invalid(msg);
  return Status::Invalid(what_ + ": " + msg);
}

Status Reader::Need(size_t n, const char* field) {
  if (remaining() < n) {
    return Error(std::string("truncated at ") + field + " (need " + std::to_string(n) +
                 " bytes, have " + std::to_string(remaining()) + ")");
  }
  return Status::Ok();
}

Status Reader::U8(uint8_t* v, const char* field) {
  TM_RETURN_IF_ERROR(Need(1, field));
  *v = in_[pos_++];
  return Status::Ok();
}
Status Reader::U16(uint16_t* v, const char* field) {
  TM_RETURN_IF_ERROR(Need(2, field));
  *v = static_cast<uint16_t>(in_[pos_] << 8 | in_[pos_ + 1]);
  pos_ += 2;
  return Status::Ok();
}
Status Reader::U32(uint32_t* v, const char* field) {
  TM_RETURN_IF_ERROR(Need(4, field));
  uint32_t x = 0;
  for (int i = 0; i < 4; ++i) x = x << 8 | in_[pos_ + i];
  pos_ += 4;
  *v = x;
  return Status::Ok();
}
Status Reader::U64(uint64_t* v, const char* field) {
  TM_RETURN_IF_ERROR(Need(8, field));
  uint64_t x = 0;
  for (int i = 0; i < 8; ++i) x = x << 8 | in_[pos_ + i];
  pos_ += 8;
  *v = x;
  return Status::Ok();
}
Status Reader::I64(int64_t* v, const char* field) {
  uint64_t u;
  TM_RETURN_IF_ERROR(U64(&u, field));
  *v = static_cast<int64_t>(u);
  return Status::Ok();
}
Status Reader::Bool(bool* v, const char* field) {
  uint8_t b;
  TM_RETURN_IF_ERROR(U8(&b, field));
  if (b > 1) return Error(std::string("non-canonical bool at ") + field);
  *v = b == 1;
  return Status::Ok();
}
Status Reader::Raw(uint8_t* out, size_t n, const char* field) {
  TM_RETURN_IF_ERROR(Need(n, field));
  std::copy(in_.begin() + pos_, in_.begin() + pos_ + n, out);
  pos_ += n;
  return Status::Ok();
}
Status Reader::Blob(Bytes* v, size_t max_len, const char* field) {
  uint32_t len;
  TM_RETURN_IF_ERROR(U32(&len, field));
  if (len > max_len) {
    return Error(std::string(field) + " too long (" + std::to_string(len) + " > " +
                 std::to_string(max_len) + ")");
  }
  TM_RETURN_IF_ERROR(Need(len, field));
  v->assign(in_.begin() + pos_, in_.begin() + pos_ + len);
  pos_ += len;
  return Status::Ok();
}
Status Reader::Str(std::string* v, size_t max_len, const char* field) {
  Bytes b;
  TM_RETURN_IF_ERROR(Blob(&b, max_len, field));
  v->assign(b.begin(), b.end());
  if (!IsValidUtf8(*v)) return Error(std::string(field) + " is not valid UTF-8");
  return Status::Ok();
}
Status Reader::Count(uint32_t* n, size_t max_count, size_t min_elem_size, const char* field) {
  TM_RETURN_IF_ERROR(U32(n, field));
  if (*n > max_count) {
    return Error(std::string(field) + " too large (" + std::to_string(*n) + " > " +
                 std::to_string(max_count) + ")");
  }
  if (min_elem_size > 0 && static_cast<uint64_t>(*n) * min_elem_size > remaining()) {
    return Error(std::string("truncated at ") + field + " (" + std::to_string(*n) +
                 " elements cannot fit in " + std::to_string(remaining()) + " bytes)");
  }
  return Status::Ok();
}
Status Reader::Version(uint8_t expected) {
  uint8_t v;
  TM_RETURN_IF_ERROR(U8(&v, "version"));
  if (v != expected) {
    return Error("unknown version " + std::to_string(v) + " (expected " + std::to_string(expected) +
                 ")");
  }
  return Status::Ok();
}
Status Reader::Finish() const {
  if (remaining() != 0) return Error("trailing bytes (" + std::to_string(remaining()) + ")");
  return Status::Ok();
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else
      return false;
    if (i + n >= s.size()) return false;  // continuation bytes missing
    for (size_t k = 1; k <= n; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = cp << 6 | (p[i + k] & 0x3F);
    }
    // Reject overlong forms, surrogates and values above U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace tidemark
