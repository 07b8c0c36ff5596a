// Text of one input field -> a typed value of the field's type, as both readers accept it
// (docs/language.md §9), and the row those values are gathered in before they go into a Batch. Values
// are parsed straight into typed slots (no Value, no allocation) because ingest speed bounds
// `alertc run` (docs/performance.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alert/batch.h"
#include "alert/reader.h"

namespace alert {

struct FieldSlot {
  bool null = true;
  int64_t i = 0;  // int, timestamp, duration
  double f = 0;
  bool b = false;
  std::string_view s;  // string: valid until the row is committed
};

// False with a reason when the text is not a valid value of `kind`.
bool parse_field(std::string_view text, TypeKind kind, FieldSlot* out, std::string* reason);

// One row being read: a slot per schema field, then checked and appended to a batch.
class RowBuilder {
 public:
  explicit RowBuilder(const std::vector<FieldSpec>& fields);

  void clear();
  FieldSlot& slot(size_t field) { return slots_[field]; }
  // The first non-nullable field that is null, or -1.
  int null_violation() const;
  // Appends the row with the same layout Batch::append produces.
  void commit(Batch& batch, uint64_t line) const;

 private:
  std::vector<FieldSpec> fields_;
  std::vector<FieldSlot> slots_;
};

}  // namespace alert
