// bytes.h — byte strings, fixed-size byte arrays and hex.
//
//   Bytes b = {1, 2, 3};
//   std::string h = ToHex(b);                 // "010203"
//   Result<Bytes> back = FromHex(h);
//   Hash256 id = ...;  id.Hex();              // 64 lowercase hex digits
//
// Thread safety: value types.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/status.h"

namespace tidemark {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string ToString(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string ToHex(ByteView bytes);
// Accepts lowercase or uppercase hex of even length; rejects anything else.
Result<Bytes> FromHex(std::string_view hex);

// A fixed-size byte array (hashes, keys, signatures). Zero-initialised.
template <size_t N>
struct FixedBytes {
  static constexpr size_t kSize = N;
  std::array<uint8_t, N> data{};

  uint8_t* begin() { return data.data(); }
  uint8_t* end() { return data.data() + N; }
  const uint8_t* begin() const { return data.data(); }
  const uint8_t* end() const { return data.data() + N; }
  static constexpr size_t size() { return N; }
  ByteView view() const { return {data.data(), N}; }
  bool IsZero() const {
    return std::all_of(data.begin(), data.end(), [](uint8_t b) { return b == 0; });
  }
  std::string Hex() const { return ToHex(view()); }

  static Result<FixedBytes> FromView(ByteView b) {
    if (b.size() != N) {
      return Status::Invalid("expected " + std::to_string(N) + " bytes, got " +
                             std::to_string(b.size()));
    }
    FixedBytes out;
    std::memcpy(out.data.data(), b.data(), N);
    return out;
  }
  static Result<FixedBytes> FromHex(std::string_view hex) {
    if (hex.size() != 2 * N) {
      return Status::Invalid("expected " + std::to_string(2 * N) + " hex digits, got " +
                             std::to_string(hex.size()));
    }
    auto b = ::tidemark::FromHex(hex);
    if (!b.ok()) return b.status();
    return FromView(*b);
  }

  friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;
  friend bool operator==(const FixedBytes&, const FixedBytes&) = default;
};

using Hash256 = FixedBytes<32>;

struct FixedBytesHasher {
  template <size_t N>
  size_t operator()(const FixedBytes<N>& b) const {
    size_t h;
    static_assert(N >= sizeof(size_t));
    std::memcpy(&h, b.data.data(), sizeof(h));
    return h;
  }
};

}  // namespace tidemark
