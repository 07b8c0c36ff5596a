// A columnar batch of rows of one schema, with Arrow-compatible buffers: a validity bitmap per
// column (bit set = not null), int64/double values, bit-packed bools, and strings as int32
// offsets into one byte buffer. Readers fill it; the engine and generated kernels read it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alert/value.h"

namespace alert {

// String bytes stay readable this far past their end: generated code compares strings with
// constants a word at a time (abi/kernel_abi.h, ALERT_STRING_PADDING).
constexpr size_t kStringPadding = 16;

struct Column {
  TypeKind kind = TypeKind::Null;
  std::vector<uint64_t> validity;  // bit i = row i is not null
  std::vector<int64_t> ints;       // Int, Timestamp, Duration
  std::vector<double> floats;      // Float
  std::vector<uint64_t> bools;     // Bool, bit-packed
  std::vector<int32_t> offsets{0}; // String: rows+1 offsets
  std::string bytes;               // String data

  // Appends one string's bytes, keeping kStringPadding spare bytes allocated after them.
  void append_bytes(std::string_view s) {
    if (bytes.capacity() < bytes.size() + s.size() + kStringPadding) {
      bytes.reserve(2 * (bytes.size() + s.size() + kStringPadding));
    }
    bytes.append(s);
  }

  bool is_null(size_t row) const { return !((validity[row >> 6] >> (row & 63)) & 1); }
  bool bool_at(size_t row) const { return (bools[row >> 6] >> (row & 63)) & 1; }
  std::string_view string_at(size_t row) const {
    return std::string_view(bytes).substr(offsets[row], offsets[row + 1] - offsets[row]);
  }
};

struct Batch {
  int schema = -1;
  size_t rows = 0;
  std::vector<Column> columns;
  std::vector<uint64_t> line_numbers;  // input line of each row (may be empty: rows count from 1)
  std::string source;                  // the input's name: with the line, a row's identity

  // The input line of `row`: its recorded line number, or its position in the batch from 1.
  uint64_t line_of(size_t row) const { return row < line_numbers.size() ? line_numbers[row] : row + 1; }

  // Starts an empty batch for the given field kinds.
  void reset(int schema_index, const std::vector<TypeKind>& kinds);
  // Appends one row; `values` holds one Value per column (already of the column's kind or null).
  void append(const std::vector<Value>& values, uint64_t line);
  Value value_at(size_t column, size_t row) const;
  // Rows [begin, end) as a batch of their own (copied), with their lines and source.
  Batch slice(size_t begin, size_t end) const;
};

}  // namespace alert
