// The C-ABI view of one column that generated kernels read: Arrow-compatible buffers.
// values: int64_t / double / bit-packed bools (as Arrow) / int32 offsets for strings;
// validity: Arrow bitmap (bit i set = row i not null), or null when no value is null.
#pragma once

#include <cstdint>

namespace alert {

struct ColumnView {
  const void* values;
  const uint64_t* validity;
  const char* string_data;  // strings: bytes; values holds rows+1 int32 offsets
};

}  // namespace alert
