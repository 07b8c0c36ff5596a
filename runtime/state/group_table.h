// Maps a window rule's group key to a dense group slot. The key's shape is fixed by the rule's
// types, so the common cases skip building key bytes: one int-like or float key hashes its
// canonical 64 bits, one string key hashes its bytes in place; several keys are encoded into
// one byte string straight from their columns (bytes_of). A null key is a group of its own.
// One scalar key goes through Int64SlotMap (int64_slot_map.h: inline, built for this lookup);
// string and composite keys (as their bytes) through BytesSlotMap (bytes_slot_map.h). Both forget
// a group without touching the table: with many keys, most rows create a group and most closes
// forget them, and that is where a general-purpose map spent its time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alert/value.h"
#include "abi/kernel_abi.h"
#include "runtime/engine/group_keys.h"
#include "runtime/state/bytes_slot_map.h"
#include "runtime/state/int64_slot_map.h"
#include "runtime/state/value_column.h"

namespace alert {

class GroupTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit GroupTable(std::vector<TypeKind> key_kinds);

  // The slot of row j's key, or kNone when it has none yet.
  uint32_t find(const std::vector<ValueColumn>& keys, size_t j) {
    if (shape_ == Shape::Scalar && keys[0].valid[j]) return scalars_.find(scalar_of(keys[0], j));
    return find_other(keys, j);
  }
  // Records row j's key (just found missing) at `slot`.
  void insert(const std::vector<ValueColumn>& keys, size_t j, uint32_t slot);
  // Forgets group `slot`.
  void erase(uint32_t slot);

  // String or composite keys, with more groups than the caches hold: asks for the memory
  // finding row j's key will read, so that a caller a few rows ahead overlaps the misses.
  // Else nothing.
  void prefetch(const std::vector<ValueColumn>& keys, size_t j) {
    if (bytes_.capacity() < kPrefetchFrom) return;
    if (shape_ == Shape::String && keys[0].valid[j]) {
      bytes_.prefetch(BytesSlotMap::hash_of(string_at(keys[0], j)));
    } else if (shape_ == Shape::Bytes) {
      bytes_.prefetch(BytesSlotMap::hash_of(bytes_of(keys, j)));
    }
  }
  // Whether the table keeps every group's key as it came (key_of): one string key, or several
  // keys none of which is a float (whose -0.0 the table keeps as 0.0; those groups keep their
  // key_values themselves).
  bool keeps_keys() const { return keeps_keys_; }
  // A group's key as values, from the table (keeps_keys() only).
  void key_of(uint32_t slot, std::vector<Value>& out) const;

  // For generated code: the table of a one-scalar-key rule (else null), and the slot of the
  // null key (or of the one group of a rule without keys), kNone when it has none.
  const Int64SlotMap* scalar_map() const { return shape_ == Shape::Scalar ? &scalars_ : nullptr; }
  uint32_t null_slot() const { return null_slot_; }

  // Row j's string (of a string key column), in place.
  static std::string_view string_at(const ValueColumn& k, size_t j) {
    return std::string_view(k.strings[j].data, static_cast<size_t>(k.strings[j].size));
  }
  // Row j's key as values, and as the bytes throttle keys use (group_keys.h append_key).
  static void key_values(const std::vector<ValueColumn>& keys, size_t j, std::vector<Value>& out);

 private:
  enum class Shape { None, Scalar, String, Bytes };
  // Entries (16 bytes each) past which a table no longer stays in cache: below, hashing a key
  // twice costs more than the misses it would hide.
  static constexpr size_t kPrefetchFrom = 1 << 16;
  uint32_t find_other(const std::vector<ValueColumn>& keys, size_t j);
  int64_t scalar_of(const ValueColumn& k, size_t j) const {
    return k.kind == TypeKind::Float ? canonical_double_bits(k.floats[j]) : k.ints[j];
  }
  const std::string& bytes_of(const std::vector<ValueColumn>& keys, size_t j);

  Shape shape_;
  std::vector<TypeKind> kinds_;
  bool keeps_keys_ = false;
  uint32_t null_slot_ = kNone;  // single key: the null key's group; no keys: the one group
  Int64SlotMap scalars_;
  BytesSlotMap bytes_;  // one string key, or several keys' bytes
  std::string scratch_;
};

}  // namespace alert
