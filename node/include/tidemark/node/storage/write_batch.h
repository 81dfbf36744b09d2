// write_batch.h — a list of Put / Delete operations that a KvStore applies atomically.
//
//   WriteBatch batch;
//   batch.Put(AsBytes("k1"), AsBytes("v1"));
//   batch.Delete(AsBytes("k2"));
//   TM_RETURN_IF_ERROR(store.Write(batch, /*sync=*/true));   // all or nothing
//
// Operations apply in the order they were added: a later Put / Delete of the same key wins.
// Thread safety: a value type; not shared between threads while being built.
#pragma once

#include <string>
#include <vector>

#include "tidemark/bytes.h"

namespace tidemark::node {

class WriteBatch {
 public:
  struct Op {
    bool is_delete = false;
    std::string key;
    std::string value;  // empty for a delete
  };

  void Put(ByteView key, ByteView value) {
    bytes_ += key.size() + value.size();
    ops_.push_back({false, ToString(key), ToString(value)});
  }
  void Delete(ByteView key) {
    bytes_ += key.size();
    ops_.push_back({true, ToString(key), {}});
  }
  // Appends every operation of `other` after this batch's own.
  void Append(const WriteBatch& other) {
    ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
    bytes_ += other.bytes_;
  }
  void Clear() {
    ops_.clear();
    bytes_ = 0;
  }

  const std::vector<Op>& ops() const { return ops_; }
  size_t Count() const { return ops_.size(); }
  size_t ApproximateSize() const { return bytes_; }  // sum of key and value sizes
  bool empty() const { return ops_.empty(); }

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

}  // namespace tidemark::node
