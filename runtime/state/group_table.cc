#include "runtime/state/group_table.h"

#include <absl/strings/string_view.h>

#include "runtime/engine/group_keys.h"

namespace alert {
namespace {

Value value_at(const ValueColumn& k, size_t j) {
  if (k.kind == TypeKind::Null || !k.valid[j]) return Value::null();
  switch (k.kind) {
    case TypeKind::Bool: return Value::boolean(k.ints[j] != 0);
    case TypeKind::Float: return Value::floating(k.floats[j]);
    case TypeKind::String: return Value::string(std::string(k.strings[j].data, static_cast<size_t>(k.strings[j].size)));
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
}

int64_t GroupTable::scalar_of(const Value& v) const {
  if (v.kind == TypeKind::Float) return canonical_double_bits(v.f);
  return v.kind == TypeKind::Bool ? int64_t{v.b} : v.i;
}

const std::string& GroupTable::bytes_of(const std::vector<ValueColumn>& keys, size_t j) {
  scratch_.clear();
  for (const ValueColumn& k : keys) append_key(scratch_, value_at(k, j));
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
      // absl's own string_view: Debian's abseil is built without std::string_view aliasing.
      auto it = strings_.find(absl::string_view(keys[0].strings[j].data, static_cast<size_t>(keys[0].strings[j].size)));
      return it == strings_.end() ? kNone : it->second;
    }
    case Shape::Bytes: {
      auto it = strings_.find(bytes_of(keys, j));
      return it == strings_.end() ? kNone : it->second;
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
        strings_.emplace(std::string(keys[0].strings[j].data, static_cast<size_t>(keys[0].strings[j].size)), slot);
      }
      return;
    case Shape::Bytes: strings_.emplace(bytes_of(keys, j), slot); return;
  }
}

void GroupTable::erase(uint32_t slot, const std::vector<Value>& key) {
  if (slot == null_slot_) {
    null_slot_ = kNone;
    return;
  }
  switch (shape_) {
    case Shape::None: return;
    case Shape::Scalar: scalars_.erase_slot(slot); return;
    case Shape::String: strings_.erase(key[0].s); return;
    case Shape::Bytes: {
      scratch_.clear();
      for (const Value& v : key) append_key(scratch_, v);
      strings_.erase(scratch_);
      return;
    }
  }
}

void GroupTable::key_values(const std::vector<ValueColumn>& keys, size_t j, std::vector<Value>& out) {
  out.resize(keys.size());
  for (size_t c = 0; c < keys.size(); ++c) out[c] = value_at(keys[c], j);
}

}  // namespace alert
