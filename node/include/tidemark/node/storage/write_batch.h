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

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/bytes.h"

namespace tidemark::node {

class WriteBatch {
 public:
  // One operation, viewing the batch's own bytes: valid while the batch lives unchanged.
  struct Op {
    bool is_delete = false;
    std::string_view key;
    std::string_view value;  // empty for a delete
  };

  // Room for `ops` operations of `bytes` key and value bytes in all, so that a batch whose size
  // is known roughly in advance (a state version's nodes) is not copied as it grows.
  void Reserve(size_t bytes, size_t ops) {
    data_.reserve(data_.size() + bytes);
    entries_.reserve(entries_.size() + ops);
  }
  // Keys and values are copied into one buffer: a batch of thousands of tree nodes costs a few
  // allocations, not two per operation (building and freeing them was ~5% of a validator's
  // consensus thread under load, docs/benchmarks.md).
  void Put(ByteView key, ByteView value) {
    bytes_ += key.size() + value.size();
    Add(false, key, value);
  }
  void Delete(ByteView key) {
    bytes_ += key.size();
    Add(true, key, {});
  }
  // Appends every operation of `other` after this batch's own.
  void Append(const WriteBatch& other) {
    const size_t base = data_.size();
    data_.append(other.data_);
    entries_.reserve(entries_.size() + other.entries_.size());
    for (Entry e : other.entries_) {
      e.offset += base;
      entries_.push_back(e);
    }
    bytes_ += other.bytes_;
  }
  void Clear() {
    data_.clear();
    entries_.clear();
    bytes_ = 0;
  }

  // The operations in order (views into this batch).
  std::vector<Op> ops() const {
    std::vector<Op> out;
    out.reserve(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) out.push_back(op(i));
    return out;
  }
  Op op(size_t i) const {
    const Entry& e = entries_[i];
    std::string_view all(data_);
    return {e.is_delete, all.substr(e.offset, e.key_size),
            all.substr(e.offset + e.key_size, e.value_size)};
  }
  size_t Count() const { return entries_.size(); }
  size_t ApproximateSize() const { return bytes_; }  // sum of key and value sizes
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    size_t offset;  // of the key in data_; the value follows it
    uint32_t key_size;
    uint32_t value_size;
    bool is_delete;
  };
  void Add(bool is_delete, ByteView key, ByteView value) {
    const size_t offset = data_.size();
    data_.append(reinterpret_cast<const char*>(key.data()), key.size());
    data_.append(reinterpret_cast<const char*>(value.data()), value.size());
    entries_.push_back({offset, static_cast<uint32_t>(key.size()),
                        static_cast<uint32_t>(value.size()), is_delete});
  }

  std::string data_;
  std::vector<Entry> entries_;
  size_t bytes_ = 0;
};

}  // namespace tidemark::node
