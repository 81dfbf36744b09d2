#include "tidemark/node/storage/kv_store.h"

#include <chrono>

namespace tidemark::node {

Status KvStore::TimedWrite(const WriteBatch& batch, bool sync, WriteTimings* timings) {
  auto start = std::chrono::steady_clock::now();
  Status s = Write(batch, sync);
  if (timings) {
    timings->write_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timings->sync_seconds = 0;
  }
  return s;
}

std::optional<std::string> PrefixSuccessor(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<uint8_t>(prefix.back());
    if (last != 0xFF) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

}  // namespace tidemark::node
