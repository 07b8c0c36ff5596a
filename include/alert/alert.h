// An alert as the engine produces it and notifiers deliver it (docs/language.md §8).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert/value.h"

namespace alert {

struct Alert {
  std::string rule;
  std::string state;     // "firing" or "resolved"
  std::string severity;  // info, warning, critical
  std::optional<int64_t> time;  // event time, ns
  std::vector<std::pair<std::string, std::string>> labels;
  std::string message;
  std::vector<std::pair<std::string, Value>> group;
  std::vector<std::pair<std::string, Value>> values;
  std::optional<std::pair<int64_t, int64_t>> window;
  std::string fingerprint;
  int64_t suppressed = 0;
  // What makes this alert one of its kind for the idempotency key (docs/language.md §12): a
  // row rule's input and line ("orders.csv:42"); empty for a window rule, whose group, window
  // and transition are in the fields above.
  std::string origin;
  std::vector<int> channels;  // plan channel indexes to deliver to
};

// One JSON object, no trailing newline.
std::string alert_to_json(const Alert& alert);
// `text` as a JSON string literal, quotes included, escaped as alert JSON escapes it.
std::string json_quote(std::string_view text);

}  // namespace alert
