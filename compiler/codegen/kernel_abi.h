// The C ABI between generated kernels and the runtime. Plain structs only: the runtime fills
// them from a Batch (or a host's Arrow arrays) without knowing anything about LLVM, and the code
// generator mirrors their layout in IR. Changing a field here means changing kernel_codegen.cc.
#pragma once

#include <cstdint>

extern "C" {

// One column of a batch, Arrow layout: validity bit i set = row i is not null; values are int64
// (int, timestamp, duration), double (float) or bit-packed bools; strings are int32 offsets
// (rows + 1 of them) into `bytes`.
struct AlertColumnView {
  const uint64_t* validity;
  const void* values;
  const int32_t* offsets;
  const char* bytes;
};

// A string produced inside a kernel (lower, concat, string(x), ...): bytes live in the kernel
// state's arena until the next batch.
struct AlertString {
  const char* data;
  int64_t size;
};

// Per-call state: event counters the kernel adds to (LANGUAGE.md §4: division by zero and
// overflow give null and are counted) and the arena string helpers allocate from.
struct AlertKernelState {
  uint64_t division_by_zero;
  uint64_t overflow;
  void* arena;  // alert::StringArena*
};

// The fused row filter of one schema: for each of the schema's filtered rules r (in plan order),
// out[r][i] = 1 when the rule's `where` is true for row i, else 0.
typedef void (*AlertRowFilterFn)(const AlertColumnView* columns, int64_t rows, uint8_t* const* out,
                                 AlertKernelState* state);
}
