#include "bench/hand_written.h"

namespace alert::bench {

void hand_numeric(const double* price, const int64_t* qty, int64_t n, double x, int64_t y, uint8_t* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = (price[i] * static_cast<double>(qty[i]) > x) & (qty[i] < y);
}

void hand_strings(const int32_t* region_offsets, const char* region_bytes, const int32_t* sku_offsets,
                  const char* sku_bytes, int64_t n, uint8_t* out) {
  for (int64_t i = 0; i < n; ++i) {
    std::string_view region(region_bytes + region_offsets[i], region_offsets[i + 1] - region_offsets[i]);
    std::string_view sku(sku_bytes + sku_offsets[i], sku_offsets[i + 1] - sku_offsets[i]);
    out[i] = region == "EU" && (sku == "A1" || sku == "B22" || sku == "C333" || sku == "D4444");
  }
}

}  // namespace alert::bench
