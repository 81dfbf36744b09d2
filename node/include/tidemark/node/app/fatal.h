// fatal.h — what a node does when its storage fails under it: stop at once with a clear message
// and a distinct exit code, never keep running on in-memory state that disk does not hold
// (docs/storage.md, "Faults and verify").
//
//   std::unique_ptr<KvStore> kv = ExitOnWriteFailure(std::move(leveldb_store));  // the node's
//   if (!s.ok() && IsStorageFault(s)) ExitOnStorageFault("reading block 7", s);
//
// Exit codes of `tidemark-node` (and of `tidemark-node verify`, which uses 0 / 1 / 2):
//   0 stopped by a signal (or verify: no problem found)
//   1 could not start its services (or verify: problems found)
//   2 cannot start: bad config, or the store does not open / fails its start-up check
//   3 storage fault while running: a write, fsync or read failed; the node stopped
// Thread safety: any thread; ExitOnStorageFault ends the process.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tidemark/node/storage/kv_store.h"
#include "tidemark/status.h"

namespace tidemark::node {

inline constexpr int kExitCannotStart = 2;
inline constexpr int kExitStorageFault = 3;

// kIoError or kCorruption: the store failed (as opposed to a refused request).
bool IsStorageFault(const Status& s);

// Logs "storage fault: <what>: <status>" (spdlog critical, flushed, and on stderr) and ends the
// process with kExitStorageFault without running destructors (no thread may write after this).
[[noreturn]] void ExitOnStorageFault(std::string_view what, const Status& s);

// `kv` with every Write checked: a failed write (I/O error, disk full, failed fsync, corruption)
// calls ExitOnStorageFault instead of returning. LevelDB does not promise what a failed write
// left behind, so no caller may continue as if it had not happened. Reads are passed through.
std::unique_ptr<KvStore> ExitOnWriteFailure(std::unique_ptr<KvStore> kv);

}  // namespace tidemark::node
