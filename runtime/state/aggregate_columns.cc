#include "runtime/state/aggregate_columns.h"

#include <cassert>
#include <algorithm>
#include <bit>
#include <cmath>

#include <absl/strings/string_view.h>

#include "runtime/engine/group_keys.h"

namespace alert {
namespace {

Value int_value(TypeKind kind, int64_t v) {
  switch (kind) {
    case TypeKind::Timestamp: return Value::timestamp(v);
    case TypeKind::Duration: return Value::duration(v);
    case TypeKind::Bool: return Value::boolean(v != 0);
    default: return Value::integer(v);
  }
}

}  // namespace

uint64_t distinct_bits(TypeKind kind, int64_t i, double f) {
  if (kind == TypeKind::Int || kind == TypeKind::Float) {
    return static_cast<uint64_t>(canonical_double_bits(kind == TypeKind::Int ? static_cast<double>(i) : f));
  }
  return static_cast<uint64_t>(i);
}

void AggregateColumns::size_arrays(Arrays& a, const AggregateSpec& spec, size_t n) {
  a.count.resize(n, 0);
  switch (spec.op) {
    case AggregateOp::CountRows:
    case AggregateOp::CountValues: break;
    case AggregateOp::SumInt:
      a.i.resize(n, 0);
      a.overflow.resize(n, 0);
      break;
    case AggregateOp::SumFloat: a.f.resize(n, 0); break;
    case AggregateOp::Avg:  // m2 holds the scaled sum (plan::mean_of_sums)
    case AggregateOp::Stddev:
      a.f.resize(n, 0);
      a.m2.resize(n, 0);
      break;
    case AggregateOp::MinMaxInt: a.i.resize(n, 0); break;
    case AggregateOp::MinMaxFloat: a.f.resize(n, 0); break;
    case AggregateOp::MinMaxString: a.s.resize(n); break;
    case AggregateOp::FirstLastInt:
    case AggregateOp::FirstLastFloat:
    case AggregateOp::FirstLastString:
      if (spec.op == AggregateOp::FirstLastInt) a.i.resize(n, 0);
      if (spec.op == AggregateOp::FirstLastFloat) a.f.resize(n, 0);
      if (spec.op == AggregateOp::FirstLastString) a.s.resize(n);
      a.held_time.resize(n, 0);
      a.held_seq.resize(n, 0);
      break;
    case AggregateOp::DistinctBits: a.distinct_bits.resize(n); break;
    case AggregateOp::DistinctString: a.distinct_strings.resize(n); break;
  }
}

void AggregateColumns::init(const std::vector<AggregateSpec>& specs, size_t capacity) {
  specs_ = &specs;
  arrays_.assign(specs.size(), Arrays{});
  grow(capacity);
}

void AggregateColumns::grow(size_t capacity) {
  for (size_t a = 0; a < arrays_.size(); ++a) size_arrays(arrays_[a], (*specs_)[a], capacity);
}

void AggregateColumns::reset(uint32_t slot) {
  for (Arrays& a : arrays_) {
    a.count[slot] = 0;
    if (!a.i.empty()) a.i[slot] = 0;
    if (!a.overflow.empty()) a.overflow[slot] = 0;
    if (!a.f.empty()) a.f[slot] = 0;
    if (!a.m2.empty()) a.m2[slot] = 0;
    if (!a.s.empty()) a.s[slot].clear();
    if (!a.held_time.empty()) a.held_time[slot] = 0;
    if (!a.held_seq.empty()) a.held_seq[slot] = 0;
    if (!a.distinct_bits.empty()) a.distinct_bits[slot].clear();
    if (!a.distinct_strings.empty()) a.distinct_strings[slot].clear();
  }
}

void AggregateColumns::export_arrays(void** out) {
  for (Arrays& a : arrays_) {
    *out++ = a.count.data();
    *out++ = a.i.data();
    *out++ = a.f.data();
    *out++ = a.overflow.data();
    *out++ = a.m2.data();
    *out++ = a.held_time.data();
    *out++ = a.held_seq.data();
  }
}

void AggregateColumns::add_one(size_t n, uint32_t slot, size_t j, const ValueColumn& arg, const int64_t* times,
                               const uint32_t* rows, uint64_t seq_base) {
  const AggregateSpec& spec = (*specs_)[n];
  Arrays& a = arrays_[n];
  int64_t* count = a.count.data();
  if (spec.arg_kind == TypeKind::Null) return;  // a null-typed argument: no value ever counts
  // Calls f(slot, j, count after this row) when the argument is not null.
  auto each = [&](auto&& f) {
    if (arg.valid[j]) f(slot, j, ++count[slot]);
  };
  switch (spec.op) {
    case AggregateOp::MinMaxString:
      each([&](uint32_t s, size_t j, int64_t c) {
        std::string_view v(arg.strings[j].data, static_cast<size_t>(arg.strings[j].size));
        std::string& held = a.s[s];
        if (c == 1 || (spec.is_max ? v.compare(held) > 0 : v.compare(held) < 0)) held.assign(v);
      });
      break;
    case AggregateOp::FirstLastString:
      each([&](uint32_t s, size_t j, int64_t c) {
        int64_t t = times[j], ht = a.held_time[s];
        uint64_t seq = seq_base + rows[j], hs = a.held_seq[s];
        bool take = c == 1 || (spec.is_last ? (t > ht || (t == ht && seq >= hs)) : (t < ht || (t == ht && seq < hs)));
        if (!take) return;
        a.held_time[s] = t;
        a.held_seq[s] = seq;
        a.s[s].assign(arg.strings[j].data, static_cast<size_t>(arg.strings[j].size));
      });
      break;
    case AggregateOp::DistinctBits:
      each([&](uint32_t s, size_t j, int64_t) {
        a.distinct_bits[s].insert(distinct_bits(spec.arg_kind, arg.ints ? arg.ints[j] : 0, arg.floats ? arg.floats[j] : 0));
      });
      break;
    case AggregateOp::DistinctString:
      each([&](uint32_t s, size_t j, int64_t) {
        absl::string_view v(arg.strings[j].data, static_cast<size_t>(arg.strings[j].size));
        auto& set = a.distinct_strings[s];
        if (!set.contains(v)) set.emplace(v);
      });
      break;
    default:
      // Numeric aggregates are updated by the rule's generated update function (window_kernel_
      // codegen.cc), never here: plan::updated_inline draws the line for both sides.
      assert(!"an inline aggregate reached the runtime's update");
      break;
  }
}

Value AggregateColumns::value(size_t n, uint32_t slot, ArithmeticEvents* events) const {
  const AggregateSpec& spec = (*specs_)[n];
  const Arrays& a = arrays_[n];
  int64_t count = a.count[slot];
  switch (spec.op) {
    case AggregateOp::CountRows:
    case AggregateOp::CountValues: return Value::integer(count);
    case AggregateOp::DistinctBits: return Value::integer(static_cast<int64_t>(a.distinct_bits[slot].size()));
    case AggregateOp::DistinctString: return Value::integer(static_cast<int64_t>(a.distinct_strings[slot].size()));
    case AggregateOp::SumInt:
      if (a.overflow[slot]) {
        if (events) ++events->overflow;
        return Value::null();
      }
      return int_value(spec.result_kind, a.i[slot]);
    case AggregateOp::SumFloat: return Value::floating(a.f[slot]);
    case AggregateOp::Avg:
      return count == 0 ? Value::null() : Value::floating(plan::mean_of_sums(a.f[slot], a.m2[slot], count));
    case AggregateOp::Stddev:
      return count < 2 ? Value::null() : Value::floating(std::sqrt(a.m2[slot] / static_cast<double>(count - 1)));
    case AggregateOp::MinMaxInt:
    case AggregateOp::FirstLastInt: return count == 0 ? Value::null() : int_value(spec.result_kind, a.i[slot]);
    case AggregateOp::MinMaxFloat:
    case AggregateOp::FirstLastFloat: return count == 0 ? Value::null() : Value::floating(a.f[slot]);
    case AggregateOp::MinMaxString:
    case AggregateOp::FirstLastString: return count == 0 ? Value::null() : Value::string(a.s[slot]);
  }
  return Value::null();
}

void AggregateColumns::append(size_t n, uint32_t slot, ColumnBuilder& column, ArithmeticEvents* events) const {
  const AggregateSpec& spec = (*specs_)[n];
  const Arrays& a = arrays_[n];
  int64_t count = a.count[slot];
  switch (spec.op) {
    case AggregateOp::CountRows:
    case AggregateOp::CountValues: return column.push_int(count);
    case AggregateOp::SumFloat: return column.push_float(a.f[slot]);
    case AggregateOp::Avg:
      return count == 0 ? column.push_null() : column.push_float(plan::mean_of_sums(a.f[slot], a.m2[slot], count));
    case AggregateOp::MinMaxInt:
    case AggregateOp::FirstLastInt:
      if (count == 0) return column.push_null();
      return spec.result_kind == TypeKind::Bool ? column.push_bool(a.i[slot] != 0) : column.push_int(a.i[slot]);
    case AggregateOp::MinMaxFloat:
    case AggregateOp::FirstLastFloat: return count == 0 ? column.push_null() : column.push_float(a.f[slot]);
    case AggregateOp::MinMaxString:
    case AggregateOp::FirstLastString: return count == 0 ? column.push_null() : column.push_string(a.s[slot]);
    default: return column.push(value(n, slot, events));
  }
}

Value empty_aggregate(const AggregateSpec& spec) {
  switch (spec.op) {
    case AggregateOp::CountRows:
    case AggregateOp::CountValues:
    case AggregateOp::DistinctBits:
    case AggregateOp::DistinctString: return Value::integer(0);
    case AggregateOp::SumInt: return int_value(spec.result_kind, 0);
    case AggregateOp::SumFloat: return Value::floating(0);
    default: return Value::null();
  }
}

void append_empty_aggregate(const AggregateSpec& spec, ColumnBuilder& column) { column.push(empty_aggregate(spec)); }

}  // namespace alert

namespace alert {
namespace {

Value held_value(TypeKind kind, int64_t i, double f, const std::string& s) {
  switch (kind) {
    case TypeKind::Float: return Value::floating(f);
    case TypeKind::String: return Value::string(s);
    default: return int_value(kind, i);
  }
}

// count_distinct's bits as the value the reference engine keys (numbers as floats).
Value distinct_value(TypeKind kind, uint64_t bits) {
  switch (kind) {
    case TypeKind::Int:
    case TypeKind::Float: return Value::floating(std::bit_cast<double>(bits));
    default: return int_value(kind, static_cast<int64_t>(bits));
  }
}

uint64_t bits_of_distinct(TypeKind kind, const Value& v) {
  if (kind == TypeKind::Int || kind == TypeKind::Float) {
    double d = v.kind == TypeKind::Float ? v.f : static_cast<double>(v.i);
    return static_cast<uint64_t>(canonical_double_bits(d));
  }
  return v.kind == TypeKind::Bool ? (v.b ? 1u : 0u) : static_cast<uint64_t>(v.i);
}


}  // namespace

state::AggregateSnapshot AggregateColumns::snapshot(size_t n, uint32_t slot) const {
  const AggregateSpec& spec = (*specs_)[n];
  const Arrays& a = arrays_[n];
  state::AggregateSnapshot out;
  out.count = a.count[slot];
  switch (spec.op) {
    case AggregateOp::CountRows:
    case AggregateOp::CountValues: break;
    case AggregateOp::SumInt:
      out.i = a.i[slot];
      out.overflow = a.overflow[slot] != 0;
      break;
    case AggregateOp::SumFloat: out.f = a.f[slot]; break;
    case AggregateOp::Avg:
    case AggregateOp::Stddev:
      out.f = a.f[slot];
      out.m2 = a.m2[slot];
      break;
    case AggregateOp::MinMaxInt:
    case AggregateOp::MinMaxFloat:
    case AggregateOp::MinMaxString:
    case AggregateOp::FirstLastInt:
    case AggregateOp::FirstLastFloat:
    case AggregateOp::FirstLastString: {
      bool is_first_last = spec.op == AggregateOp::FirstLastInt || spec.op == AggregateOp::FirstLastFloat ||
                           spec.op == AggregateOp::FirstLastString;
      if (out.count > 0) {
        out.held = held_value(spec.arg_kind, a.i.empty() ? 0 : a.i[slot], a.f.empty() ? 0 : a.f[slot],
                              a.s.empty() ? std::string() : a.s[slot]);
      }
      if (is_first_last) {
        out.held_time = a.held_time[slot];
        out.held_seq = a.held_seq[slot];
      }
      break;
    }
    case AggregateOp::DistinctBits:
      for (uint64_t bits : a.distinct_bits[slot]) out.distinct.push_back(distinct_value(spec.arg_kind, bits));
      state::sort_distinct(out.distinct);
      break;
    case AggregateOp::DistinctString:
      for (const std::string& s : a.distinct_strings[slot]) out.distinct.push_back(Value::string(s));
      state::sort_distinct(out.distinct);
      break;
  }
  return out;
}

void AggregateColumns::restore(size_t n, uint32_t slot, const state::AggregateSnapshot& in) {
  const AggregateSpec& spec = (*specs_)[n];
  Arrays& a = arrays_[n];
  a.count[slot] = in.count;
  switch (spec.op) {
    case AggregateOp::CountRows:
    case AggregateOp::CountValues: break;
    case AggregateOp::SumInt:
      a.i[slot] = in.i;
      a.overflow[slot] = in.overflow ? 1 : 0;
      break;
    case AggregateOp::SumFloat: a.f[slot] = in.f; break;
    case AggregateOp::Avg:
    case AggregateOp::Stddev:
      a.f[slot] = in.f;
      a.m2[slot] = in.m2;
      break;
    case AggregateOp::DistinctBits:
      for (const Value& v : in.distinct) a.distinct_bits[slot].insert(bits_of_distinct(spec.arg_kind, v));
      break;
    case AggregateOp::DistinctString:
      for (const Value& v : in.distinct) a.distinct_strings[slot].insert(v.s);
      break;
    default: {  // min, max, first, last
      const Value& held = in.held;
      if (!a.i.empty()) a.i[slot] = held.kind == TypeKind::Bool ? (held.b ? 1 : 0) : held.i;
      if (!a.f.empty()) a.f[slot] = held.kind == TypeKind::Float ? held.f : static_cast<double>(held.i);
      if (!a.s.empty()) a.s[slot] = held.s;
      if (!a.held_time.empty()) a.held_time[slot] = in.held_time;
      if (!a.held_seq.empty()) a.held_seq[slot] = in.held_seq;
    }
  }
}

}  // namespace alert
