// An open-addressing map from a 64-bit key to a group slot, for window rules grouped by one
// int-like (or float, as canonical bits) key: the common case, and the one where the table's
// speed is the update's speed. Linear probing over a power-of-two array at most half full,
// Fibonacci hashing (one multiply; the high bits index), 16-byte entries so one probe is one
// cache line, and deletion by backward shifting (no tombstones, so expiring groups never slow
// lookups down). Everything is inline: the lookup runs once per row (bench/window_bench.cc).
#pragma once

#include <cstdint>
#include <vector>

namespace alert {

class Int64SlotMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  Int64SlotMap() { rehash(16); }

  uint32_t find(int64_t key) const {
    for (size_t i = index_of(key);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone || e.key == key) return e.slot;
    }
  }

  // `key` must be absent.
  void insert(int64_t key, uint32_t slot) {
    if ((size_ + 1) * 2 > entries_.size()) rehash(entries_.size() * 2);
    place(key, slot);
    ++size_;
  }

  void erase(int64_t key) {
    size_t hole = index_of(key);
    while (entries_[hole].slot != kNone && entries_[hole].key != key) hole = (hole + 1) & mask_;
    if (entries_[hole].slot == kNone) return;
    entries_[hole].slot = kNone;
    --size_;
    // Shift back every later entry of the cluster that may live in the hole.
    for (size_t i = (hole + 1) & mask_; entries_[i].slot != kNone; i = (i + 1) & mask_) {
      size_t home = index_of(entries_[i].key);
      if (((i - home) & mask_) >= ((i - hole) & mask_)) {
        entries_[hole] = entries_[i];
        entries_[i].slot = kNone;
        hole = i;
      }
    }
  }

  size_t size() const { return size_; }

 private:
  struct Entry {
    int64_t key;
    uint32_t slot;
  };

  size_t index_of(int64_t key) const {
    return static_cast<size_t>((static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void place(int64_t key, uint32_t slot) {
    size_t i = index_of(key);
    while (entries_[i].slot != kNone) i = (i + 1) & mask_;
    entries_[i] = Entry{key, slot};
  }
  void rehash(size_t capacity) {
    std::vector<Entry> old = std::move(entries_);
    entries_.assign(capacity, Entry{0, kNone});
    mask_ = capacity - 1;
    shift_ = 64 - __builtin_ctzll(capacity);
    for (const Entry& e : old) {
      if (e.slot != kNone) place(e.key, e.slot);
    }
  }

  std::vector<Entry> entries_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

}  // namespace alert
