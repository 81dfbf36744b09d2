// kv_store.h — the ordered key-value store under the node (LevelDB in production, memory in tests).
//
// Keys and values are arbitrary bytes; keys are ordered bytewise (unsigned). Writes go through a
// WriteBatch that is applied atomically: after a crash, a store shows either all of a batch or
// none of it. The environment is injected: the block store and the state tree take a KvStore&, so
// tests run on MemoryKvStore or on FaultInjectingKvStore without touching the disk.
//
//   std::unique_ptr<KvStore> db = ...;  // LevelDbKvStore::Open(dir) or a MemoryKvStore
//   WriteBatch b;  b.Put(AsBytes("a/1"), AsBytes("x"));
//   TM_RETURN_IF_ERROR(db->Write(b, /*sync=*/true));
//   TM_ASSIGN_OR_RETURN(std::optional<Bytes> v, db->Get(AsBytes("a/1")));
//   TM_ASSIGN_OR_RETURN(auto page, db->Scan({.prefix = AsBytes("a/"), .limit = 100}));
//
// Thread safety: every implementation is safe for concurrent use by many threads without external
// synchronization (like LevelDB). A Scan sees one consistent state of the store; two separate
// calls may see different states — take a Snapshot() for several consistent reads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tidemark/bytes.h"
#include "tidemark/node/storage/write_batch.h"
#include "tidemark/status.h"

namespace tidemark::node {

struct KvPair {
  Bytes key;
  Bytes value;
  friend bool operator==(const KvPair&, const KvPair&) = default;
};

// A bounded, ordered range read: keys that start with `prefix`, at least `start_at` when it is
// set, strictly greater than `start_after` when it is set (a pagination cursor: pass the last key
// of the previous page), at most `limit` of them, in ascending order.
struct ScanOptions {
  ByteView prefix;
  std::optional<Bytes> start_after;
  std::optional<Bytes> start_at;
  size_t limit = 1000;
};

// Read access to one state of a store (the live store or a snapshot).
class KvReader {
 public:
  virtual ~KvReader() = default;
  // nullopt if the key is absent; an error status only on I/O failure or corruption.
  virtual Result<std::optional<Bytes>> Get(ByteView key) const = 0;
  virtual Result<std::vector<KvPair>> Scan(const ScanOptions& options) const = 0;
};

// Where the time of one TimedWrite went, in seconds: `sync` is the part spent making the batch
// durable (LevelDB: the log's fsync), `write` the rest (encoding, the log append, the memtable).
struct WriteTimings {
  double write_seconds = 0;
  double sync_seconds = 0;
};

class KvStore : public KvReader {
 public:
  // Applies every operation of `batch` atomically. With sync, the batch is on stable storage
  // when Write returns OK (survives a machine crash); without, it survives a process crash.
  virtual Status Write(const WriteBatch& batch, bool sync) = 0;
  // Write, telling where its time went (pipeline metrics). The default reports the whole Write
  // as `write_seconds`; a store that can tell its sync apart (LevelDbKvStore) overrides it.
  virtual Status TimedWrite(const WriteBatch& batch, bool sync, WriteTimings* timings);
  // A frozen view of the current state; later writes are invisible to it.
  virtual Result<std::unique_ptr<KvReader>> Snapshot() const = 0;
};

// The smallest key greater than every key starting with `prefix`; nullopt if none (all 0xFF).
std::optional<std::string> PrefixSuccessor(std::string prefix);

}  // namespace tidemark::node
