// The open-addressing table under both group maps (int64_slot_map.h, bytes_slot_map.h): entries
// of {64-bit word, group slot}, the word being a scalar key's bits or a longer key's hash.
// Linear probing over a power-of-two array at most half occupied, Fibonacci hashing of the word
// (one multiply; the high bits index), 16-byte entries so one probe is one cache line.
//
// Groups expire all the time in many-key streams, and touching the table to forget one costs a
// cache miss per group (bench/window_bench.cc, 1M keys: a third of the update's time). So
// forgetting a slot only writes the slot's own record: each slot remembers the index of its
// entry (`positions`), and an entry counts only while its slot still points back at it. A
// forgotten entry stays in place until an insert with its word reuses it (a key that comes back
// never needs a new entry) or the table fills and is rebuilt without it. A probe goes past
// forgotten entries and past live entries whose key differs (`same_key`), so it is right
// whatever the words collide on.
#pragma once

#include <cstdint>
#include <vector>

#include "abi/kernel_abi.h"

namespace alert {

class SlotEntries {
 public:
  static constexpr uint32_t kNone = ALERT_NO_SLOT;  // an empty entry (ends a probe); a slot without one

  SlotEntries() { rebuild(16); }

  // The live slot whose entry holds `word` and for which `same_key(slot)` holds, or kNone.
  template <typename SameKey>
  uint32_t find(uint64_t word, SameKey same_key) const {
    for (size_t i = index_of(word);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone) return kNone;
      if (e.key == word && live(e.slot, i) && same_key(e.slot)) return e.slot;
    }
  }

  // Asks for the entry a find of `word` starts at.
  void prefetch(uint64_t word) const { __builtin_prefetch(&entries_[index_of(word)]); }

  // The key must be absent; slots are small dense numbers (group slots).
  void insert(uint64_t word, uint32_t slot) {
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
    // A forgotten entry with this word is, but for a collision of hashes, this key's own: reused.
    size_t i = index_of(word);
    while (entries_[i].slot != kNone && !(entries_[i].key == word && !live(entries_[i].slot, i))) {
      i = (i + 1) & mask_;
    }
    if (entries_[i].slot == kNone) ++occupied_;
    entries_[i] = Entry{word, slot};
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

  // The layout generated code probes (kernel_abi.h AlertWindowUpdate).
  const void* entries() const { return entries_.data(); }
  const uint32_t* positions() const { return positions_.data(); }
  int64_t mask() const { return static_cast<int64_t>(mask_); }
  int64_t shift() const { return shift_; }

 private:
  using Entry = AlertGroupEntry;  // the layout generated code probes
  static_assert(sizeof(Entry) == 16, "one probe is one 16-byte entry");

  size_t index_of(uint64_t word) const { return static_cast<size_t>(alert_group_index(word, shift_)); }
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
