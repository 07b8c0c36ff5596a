// libFuzzer target: restoring a checkpoint (runtime/state/engine_snapshot.h). The input is the
// body of a state; the fuzzer gives it a valid header and checksum, so every byte reaches the
// decoder and the restore of both engines. Any body restores or is refused with a message, and
// an engine that took it evaluates rows and saves again without crashing.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "alert/compiler.h"
#include "alert/engine.h"
#include "runtime/engine/group_keys.h"

namespace {

constexpr const char* kRules = R"(schema Order {
  time ts: timestamp
  sku: string
  store: int
  price: float
}
channel out = stdout {}
rule Sales on Order
  window sliding 2m every 1m
  group by sku
  let n = count()
  let p = sum(price)
  let hi = max(sku)
  let stores = count_distinct(store)
  having n > 2 and p > 1.1 * mean_prev(p, 2)
  notify out
  throttle 5m
rule Pair on Order
  window tumbling 1m
  group by sku, store
  having count() > 1
  notify out
rule Big on Order
  where price > 90.0
  notify out
  throttle 1m by sku
)";

std::shared_ptr<const alert::CompiledProgram> program(alert::EngineKind kind) {
  auto path = std::filesystem::temp_directory_path() / "alertc_state_fuzz.alert";
  std::ofstream(path) << kRules;
  alert::CompileOptions options;
  options.engine = kind;
  alert::Compilation c = alert::Compilation::compile({path.string()}, options);
  if (!c.ok()) __builtin_trap();
  return c.program();
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return -1;
  static std::shared_ptr<const alert::CompiledProgram> programs[] = {program(alert::EngineKind::Jit),
                                                                     program(alert::EngineKind::Interp)};
  std::string body(reinterpret_cast<const char*>(data), size);
  std::string state = "ALCK\x01";
  uint64_t sum = alert::fnv1a(body);  // the format's checksum
  state.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  state += body;
  for (const auto& p : programs) {
    alert::Engine engine(p, [](const alert::Alert&) {}, [](const alert::RejectedRow&) {});
    auto restored = engine.restore_state(state);
    if (!restored.ok()) {
      if (restored.error().empty()) __builtin_trap();  // a refusal says why
      continue;
    }
    alert::Batch batch;
    batch.reset(0, {alert::TypeKind::Timestamp, alert::TypeKind::String, alert::TypeKind::Int, alert::TypeKind::Float});
    for (int i = 0; i < 8; ++i) {
      batch.append({alert::Value::timestamp(int64_t{1767225600 + i * 20} * 1'000'000'000),
                    alert::Value::string(i % 2 ? "SKU-1" : "SKU-2"), alert::Value::integer(i % 3),
                    alert::Value::floating(50.0 + i * 7)},
                   static_cast<uint64_t>(i + 1));
    }
    (void)engine.push(batch);
    (void)engine.save_state();
    engine.finish();
  }
  return 0;
}
