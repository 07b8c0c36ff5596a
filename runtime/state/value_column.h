// A typed view of one column of a window rule's values (group keys and aggregate arguments) for
// the prepared rows of a batch: a byte per row (1 = not null) and the values as int64 (int,
// timestamp, duration, bool as 0/1), double or AlertString. Read by the group table and the
// aggregate columns alike.
#pragma once

#include <cstdint>

#include "alert/value.h"
#include "abi/kernel_abi.h"

namespace alert {

struct ValueColumn {
  TypeKind kind = TypeKind::Null;
  const uint8_t* valid = nullptr;
  const int64_t* ints = nullptr;
  const double* floats = nullptr;
  const AlertString* strings = nullptr;
};

}  // namespace alert
