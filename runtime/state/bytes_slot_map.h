// An open-addressing map from a byte string to a group slot, for window rules grouped by one
// string key (or by several keys, as their encoded bytes: group_keys.h append_key). It works as
// Int64SlotMap does (int64_slot_map.h), for the same reason: in many-key streams groups come and
// go all the time, and a general-purpose map pays a random access to forget each one (abseil's
// flat_hash_map erase: a fifth of a 1M-SKU run's time). Here:
// - entries are 16 bytes, {64-bit hash, slot}, linear probing over a power-of-two array at most
//   half occupied; the keys' bytes live per slot (`key(slot)`), compared only when the hashes
//   are equal;
// - forgetting a slot writes only the slot's own position; its entry stays, dead, until an
//   insert with the same hash reuses it (a key that comes back) or the table fills and is
//   rebuilt without it, at most an eighth live. A probe goes past dead entries, so two keys with
//   one hash stay apart.
#pragma once

#include <absl/hash/hash.h>
#include <absl/strings/string_view.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace alert {

class BytesSlotMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;  // an empty entry (ends a probe); a slot without one

  BytesSlotMap() { rebuild(16); }

  static uint64_t hash_of(std::string_view key) {
    return absl::Hash<absl::string_view>{}(absl::string_view(key.data(), key.size()));
  }

  uint32_t find(std::string_view key, uint64_t hash) const {
    for (size_t i = index_of(hash);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone) return kNone;
      if (e.hash == hash && live(e.slot, i) && keys_[e.slot] == key) return e.slot;
    }
  }

  // Asks for the entry a find of `hash` starts at.
  void prefetch(uint64_t hash) const { __builtin_prefetch(&entries_[index_of(hash)]); }

  // `key` must be absent; slots are small dense numbers (group slots).
  void insert(std::string_view key, uint64_t hash, uint32_t slot) {
    if ((occupied_ + 1) * 2 > entries_.size()) {
      size_t capacity = entries_.size();
      while (capacity < (size_ + 1) * 8) capacity *= 2;
      rebuild(capacity);
    }
    size_t i = index_of(hash);
    // A dead entry with this hash is, but for a collision, this key's own: reused.
    while (entries_[i].slot != kNone && !(entries_[i].hash == hash && !live(entries_[i].slot, i))) {
      i = (i + 1) & mask_;
    }
    if (entries_[i].slot == kNone) ++occupied_;
    entries_[i] = Entry{hash, slot};
    remember(slot, i);
    keys_[slot].assign(key.data(), key.size());
    ++size_;
  }

  // Forgets `slot`'s entry (it must have one); its key bytes stay until the slot is reused.
  void erase_slot(uint32_t slot) {
    positions_[slot] = kNone;
    --size_;
  }

  // The key of a slot that has one.
  std::string_view key(uint32_t slot) const { return keys_[slot]; }
  size_t size() const { return size_; }
  size_t occupied() const { return occupied_; }
  size_t capacity() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t hash;
    uint32_t slot;
  };

  size_t index_of(uint64_t hash) const {
    // abseil's hash is mixed already; the multiply spreads it anyway for the high bits.
    return static_cast<size_t>((hash * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  bool live(uint32_t slot, size_t i) const { return positions_[slot] == i; }
  void remember(uint32_t slot, size_t position) {
    if (positions_.size() <= slot) {
      size_t n = slot + 1 + slot / 2;
      positions_.resize(n, kNone);
      keys_.resize(n);
    }
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
      size_t i = index_of(e.hash);
      while (entries_[i].slot != kNone) i = (i + 1) & mask_;
      entries_[i] = e;
      remember(e.slot, i);
      ++occupied_;
    }
  }

  std::vector<Entry> entries_;
  std::vector<uint32_t> positions_;  // per slot: its entry's index, kNone when it has none
  std::vector<std::string> keys_;    // per slot: its key's bytes (reused with the slot)
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;      // live entries
  size_t occupied_ = 0;  // live and dead entries
};

}  // namespace alert
