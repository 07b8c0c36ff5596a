// A map from a 64-bit key to a group slot, for window rules grouped by one int-like (or float,
// as canonical bits) key: the common case, and the one where the table's speed is the update's
// speed. The key is the entry's word itself (slot_entries.h: lazy forgetting, rebuilds), so a
// key has one entry at most and a probe can stop at it; generated code probes the same layout
// inline (kernel_abi.h AlertWindowUpdate).
#pragma once

#include <cstdint>

#include "runtime/state/slot_entries.h"

namespace alert {

class Int64SlotMap {
 public:
  static constexpr uint32_t kNone = SlotEntries::kNone;

  uint32_t find(int64_t key) const {
    return table_.find(static_cast<uint64_t>(key), [](uint32_t) { return true; });
  }
  // `key` must be absent; slots are small dense numbers (group slots).
  void insert(int64_t key, uint32_t slot) { table_.insert(static_cast<uint64_t>(key), slot); }
  // Forgets `slot`'s entry (it must have one).
  void erase_slot(uint32_t slot) { table_.erase_slot(slot); }

  size_t size() const { return table_.size(); }
  size_t occupied() const { return table_.occupied(); }
  size_t capacity() const { return table_.capacity(); }

  // The layout generated code probes (kernel_abi.h AlertGroupEntry, alert_group_index); a probe
  // ends at an empty entry or at the key's, which holds its group if positions[slot] is the
  // entry's index.
  const void* entries() const { return table_.entries(); }
  const uint32_t* positions() const { return table_.positions(); }
  int64_t mask() const { return table_.mask(); }
  int64_t shift() const { return table_.shift(); }

 private:
  SlotEntries table_;
};

}  // namespace alert
