// Identities the engine derives from values: group and throttle keys as bytes, alert
// fingerprints, and the throttle table. Shared by both window implementations and row rules, so
// the two engines cannot disagree on what "the same group" is.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert/value.h"

namespace alert {

// FNV-1a over `s`, from `h`: the one hash of fingerprints, idempotency keys, checkpoints and rule
// identities. Fast and stable across builds; it tells data apart, it does not resist an adversary.
constexpr uint64_t kFnvOffset = 1469598103934665603ull;
inline uint64_t fnv1a(std::string_view s, uint64_t h = kFnvOffset) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// A float as `==` and grouping see it: -0.0 is 0.0 and every NaN is one NaN; its 64 bits.
int64_t canonical_double_bits(double d);

// Appends a key part: kind tag + payload, floats canonical (canonical_double_bits).
void append_key(std::string& out, const Value& v);
// Reads back one part append_key wrote, from the front of `in` (advanced past it); false when
// `in` does not start with one.
bool read_key(std::string_view& in, Value* out);

// A stable hash of rule + group + labels (docs/language.md §8), as 16 hex digits.
std::string fingerprint_of(const std::string& rule, const std::vector<std::pair<std::string, Value>>& group,
                           const std::vector<std::pair<std::string, std::string>>& labels);

struct ThrottleEntry {
  int64_t last_sent = 0;
  int64_t suppressed = 0;
};
using ThrottleTable = absl::flat_hash_map<std::string, ThrottleEntry>;

// Decides whether a notification at `time` for `key` is sent (docs/language.md §7 throttle); returns
// the suppressed count to report with it, or -1 when this one is suppressed.
int64_t throttle_check(ThrottleTable& table, const std::string& key, std::optional<int64_t> time, int64_t interval);

}  // namespace alert
