// libFuzzer target: template formatting and the text forms of values. Any spec on any value
// formats or refuses, never crashes; timestamps and durations read back from their own text.
#include <cstdint>
#include <cstring>
#include <string>

#include "alert/value.h"
#include "stdlib/scalar_ops.h"
#include "stdlib/time_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9 || size > 4096) return -1;
  int64_t bits;
  std::memcpy(&bits, data + 1, 8);
  std::string_view rest(reinterpret_cast<const char*>(data + 9), size - 9);
  size_t cut = rest.find('\0');
  std::string_view spec = rest.substr(0, cut), text = cut == std::string_view::npos ? "" : rest.substr(cut + 1);
  double f;
  std::memcpy(&f, &bits, 8);
  alert::Value values[] = {alert::Value::integer(bits), alert::Value::floating(f), alert::Value::boolean(bits & 1),
                           alert::Value::string(std::string(text)), alert::Value::timestamp(bits),
                           alert::Value::duration(bits), alert::Value::null()};
  alert::Value& v = values[data[0] % 7];
  std::string out;
  (void)alert::format_with_spec(v, spec, &out);
  (void)alert::value_to_text(v);
  // Text forms read back to the same instant and length.
  if (auto ns = alert::parse_rfc3339(text, true)) {
    if (alert::parse_rfc3339(alert::format_rfc3339(*ns)) != ns) __builtin_trap();
  }
  if (auto ns = alert::parse_duration(text)) {
    if (alert::parse_duration(alert::format_duration(*ns)) != ns) __builtin_trap();
  }
  int64_t i;
  double d;
  (void)alert::parse_int64(text, &i);
  (void)alert::parse_double(text, &d);
  (void)alert::utf8_length(text);
  (void)alert::utf8_substr(text, bits % 16, (bits >> 8) % 16);
  return 0;
}
