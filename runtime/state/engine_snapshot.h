// The state of an Engine as one value both engines write and read (docs/language.md §12): the
// event clock and groups of every window rule, each group's open windows with their running
// aggregates, history, `for` count and firing state, and the throttle tables. The reference
// engine and the JIT engine keep this state in different shapes (values per group; typed
// arrays per slot) and convert to and from this one, so a checkpoint taken by one restores in
// the other. SnapshotWriter and SnapshotReader give it a versioned, checksummed byte form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert/result.h"
#include "alert/value.h"
#include "runtime/engine/group_keys.h"

namespace alert::state {

// One aggregate of one group in one open window. Which fields mean what follows the aggregate
// (compiler/plan/aggregate_ops.h): count (rows, or non-null values; sums need none), i and
// overflow (an int sum), f (a float sum, avg's sum, or Welford's mean), m2 (Welford's m2, or
// avg's sum scaled by 2^-64), held with its event time and input order (min, max, first, last),
// distinct (count_distinct's values, canonical: numbers as floats).
struct AggregateSnapshot {
  int64_t count = 0;
  int64_t i = 0;
  bool overflow = false;
  double f = 0, m2 = 0;
  Value held;
  int64_t held_time = 0;
  uint64_t held_seq = 0;
  std::vector<Value> distinct;
};

struct OpenWindowSnapshot {
  int64_t window = 0;  // its index k: [k * step, k * step + size)
  std::vector<AggregateSnapshot> aggregates;
};

struct GroupSnapshot {
  std::vector<Value> keys;
  int64_t last_row_time = INT64_MIN;
  int64_t first_window = 0;
  int32_t consecutive = 0;
  bool firing = false;
  bool firing_sent = false;
  std::vector<std::pair<std::string, std::string>> firing_labels;
  std::string fingerprint;
  std::vector<std::vector<Value>> history;  // per series, newest first
  std::vector<OpenWindowSnapshot> windows;  // the open windows holding its rows, oldest first
};

struct ThrottleSnapshot {
  std::string key;
  ThrottleEntry entry;
};

struct RuleSnapshot {
  std::string rule;
  uint64_t definition = 0;  // rule_definition_hash: a changed rule does not take this state
  bool is_window = false;
  bool started = false;
  int64_t watermark = INT64_MIN;
  int64_t next_close = 0;
  std::vector<GroupSnapshot> groups;  // in order of first appearance
  std::vector<ThrottleSnapshot> throttle;
};

// A throttle table as rows sorted by key (the same state saves to the same bytes), and back.
std::vector<ThrottleSnapshot> throttle_rows(const ThrottleTable& table);
void load_throttle(ThrottleTable& table, const std::vector<ThrottleSnapshot>& rows);
// count_distinct's values in one order, by their key bytes (append_key), whatever the set's.
void sort_distinct(std::vector<Value>& values);

// "ALCK", the format version, a checksum of what follows, then the snapshot.
constexpr uint32_t kSnapshotVersion = 1;

// Writes the format as it goes, so that an engine with many groups can stream them from its
// own arrays instead of building an EngineSnapshot first (a million groups are ~10M records).
// The order: program(), then per rule rule_header(), the group count and each
// group's record, then throttle() (or rule() for a whole RuleSnapshot); finish() adds the header.
class SnapshotWriter {
 public:
  void u64(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>(v | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void i64(int64_t v) { u64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }  // zigzag
  void f64(double d) {
    char bytes[sizeof d];
    __builtin_memcpy(bytes, &d, sizeof d);
    out_.append(bytes, sizeof d);
  }
  void boolean(bool b) { out_ += b ? '\1' : '\0'; }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  void value(const Value& v) {
    out_ += static_cast<char>(v.kind);
    switch (v.kind) {
      case TypeKind::Null: break;
      case TypeKind::Bool: boolean(v.b); break;
      case TypeKind::Float: f64(v.f); break;
      case TypeKind::String: str(v.s); break;
      case TypeKind::List:
        u64(v.list.size());
        for (const Value& item : v.list) value(item);
        break;
      default: i64(v.i);
    }
  }
  template <typename T, typename Fn>
  void list(const T& items, Fn&& each) {
    u64(items.size());
    for (const auto& item : items) each(item);
  }

  void program(uint64_t program, const std::vector<uint64_t>& rows_seen, size_t rules);
  void rule_header(const RuleSnapshot& rule);  // its name, definition, kind and clock
  void group(const GroupSnapshot& group);
  void aggregate(const AggregateSnapshot& aggregate);
  void throttle(const std::vector<ThrottleSnapshot>& table);
  void rule(const RuleSnapshot& rule);
  std::string finish();

 private:
  std::string out_;
};
// Reads the format back piece by piece, in SnapshotWriter's order: an engine restoring many groups
// reads them one at a time into one reused GroupSnapshot. A malformed body sets !ok() (never
// reads past its end); open() refuses a wrong header, version or checksum.
class SnapshotReader {
 public:
  static Result<SnapshotReader> open(std::string_view bytes);  // `bytes` must outlive the reader
  void program(uint64_t* program, std::vector<uint64_t>* rows_seen, size_t* rules);
  void rule_header(RuleSnapshot* rule);
  void group(GroupSnapshot* group);  // reuses *group's storage
  void aggregate(AggregateSnapshot* aggregate);
  void throttle(std::vector<ThrottleSnapshot>* table);

  SnapshotReader() = default;
  explicit SnapshotReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

  uint64_t u64() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      auto byte = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    return fail();
  }
  int64_t i64() {
    uint64_t z = u64();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  double f64() {
    if (in_.size() - pos_ < 8) return static_cast<double>(fail());
    uint64_t bits;
    __builtin_memcpy(&bits, in_.data() + pos_, sizeof bits);
    pos_ += 8;
    double d;
    __builtin_memcpy(&d, &bits, sizeof d);
    return d;
  }
  bool boolean() {
    if (pos_ >= in_.size()) return fail() != 0;
    return in_[pos_++] != 0;
  }
  std::string str() {
    uint64_t n = u64();
    if (!ok_ || n > in_.size() - pos_) {
      fail();
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  Value value(int depth = 0) {
    if (pos_ >= in_.size() || depth > 2) return fail(), Value::null();
    auto kind = static_cast<TypeKind>(in_[pos_++]);
    switch (kind) {
      case TypeKind::Null: return Value::null();
      case TypeKind::Bool: return Value::boolean(boolean());
      case TypeKind::Float: return Value::floating(f64());
      case TypeKind::String: return Value::string(str());
      case TypeKind::Int: return Value::integer(i64());
      case TypeKind::Timestamp: return Value::timestamp(i64());
      case TypeKind::Duration: return Value::duration(i64());
      case TypeKind::List: {
        Value v;
        v.kind = TypeKind::List;
        size_t n = count();
        for (size_t i = 0; i < n && ok_; ++i) v.list.push_back(value(depth + 1));
        return v;
      }
    }
    fail();
    return Value::null();
  }
  // A list's length, refused when it could not fit in what is left (each item is a byte at least).
  size_t count() {
    uint64_t n = u64();
    if (n > in_.size() - pos_) return static_cast<size_t>(fail());
    return static_cast<size_t>(n);
  }
  template <typename T, typename Fn>
  void list(std::vector<T>& items, Fn&& each) {
    size_t n = count();
    items.clear();
    for (size_t i = 0; i < n && ok_; ++i) items.push_back(each());
  }

 private:
  uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};



}  // namespace alert::state
