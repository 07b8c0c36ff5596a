// A map from a byte string to a group slot, for window rules grouped by one string key (or by
// several keys, as their encoded bytes: group_table.cc bytes_of). The table (slot_entries.h:
// lazy forgetting, rebuilds) holds the key's 64-bit abseil hash; the key's bytes live per slot
// (`key(slot)`), compared only when the hashes are equal, and are reused with the slot. It
// replaced abseil's flat_hash_map here because forgetting an expired group must not touch the
// table (1M SKUs: abseil's erase took a fifth of the run; docs/performance.md).
#pragma once

#include <absl/hash/hash.h>
#include <absl/strings/string_view.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/state/slot_entries.h"

namespace alert {

class BytesSlotMap {
 public:
  static constexpr uint32_t kNone = SlotEntries::kNone;

  static uint64_t hash_of(std::string_view key) {
    return absl::Hash<absl::string_view>{}(absl::string_view(key.data(), key.size()));
  }

  uint32_t find(std::string_view key, uint64_t hash) const {
    return table_.find(hash, [&](uint32_t slot) { return keys_[slot] == key; });
  }
  // Asks for the entry a find of `hash` starts at.
  void prefetch(uint64_t hash) const { table_.prefetch(hash); }

  // `key` must be absent; slots are small dense numbers (group slots).
  void insert(std::string_view key, uint64_t hash, uint32_t slot) {
    table_.insert(hash, slot);
    if (keys_.size() <= slot) keys_.resize(slot + 1 + slot / 2);
    keys_[slot].assign(key.data(), key.size());
  }
  // Forgets `slot`'s entry (it must have one); its key bytes stay until the slot is reused.
  void erase_slot(uint32_t slot) { table_.erase_slot(slot); }

  // The key of a slot that has one.
  std::string_view key(uint32_t slot) const { return keys_[slot]; }
  size_t size() const { return table_.size(); }
  size_t occupied() const { return table_.occupied(); }
  size_t capacity() const { return table_.capacity(); }

 private:
  SlotEntries table_;
  std::vector<std::string> keys_;  // per slot: its key's bytes (reused with the slot)
};

}  // namespace alert
