// Hand-written C++ loops for the benchmark predicates, compiled with -O3 -march=native: the
// baseline the JIT kernels are measured against (ratios in the same run, same data).
#pragma once

#include <cstdint>
#include <string_view>

namespace alert::bench {

// (a) price * qty > x and qty < y
void hand_numeric(const double* price, const int64_t* qty, int64_t n, double x, int64_t y, uint8_t* out);
// (b) region == "EU" and sku in ["A1", "B22", "C333", "D4444"]
void hand_strings(const int32_t* region_offsets, const char* region_bytes, const int32_t* sku_offsets,
                  const char* sku_bytes, int64_t n, uint8_t* out);

}  // namespace alert::bench
