#include "runtime/io/field_parser.h"

#include <fmt/format.h>

#include "stdlib/scalar_ops.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool parse_field(std::string_view text, TypeKind kind, FieldSlot* out, std::string* reason) {
  out->null = false;
  switch (kind) {
    case TypeKind::String: out->s = text; return true;
    case TypeKind::Int:
      if (parse_int64(text, &out->i)) return true;
      *reason = fmt::format("'{}' is not an int", text);
      return false;
    case TypeKind::Float:
      if (parse_double(text, &out->f)) return true;
      *reason = fmt::format("'{}' is not a number", text);
      return false;
    case TypeKind::Bool:
      if (text == "1" || equals_ignoring_case(text, "true")) {
        out->b = true;
        return true;
      }
      if (text == "0" || equals_ignoring_case(text, "false")) {
        out->b = false;
        return true;
      }
      *reason = fmt::format("'{}' is not a bool (true, false, 1 or 0)", text);
      return false;
    case TypeKind::Timestamp: {
      auto ns = parse_rfc3339(text, /*allow_space=*/true);
      if (!ns) {
        *reason = fmt::format("'{}' is not an RFC 3339 timestamp", text);
        return false;
      }
      out->i = *ns;
      return true;
    }
    case TypeKind::Duration: {
      auto ns = parse_duration(text);
      if (!ns) {
        *reason = fmt::format("'{}' is not a duration such as 90s or 1h30m", text);
        return false;
      }
      out->i = *ns;
      return true;
    }
    default: *reason = "unsupported field type"; return false;
  }
}

RowBuilder::RowBuilder(const std::vector<FieldSpec>& fields) : fields_(fields), slots_(fields.size()) {}

void RowBuilder::clear() {
  for (FieldSlot& s : slots_) s.null = true;
}

int RowBuilder::null_violation() const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (slots_[i].null && !fields_[i].type.nullable) return static_cast<int>(i);
  }
  return -1;
}

void RowBuilder::commit(Batch& batch, uint64_t line) const {
  size_t row = batch.rows++;
  size_t word = row >> 6;
  uint64_t bit = uint64_t{1} << (row & 63);
  for (size_t i = 0; i < slots_.size(); ++i) {
    Column& c = batch.columns[i];
    const FieldSlot& v = slots_[i];
    if (c.validity.size() <= word) c.validity.push_back(0);
    if (!v.null) c.validity[word] |= bit;
    switch (c.kind) {
      case TypeKind::Int:
      case TypeKind::Timestamp:
      case TypeKind::Duration: c.ints.push_back(v.null ? 0 : v.i); break;
      case TypeKind::Float: c.floats.push_back(v.null ? 0.0 : v.f); break;
      case TypeKind::Bool:
        if (c.bools.size() <= word) c.bools.push_back(0);
        if (!v.null && v.b) c.bools[word] |= bit;
        break;
      case TypeKind::String:
        if (!v.null) c.append_bytes(v.s);
        c.offsets.push_back(static_cast<int32_t>(c.bytes.size()));
        break;
      default: break;
    }
  }
  batch.line_numbers.push_back(line);
}

}  // namespace alert
