#include "tidemark/node/api/cursor.h"

#include "tidemark/bytes.h"

namespace tidemark::node::api {

std::string EncodeCursor(std::string_view tag, std::initializer_list<uint64_t> fields) {
  Bytes b;
  b.reserve(8 * fields.size());
  for (uint64_t f : fields) {
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(f >> (56 - 8 * i)));
  }
  return std::string(tag) + ToHex(b);
}

Result<std::vector<uint64_t>> DecodeCursor(std::string_view cursor, std::string_view tag,
                                           size_t n_fields) {
  const Status bad = Status::Invalid("cursor: not a cursor this server issued");
  if (cursor.size() != tag.size() + 16 * n_fields || cursor.substr(0, tag.size()) != tag) {
    return bad;
  }
  std::string_view digits = cursor.substr(tag.size());
  // Lower-case digits only: one cursor per position, as issued.
  for (char c : digits) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return bad;
  }
  auto b = FromHex(digits);
  if (!b.ok()) return bad;
  std::vector<uint64_t> out(n_fields, 0);
  for (size_t i = 0; i < b->size(); ++i) out[i / 8] = (out[i / 8] << 8) | (*b)[i];
  return out;
}

}  // namespace tidemark::node::api
