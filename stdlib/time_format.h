// Text forms of timestamps and durations shared by the compiler (literals), the readers (CSV,
// JSON Lines) and alert rendering: RFC 3339 and the language's `1h30m` durations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace alert {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// RFC 3339 with a 'T' (or, when allow_space, a ' ') between date and time, optional fraction
// (up to nanoseconds), and 'Z' or a ±HH:MM offset. Returns ns since the Unix epoch, UTC.
std::optional<int64_t> parse_rfc3339(std::string_view text, bool allow_space = false);
// "2026-01-01T10:00:00Z", with ".250" etc. only when there are sub-second digits.
std::string format_rfc3339(int64_t ns);

// "250ms", "90s", "1h30m" -> ns. Null on bad syntax or overflow.
std::optional<int64_t> parse_duration(std::string_view text);
// The inverse: "1h30m", "250ms", "0s", "-5m"; units d h m s ms, then us/ns for odd remainders.
std::string format_duration(int64_t ns);

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d);

// Floor division, the right one for negative timestamps.
inline int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace alert
