// An open-addressing map from a 64-bit key to a group slot, for window rules grouped by one
// int-like (or float, as canonical bits) key: the common case, and the one where the table's
// speed is the update's speed. Linear probing over a power-of-two array at most half full,
// Fibonacci hashing (one multiply; the high bits index), 16-byte entries so one probe is one
// cache line. Groups expire all the time in many-key streams, so erasing is by slot: the map
// remembers where each slot's entry is and turns it into a tombstone with one store, no probe
// (bench/window_bench.cc, 1M keys); tombstones are swept when they fill the table. Everything
// is inline: the lookup runs once per row, in C++ or in generated code (kernel_abi.h).
#pragma once

#include <cstdint>
#include <vector>

namespace alert {

class Int64SlotMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;       // an empty entry (ends a probe)
  static constexpr uint32_t kErased = UINT32_MAX - 1;  // a tombstone (a probe goes on)

  Int64SlotMap() { rehash(16); }

  uint32_t find(int64_t key) const {
    for (size_t i = index_of(key);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone) return kNone;
      if (e.key == key && e.slot != kErased) return e.slot;
    }
  }

  // `key` must be absent; slots are small dense numbers (group slots).
  void insert(int64_t key, uint32_t slot) {
    if ((size_ + erased_ + 1) * 2 > entries_.size()) {
      // Sweep the tombstones into a table where the live entries take at most a quarter: with
      // groups coming and going the next sweep is a quarter of the table away, and a larger
      // table costs more in cache misses than the sweeps save (bench/window_bench.cc, 1M keys).
      size_t capacity = entries_.size();
      while (capacity < (size_ + 1) * 4) capacity *= 2;
      rehash(capacity);
    }
    size_t i = index_of(key);
    while (entries_[i].slot != kNone && entries_[i].slot != kErased) i = (i + 1) & mask_;
    if (entries_[i].slot == kErased) --erased_;
    entries_[i] = Entry{key, slot};
    remember(slot, i);
    ++size_;
  }

  // Forgets the entry of `slot` (which must have one).
  void erase_slot(uint32_t slot) {
    entries_[position_[slot]].slot = kErased;
    --size_;
    ++erased_;
  }

  size_t size() const { return size_; }

  // The layout generated code probes (kernel_abi.h AlertWindowUpdate): 16-byte entries
  // {int64 key, uint32 slot}, index (key * 0x9E3779B97F4A7C15) >> shift, then linear; a probe
  // ends at kNone and skips kErased.
  const void* entries() const { return entries_.data(); }
  int64_t mask() const { return static_cast<int64_t>(mask_); }
  int64_t shift() const { return shift_; }

 private:
  struct Entry {
    int64_t key;
    uint32_t slot;
  };
  static_assert(sizeof(Entry) == 16, "generated code strides entries by 16 bytes");

  size_t index_of(int64_t key) const {
    return static_cast<size_t>((static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void remember(uint32_t slot, size_t position) {
    if (position_.size() <= slot) position_.resize(slot + 1 + slot / 2);
    position_[slot] = static_cast<uint32_t>(position);
  }
  void rehash(size_t capacity) {
    std::vector<Entry> old = std::move(entries_);
    entries_.assign(capacity, Entry{0, kNone});
    mask_ = capacity - 1;
    shift_ = 64 - __builtin_ctzll(capacity);
    erased_ = 0;
    for (const Entry& e : old) {
      if (e.slot == kNone || e.slot == kErased) continue;
      size_t i = index_of(e.key);
      while (entries_[i].slot != kNone) i = (i + 1) & mask_;
      entries_[i] = e;
      remember(e.slot, i);
    }
  }

  std::vector<Entry> entries_;
  std::vector<uint32_t> position_;  // per slot: its entry
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
  size_t erased_ = 0;
};

}  // namespace alert
