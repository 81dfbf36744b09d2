// Regression: Value::Decode preallocated `count` elements per list before decoding any of them,
// so a small input of nested lists, each claiming as many elements as bytes remain, made the
// decoder allocate (depth x input size x sizeof(Value)) — hundreds of MiB from a 1 MiB body.
// This executable counts every byte requested from operator new.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <new>

#include "tidemark/value.h"

namespace {
size_t g_allocated = 0;
}

// Every replaceable (non-aligned) form, so all of them pair malloc with free (ASan checks that).
namespace {
void* Allocate(size_t n) {
  g_allocated += n;
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

void* operator new(size_t n) {
  if (void* p = Allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  if (void* p = Allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept { return Allocate(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return Allocate(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

TEST_CASE("value decode allocates in proportion to what it decodes, not to claimed counts") {
  using tidemark::Bytes;
  const size_t kInput = 256 * 1024;
  Bytes in;
  // 40 nested lists, each claiming as many elements as there are bytes left, then padding.
  for (int level = 0; level < 40; ++level) {
    uint32_t claim = static_cast<uint32_t>(kInput - in.size() - 5);
    in.insert(in.end(), {6, static_cast<uint8_t>(claim >> 24), static_cast<uint8_t>(claim >> 16),
                         static_cast<uint8_t>(claim >> 8), static_cast<uint8_t>(claim)});
  }
  in.resize(kInput, 0);
  size_t before = g_allocated;
  auto v = tidemark::Value::Decode(in);
  size_t used = g_allocated - before;
  REQUIRE_FALSE(v.ok());
  INFO("allocated " << used << " bytes for a " << kInput << "-byte input");
  REQUIRE(used < 4 * kInput);
}
