// The state of an Engine as one value both engines write and read (docs/language.md §12): the
// event clock and groups of every window rule, each group's open windows with their running
// aggregates, history, `for` count and firing state, and the throttle tables. The reference
// engine and the JIT engine keep this state in different shapes (values per group; typed
// arrays per slot) and convert to and from this one, so a checkpoint taken by one restores in
// the other. encode/decode give it a versioned, checksummed byte form.
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

struct EngineSnapshot {
  uint64_t program = 0;             // hash of the schemas: a checkpoint of another program is refused
  std::vector<uint64_t> rows_seen;  // per schema (first/last break ties by input order)
  std::vector<RuleSnapshot> rules;
};

// "ALCK", the format version, a checksum of what follows, then the snapshot.
constexpr uint32_t kSnapshotVersion = 1;
std::string encode(const EngineSnapshot& snapshot);
// A clear message for bytes that are not a snapshot of this version (truncated, damaged,
// another format).
Result<EngineSnapshot> decode(std::string_view bytes);

}  // namespace alert::state
