// The C ABI between generated kernels and the runtime. Plain structs only: the runtime fills
// them from a Batch (or a host's Arrow arrays) without knowing anything about LLVM, and the code
// generator (compiler/codegen) mirrors their layout in IR. This folder is its own build target,
// included by both sides and by neither's internals: changing a field here means changing the
// code generator's mirror of it (kernel_frame.cc, window_kernel_codegen.cc).
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

// Per-call state: event counters the kernel adds to (docs/language.md §4: division by zero and
// overflow give null and are counted) and the arena string helpers allocate from.
struct AlertKernelState {
  uint64_t division_by_zero;
  uint64_t overflow;
  void* arena;  // alert::StringArena*
};

// One value of a row alert (a let, a group key, a template's argument), as a rule's dispatch
// function hands it to the runtime. kind is an alert::TypeKind; strings point into the batch or
// the kernel state's arena and stay valid until the next batch.
struct AlertValue {
  int32_t kind;
  int32_t valid;
  int64_t i;  // int, timestamp, duration, bool (0/1)
  double f;
  const char* data;
  int64_t size;
};

// A rule's dispatch function: for each row i < rows whose record in `selected` (the row filter's
// output for the same rows) has the rule's bit set, in order, writes the rule's values
// (compiler/plan/alert_values.h) to out[k * count .. (k+1) * count) for the k-th such row.
typedef void (*AlertDispatchFn)(const AlertColumnView* columns, int64_t rows, const uint8_t* selected,
                                AlertValue* out, AlertKernelState* state);

// The group table a one-scalar-key window rule probes from generated code
// (runtime/state/slot_entries.h owns it): a power-of-two array of entries, index
// (key * ALERT_GROUP_HASH_MULTIPLIER) >> shift (Fibonacci hashing: the high bits of one multiply),
// then linear probing; slot ALERT_NO_SLOT marks an empty entry.
#define ALERT_GROUP_HASH_MULTIPLIER 0x9E3779B97F4A7C15ull
#define ALERT_NO_SLOT UINT32_MAX
struct AlertGroupEntry {
  uint64_t key;   // the scalar key's bits, or a longer key's hash
  uint32_t slot;  // the group; ALERT_NO_SLOT: empty
};
static inline uint64_t alert_group_index(uint64_t key, int64_t shift) {
  return (key * ALERT_GROUP_HASH_MULTIPLIER) >> shift;
}

// One typed output column of a window rule's values function: a byte per value (1 = not null)
// and the values, int64 (int, timestamp, duration, bool as 0/1), double, or AlertString.
struct AlertOutColumn {
  uint8_t* valid;
  void* values;
};

// A window rule's values function: for each j < count, evaluates the rule's group keys and
// aggregate arguments (compiler/plan/alert_values.h order) over row rows[j] of the columns and
// stores them at position j of out[0..]. The runtime hands it only the rows the rule selected,
// so events (division by zero, overflow) are counted for those rows alone. Values that are plain
// non-nullable numeric fields are not written: the runtime reads those columns itself.
typedef void (*AlertWindowValuesFn)(const AlertColumnView* columns, int64_t count, const uint32_t* rows,
                                    AlertOutColumn* out, AlertKernelState* state);

// A window rule's close function: one call evaluates a closing window for `groups` groups. Its
// columns are the groups' inputs, one row per group (compiler/codegen/window_kernel_codegen.h
// says which column is which); bounds = {window_start, window_end}. For group g it writes
// having[g] (1 when `having` is true) and values[g * n .. (g+1) * n): the rule's lets, then the
// value of each history series for this window.
typedef void (*AlertWindowCloseFn)(const AlertColumnView* columns, int64_t groups, uint8_t* having,
                                   AlertValue* values, const int64_t* bounds, AlertKernelState* state);

// What a window rule's update function reads and writes for a run of prepared rows (the rows
// of a batch the rule selected, position j): every field is 8 bytes, in this order, so
// generated code indexes it as an array. The runtime fills it; pointers stay valid for one call.
struct AlertWindowUpdate {
  const int64_t* times;         // event time of row j
  const uint32_t* rows;         // batch row of row j (first/last break ties by seq_base + rows[j])
  int64_t seq_base;
  int64_t from, to;             // rows with from <= time < to fall in this call's windows
  const uint8_t* const* valid;  // per window value (keys, then arguments): 1 = not null
  const void* const* values;    // per window value: int64, double or AlertString
  int64_t first_window;         // the first window of the rows in [from, to)
  const void* entries;          // one-scalar-key rules: the group table, AlertGroupEntry[mask + 1];
                                //   slot ALERT_NO_SLOT ends a probe, and so does the key's entry
  int64_t mask;                 //   entries - 1
  int64_t shift;                //   64 - log2(entries), for alert_group_index
  const uint32_t* positions;    //   per slot: its entry's index; an entry whose slot points
                                //   elsewhere is a forgotten group's (runtime/state/slot_entries.h)
  int64_t null_slot;            // the group of a null key (or of a rule without keys); UINT32_MAX: none
  int64_t* slot_times;          // per group slot: {last row time, first window} (max and min kept)
  uint32_t* open_windows;       // per group slot: open windows holding its rows
  void* const* windows;         // per window of the call: ALERT_WINDOW_FIELDS pointers, below
  void* runtime;                // handed back to the two callbacks
  uint32_t (*find)(void* runtime, int64_t j);  // group of row j's key (other key shapes); UINT32_MAX: none
  void (*add)(void* runtime, int64_t window, int64_t aggregate, uint32_t slot, int64_t j);  // other aggregates
  // A new group for row j's key (absent): its slot, or UINT32_MAX when the update must stop at
  // row j (the group was refused, or creating it moved the arrays or table above).
  uint32_t (*create)(void* runtime, int64_t j);
};
// Per window: has_rows (uint8 per slot), touched (uint32 slots, room for every slot), touched
// count (int64*); then per aggregate: count, i (int64), f (double), overflow (uint8), m2
// (double), held_time (int64), held_seq (int64) arrays per slot, null when unused.
#define ALERT_WINDOW_FIELDS(aggregates) (3 + 7 * (aggregates))

// A window rule's update function: adds rows j0 <= j < j1 to their groups' windows (marking
// the group in each window, updating its aggregates and last row time) until a row needs the
// runtime: a time outside [from, to), or a new group the runtime could not add in place.
// Returns that row's j, or j1.
typedef int64_t (*AlertWindowUpdateFn)(AlertWindowUpdate* update, int64_t j0, int64_t j1);

// A kernel call covers at most this many rows.
#define ALERT_KERNEL_CHUNK_ROWS 4096
// String bytes must stay readable this far past their end: equality with a constant loads whole
// 8-byte words instead of branching on the length. Batch keeps this padding; a host's Arrow
// buffers (padded to 64 bytes) have it too.
#define ALERT_STRING_PADDING 16

// The row filter's output is one record per row: a bit per rule of the schema (bit r%8 of byte
// r/8: words are little-endian), in one word of 1, 2, 4 or 8 bytes, or in several 8-byte words
// past 64 rules. Bits rather than bytes: a kernel of 100 rules writes 16 bytes a row, not 100,
// and turns each compare into a bit with one `and` (bench/ (c)).
static inline int64_t alert_filter_record_bytes(int64_t rules) {
  if (rules <= 8) return 1;
  if (rules <= 16) return 2;
  if (rules <= 32) return 4;
  return 8 * ((rules + 63) / 64);
}

// The fused row filter of one schema: for each of the schema's rules r (in plan order), bit r of
// row i's record (at out + i * alert_filter_record_bytes(rules)) is set when the rule's `where`
// is true for row i. rows <= ALERT_KERNEL_CHUNK_ROWS.
typedef void (*AlertRowFilterFn)(const AlertColumnView* columns, int64_t rows, uint8_t* out,
                                 AlertKernelState* state);
}
