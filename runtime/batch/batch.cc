#include "alert/batch.h"

namespace alert {

void Batch::reset(int schema_index, const std::vector<TypeKind>& kinds) {
  schema = schema_index;
  rows = 0;
  columns.resize(kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) {
    Column& c = columns[i];
    c.kind = kinds[i];
    c.validity.clear();
    c.ints.clear();
    c.floats.clear();
    c.bools.clear();
    c.offsets.assign(1, 0);
    c.bytes.clear();
  }
  line_numbers.clear();
}

void Batch::append(const std::vector<Value>& values, uint64_t line) {
  size_t row = rows++;
  size_t word = row >> 6;
  uint64_t bit = uint64_t{1} << (row & 63);
  for (size_t i = 0; i < columns.size(); ++i) {
    Column& c = columns[i];
    const Value& v = values[i];
    if (c.validity.size() <= word) c.validity.push_back(0);
    if (!v.is_null()) c.validity[word] |= bit;
    switch (c.kind) {
      case TypeKind::Int:
      case TypeKind::Timestamp:
      case TypeKind::Duration: c.ints.push_back(v.is_null() ? 0 : v.i); break;
      case TypeKind::Float:
        c.floats.push_back(v.is_null() ? 0.0 : (v.kind == TypeKind::Int ? static_cast<double>(v.i) : v.f));
        break;
      case TypeKind::Bool:
        if (c.bools.size() <= word) c.bools.push_back(0);
        if (!v.is_null() && v.b) c.bools[word] |= bit;
        break;
      case TypeKind::String:
        if (!v.is_null()) c.append_bytes(v.s);
        c.offsets.push_back(static_cast<int32_t>(c.bytes.size()));
        break;
      default: break;
    }
  }
  line_numbers.push_back(line);
}

Value Batch::value_at(size_t column, size_t row) const {
  const Column& c = columns[column];
  if (c.is_null(row)) return Value::null();
  switch (c.kind) {
    case TypeKind::Int: return Value::integer(c.ints[row]);
    case TypeKind::Timestamp: return Value::timestamp(c.ints[row]);
    case TypeKind::Duration: return Value::duration(c.ints[row]);
    case TypeKind::Float: return Value::floating(c.floats[row]);
    case TypeKind::Bool: return Value::boolean(c.bool_at(row));
    case TypeKind::String: return Value::string(std::string(c.string_at(row)));
    default: return Value::null();
  }
}

Batch Batch::slice(size_t begin, size_t end) const {
  Batch out;
  std::vector<TypeKind> kinds;
  for (const Column& c : columns) kinds.push_back(c.kind);
  out.reset(schema, kinds);
  out.source = source;
  std::vector<Value> values(columns.size());
  for (size_t row = begin; row < end && row < rows; ++row) {
    for (size_t c = 0; c < columns.size(); ++c) values[c] = value_at(c, row);
    out.append(values, line_of(row));
  }
  return out;
}

}  // namespace alert
