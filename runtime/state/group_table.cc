#include "runtime/state/group_table.h"

#include <algorithm>
#include <cstring>

namespace alert {
namespace {

Value value_at(const ValueColumn& k, size_t j) {
  if (k.kind == TypeKind::Null || !k.valid[j]) return Value::null();
  switch (k.kind) {
    case TypeKind::Bool: return Value::boolean(k.ints[j] != 0);
    case TypeKind::Float: return Value::floating(k.floats[j]);
    case TypeKind::String: return Value::string(std::string(GroupTable::string_at(k, j)));
    case TypeKind::Timestamp: return Value::timestamp(k.ints[j]);
    case TypeKind::Duration: return Value::duration(k.ints[j]);
    default: return Value::integer(k.ints[j]);
  }
}

}  // namespace

GroupTable::GroupTable(std::vector<TypeKind> key_kinds) : kinds_(std::move(key_kinds)) {
  if (kinds_.empty()) {
    shape_ = Shape::None;
  } else if (kinds_.size() > 1 || kinds_[0] == TypeKind::Null) {
    shape_ = Shape::Bytes;
  } else {
    shape_ = kinds_[0] == TypeKind::String ? Shape::String : Shape::Scalar;
  }
  keeps_keys_ = shape_ == Shape::String ||
                (shape_ == Shape::Bytes && std::find(kinds_.begin(), kinds_.end(), TypeKind::Float) == kinds_.end());
}

void GroupTable::key_of(uint32_t slot, std::vector<Value>& out) const {
  out.resize(kinds_.size());
  if (shape_ == Shape::String) {
    out[0] = slot == null_slot_ ? Value::null() : Value::string(std::string(bytes_.key(slot)));
    return;
  }
  // bytes_of's encoding, read back.
  std::string_view b = bytes_.key(slot);
  size_t p = 0;
  auto word = [&] {
    int64_t v;
    std::memcpy(&v, b.data() + p, sizeof v);
    p += sizeof v;
    return v;
  };
  for (Value& v : out) {
    auto kind = static_cast<TypeKind>(b[p++]);
    switch (kind) {
      case TypeKind::Null: v = Value::null(); break;
      case TypeKind::Bool: v = Value::boolean(b[p++] == '1'); break;
      case TypeKind::String: {
        auto n = static_cast<size_t>(word());
        v = Value::string(std::string(b.substr(p, n)));
        p += n;
        break;
      }
      case TypeKind::Timestamp: v = Value::timestamp(word()); break;
      case TypeKind::Duration: v = Value::duration(word()); break;
      default: v = Value::integer(word());
    }
  }
}

// Several keys as one byte string, straight from the columns: per key its kind (Null for a
// null), then its canonical 64 bits, its bool byte, or its length and bytes. Only this table
// reads it, so it need not be group_keys.h's encoding; it must only be one-to-one.
const std::string& GroupTable::bytes_of(const std::vector<ValueColumn>& keys, size_t j) {
  scratch_.clear();
  for (const ValueColumn& k : keys) {
    bool present = k.kind != TypeKind::Null && k.valid[j];
    scratch_ += static_cast<char>(present ? k.kind : TypeKind::Null);
    if (!present) continue;
    switch (k.kind) {
      case TypeKind::String: {
        uint64_t n = static_cast<uint64_t>(k.strings[j].size);
        scratch_.append(reinterpret_cast<const char*>(&n), sizeof n);
        scratch_.append(k.strings[j].data, n);
        break;
      }
      case TypeKind::Bool: scratch_ += k.ints[j] != 0 ? '1' : '0'; break;
      default: {
        int64_t bits = scalar_of(k, j);
        scratch_.append(reinterpret_cast<const char*>(&bits), sizeof bits);
      }
    }
  }
  return scratch_;
}

uint32_t GroupTable::find_other(const std::vector<ValueColumn>& keys, size_t j) {
  switch (shape_) {
    case Shape::None: return null_slot_;
    case Shape::Scalar: {
      if (!keys[0].valid[j]) return null_slot_;
      return scalars_.find(scalar_of(keys[0], j));
    }
    case Shape::String: {
      if (!keys[0].valid[j]) return null_slot_;
      std::string_view key = string_at(keys[0], j);
      return bytes_.find(key, BytesSlotMap::hash_of(key));
    }
    case Shape::Bytes: {
      const std::string& key = bytes_of(keys, j);
      return bytes_.find(key, BytesSlotMap::hash_of(key));
    }
  }
  return kNone;
}

void GroupTable::insert(const std::vector<ValueColumn>& keys, size_t j, uint32_t slot) {
  switch (shape_) {
    case Shape::None: null_slot_ = slot; return;
    case Shape::Scalar:
      if (!keys[0].valid[j]) {
        null_slot_ = slot;
      } else {
        scalars_.insert(scalar_of(keys[0], j), slot);
      }
      return;
    case Shape::String:
      if (!keys[0].valid[j]) {
        null_slot_ = slot;
      } else {
        std::string_view key = string_at(keys[0], j);
        bytes_.insert(key, BytesSlotMap::hash_of(key), slot);
      }
      return;
    case Shape::Bytes: {
      const std::string& key = bytes_of(keys, j);
      bytes_.insert(key, BytesSlotMap::hash_of(key), slot);
      return;
    }
  }
}

void GroupTable::erase(uint32_t slot) {
  if (slot == null_slot_) {
    null_slot_ = kNone;
    return;
  }
  switch (shape_) {
    case Shape::None: return;
    case Shape::Scalar: scalars_.erase_slot(slot); return;
    case Shape::String:
    case Shape::Bytes: bytes_.erase_slot(slot); return;
  }
}

void GroupTable::key_values(const std::vector<ValueColumn>& keys, size_t j, std::vector<Value>& out) {
  out.resize(keys.size());
  for (size_t c = 0; c < keys.size(); ++c) out[c] = value_at(keys[c], j);
}

}  // namespace alert
