// A column built value by value, laid out as kernels read it (kernel_abi.h AlertColumnView:
// validity bits, int64/double values, bit-packed bools, strings as int32 offsets + padded
// bytes). The typed window state builds one per input of a close function, a row per group.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "alert/value.h"
#include "abi/kernel_abi.h"

namespace alert {

class ColumnBuilder {
 public:
  void reset(TypeKind kind) {
    kind_ = kind;
    rows_ = 0;
    validity_.clear();
    ints_.clear();
    floats_.clear();
    bools_.clear();
    offsets_.assign(1, 0);
    bytes_.clear();
  }
  // A null keeps every layout's row count in step: an int and a float slot, an empty string.
  void push_null() {
    push_bits(false, false);
    ints_.push_back(0);
    floats_.push_back(0);
    offsets_.push_back(offsets_.back());
  }
  void push_int(int64_t v) { push_bits(true, false); ints_.push_back(v); }
  void push_float(double v) { push_bits(true, false); floats_.push_back(v); }
  void push_bool(bool v) { push_bits(true, v); }
  void push_string(std::string_view v) {
    push_bits(true, false);
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    offsets_.push_back(static_cast<int32_t>(bytes_.size()));
  }
  // A value of the column's kind (or null).
  void push(const Value& v) {
    if (v.is_null()) return push_null();
    switch (kind_) {
      case TypeKind::Float: return push_float(v.kind == TypeKind::Float ? v.f : static_cast<double>(v.i));
      case TypeKind::Bool: return push_bool(v.b);
      case TypeKind::String: return push_string(v.s);
      default: return push_int(v.i);
    }
  }
  AlertColumnView view() {
    bytes_.resize(bytes_.size() + ALERT_STRING_PADDING, '\0');  // kernels read whole words
    const void* values = kind_ == TypeKind::Float ? static_cast<const void*>(floats_.data())
                         : kind_ == TypeKind::Bool ? static_cast<const void*>(bools_.data())
                                                   : static_cast<const void*>(ints_.data());
    return AlertColumnView{validity_.data(), values, offsets_.data(), bytes_.data()};
  }

 private:
  void push_bits(bool valid, bool value) {
    if (rows_ % 64 == 0) {
      validity_.push_back(0);
      bools_.push_back(0);
    }
    if (valid) validity_.back() |= uint64_t{1} << (rows_ % 64);
    if (value) bools_.back() |= uint64_t{1} << (rows_ % 64);
    ++rows_;
  }

  TypeKind kind_ = TypeKind::Null;
  size_t rows_ = 0;
  std::vector<uint64_t> validity_;
  std::vector<int64_t> ints_;
  std::vector<double> floats_;
  std::vector<uint64_t> bools_;
  std::vector<int32_t> offsets_;
  std::vector<char> bytes_;
};

}  // namespace alert
