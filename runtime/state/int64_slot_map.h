// An open-addressing map from a 64-bit key to a group slot, for window rules grouped by one
// int-like (or float, as canonical bits) key: the common case, and the one where the table's
// speed is the update's speed. Linear probing over a power-of-two array at most half occupied,
// Fibonacci hashing (one multiply; the high bits index), 16-byte entries so one probe is one
// cache line.
//
// Groups expire all the time in many-key streams, and touching the table to forget one costs a
// cache miss per group (bench/window_bench.cc, 1M keys: a third of the update's time). So
// forgetting a slot only writes the slot's own record: each slot remembers the index of its
// entry (`positions`), and an entry counts only while its slot still points back at it. A
// forgotten entry stays in place, keyed, until its key comes back (its entry is reused: a key
// that recurs never needs a new one) or the table fills and is rebuilt without it. A key has at
// most one entry: an insert reuses the key's forgotten entry when its probe meets it, so a probe
// can stop at the first entry with its key. Everything is inline: the lookup runs once per row,
// in C++ or in generated code (kernel_abi.h).
#pragma once

#include <cstdint>
#include <vector>

namespace alert {

class Int64SlotMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;  // an empty entry (ends a probe); a slot without one

  Int64SlotMap() { rebuild(16); }

  uint32_t find(int64_t key) const {
    for (size_t i = index_of(key);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone) return kNone;
      if (e.key == key) return live(e.slot, i) ? e.slot : kNone;
    }
  }

  // `key` must be absent; slots are small dense numbers (group slots).
  void insert(int64_t key, uint32_t slot) {
    if ((occupied_ + 1) * 2 > entries_.size()) {
      // Rebuild without the forgotten entries, into a table where the live ones take at most an
      // eighth: at least 3/8 of it is then free for new keys before the next rebuild, and a
      // recurring key space finds room for all its keys' entries (bench/window_bench.cc, 1M keys,
      // ~200k live: 1.08x hand-written with an eighth, 0.96x with a quarter, which rebuilt 25
      // times a run). Memory: at most 16 entries (256 bytes) per live group at the peak.
      size_t capacity = entries_.size();
      while (capacity < (size_ + 1) * 8) capacity *= 2;
      rebuild(capacity);
    }
    size_t i = index_of(key);
    while (entries_[i].slot != kNone && entries_[i].key != key) i = (i + 1) & mask_;
    if (entries_[i].slot == kNone) ++occupied_;
    entries_[i] = Entry{key, slot};
    remember(slot, i);
    ++size_;
  }

  // Forgets `slot`'s entry (it must have one): the entry stays, no longer pointed at.
  void erase_slot(uint32_t slot) {
    positions_[slot] = kNone;
    --size_;
  }

  size_t size() const { return size_; }
  // Entries in use, live or forgotten (a rebuild drops the forgotten).
  size_t occupied() const { return occupied_; }
  size_t capacity() const { return entries_.size(); }

  // The layout generated code probes (kernel_abi.h AlertWindowUpdate): 16-byte entries
  // {int64 key, uint32 slot}, index (key * 0x9E3779B97F4A7C15) >> shift, then linear; a probe
  // ends at slot kNone or at the key's entry, which holds its group if positions[slot] is the
  // entry's index.
  const void* entries() const { return entries_.data(); }
  const uint32_t* positions() const { return positions_.data(); }
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
  bool live(uint32_t slot, size_t i) const { return positions_[slot] == i; }
  void remember(uint32_t slot, size_t position) {
    if (positions_.size() <= slot) positions_.resize(slot + 1 + slot / 2, kNone);
    positions_[slot] = static_cast<uint32_t>(position);
  }
  void rebuild(size_t capacity) {
    // The live entries first: `live` reads positions in the old table's indices.
    std::vector<Entry> old = std::move(entries_);
    size_t kept = 0;
    for (size_t o = 0; o < old.size(); ++o) {
      if (old[o].slot != kNone && live(old[o].slot, o)) old[kept++] = old[o];
    }
    old.resize(kept);
    entries_.assign(capacity, Entry{0, kNone});
    mask_ = capacity - 1;
    shift_ = 64 - __builtin_ctzll(capacity);
    occupied_ = 0;
    for (const Entry& e : old) {
      size_t i = index_of(e.key);
      while (entries_[i].slot != kNone) i = (i + 1) & mask_;
      entries_[i] = e;
      remember(e.slot, i);
      ++occupied_;
    }
  }

  std::vector<Entry> entries_;
  std::vector<uint32_t> positions_;  // per slot: its entry's index, kNone when it has none
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;      // live entries
  size_t occupied_ = 0;  // live and forgotten entries
};

}  // namespace alert
