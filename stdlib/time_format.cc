#include "stdlib/time_format.h"

#include <fmt/format.h>

namespace alert {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool mul_add(int64_t a, int64_t b, int64_t c, int64_t* out) {
  int64_t m;
  if (__builtin_mul_overflow(a, b, &m)) return false;
  return !__builtin_add_overflow(m, c, out);
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

std::optional<int64_t> parse_rfc3339(std::string_view s, bool allow_space) {
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, &month) ||
      s[7] != '-' || !digits(s, 8, 2, &day) ||
      !(s[10] == 'T' || s[10] == 't' || (allow_space && s[10] == ' ')) ||
      !digits(s, 11, 2, &hour) || s[13] != ':' || !digits(s, 14, 2, &minute) || s[16] != ':' ||
      !digits(s, 17, 2, &second)) {
    return std::nullopt;
  }
  static const int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1] ||
      (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 9) {
        frac += (s[pos] - '0') * scale;
        scale /= 10;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  int64_t days = days_from_civil(year, month, day);
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  int64_t ns;
  if (!mul_add(secs, kNanosPerSecond, frac, &ns)) return std::nullopt;
  return ns;
}

std::string format_rfc3339(int64_t ns) {
  int64_t secs = floor_div(ns, kNanosPerSecond);
  // Floor modulo without secs * 1e9, which overflows for the earliest timestamps.
  int64_t frac = ns % kNanosPerSecond;
  if (frac < 0) frac += kNanosPerSecond;
  int64_t days = floor_div(secs, 86400);
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, rem / 3600,
                                (rem / 60) % 60, rem % 60);
  if (frac != 0) {
    std::string f = fmt::format("{:09}", frac);
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  out += "Z";
  return out;
}

std::optional<int64_t> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t start = pos;
    int64_t n = 0;
    while (pos < s.size() && ((s[pos] >= '0' && s[pos] <= '9') || s[pos] == '_')) {
      if (s[pos] != '_' && !mul_add(n, 10, s[pos] - '0', &n)) return std::nullopt;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    int64_t unit;
    if (s.substr(pos, 2) == "ms") {
      unit = 1'000'000;
      pos += 2;
    } else if (pos < s.size() && s[pos] == 's') {
      unit = kNanosPerSecond;
      ++pos;
    } else if (pos < s.size() && s[pos] == 'm') {
      unit = 60 * kNanosPerSecond;
      ++pos;
    } else if (pos < s.size() && s[pos] == 'h') {
      unit = 3600 * kNanosPerSecond;
      ++pos;
    } else if (pos < s.size() && s[pos] == 'd') {
      unit = 86400 * kNanosPerSecond;
      ++pos;
    } else {
      return std::nullopt;
    }
    if (!mul_add(n, unit, total, &total)) return std::nullopt;
  }
  return total;
}

std::string format_duration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string out;
  uint64_t v;
  if (ns < 0) {
    out = "-";
    v = static_cast<uint64_t>(-(ns + 1)) + 1;
  } else {
    v = static_cast<uint64_t>(ns);
  }
  struct Unit {
    uint64_t ns;
    const char* name;
  };
  static const Unit kUnits[] = {{86400ull * 1'000'000'000, "d"}, {3600ull * 1'000'000'000, "h"},
                                {60ull * 1'000'000'000, "m"},    {1'000'000'000, "s"},
                                {1'000'000, "ms"},               {1'000, "us"},
                                {1, "ns"}};
  for (const Unit& u : kUnits) {
    if (v >= u.ns) {
      out += fmt::format("{}{}", v / u.ns, u.name);
      v %= u.ns;
    }
  }
  return out;
}

}  // namespace alert
