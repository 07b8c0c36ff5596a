// Issue 16's benchmark: what checkpoints cost (docs/performance.md). A windowed sum and count by
// key (tumbling 1h, so every key seen stays a live group) over in-memory batches, run without
// checkpoints and with one every second of evaluation (the default --checkpoint-interval): the
// engine's state saved and committed to SQLite through the outbox, as alertc run does. Then, for
// the state at the end: its size, the time to save and commit it, and to restore it into a
// fresh engine of each kind.
// Usage: alert_state_bench [ROWS] [KEYS]   (default: 10M rows; 1k and 1M keys)
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <random>

#include "alert/compiler.h"
#include "alert/engine.h"
#include "runtime/notify/outbox.h"

namespace {

using namespace alert;
using Clock = std::chrono::steady_clock;

constexpr int64_t kMinute = 60'000'000'000;

std::vector<Batch> make_batches(size_t rows, int64_t keys, size_t batch_rows) {
  std::mt19937_64 rng(7);
  std::vector<Batch> out;
  for (size_t start = 0; start < rows; start += batch_rows) {
    Batch b;
    b.reset(0, {TypeKind::Timestamp, TypeKind::Int, TypeKind::Float});
    size_t n = std::min(batch_rows, rows - start);
    for (auto& c : b.columns) c.validity.assign((n + 63) / 64, ~uint64_t{0});
    for (size_t i = 0; i < n; ++i) {
      b.columns[0].ints.push_back(static_cast<int64_t>(start + i) * (kMinute / 100'000));
      b.columns[1].ints.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(keys)));
      b.columns[2].floats.push_back(static_cast<double>(rng() % 10'000) / 100.0);
    }
    b.rows = n;
    b.line_numbers.assign(n, 0);
    out.push_back(std::move(b));
  }
  return out;
}

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

int main(int argc, char** argv) {
  size_t rows = argc > 1 ? std::stoul(argv[1]) : 10'000'000;
  std::vector<int64_t> key_counts{1'000, 1'000'000};
  if (argc > 2) key_counts = {std::stoll(argv[2])};
  auto dir = std::filesystem::temp_directory_path() / "alert_state_bench";
  std::filesystem::remove_all(dir);
  auto rules = dir / "state.alert";
  std::filesystem::create_directories(dir);
  std::ofstream(rules) << "schema Tx {\n  time ts: timestamp\n  key: int\n  amount: float\n}\n"
                          "channel out = stdout {}\n"
                          "rule Sums on Tx\n  window tumbling 1h\n  group by key\n"
                          "  let total = sum(amount)\n  let n = count()\n  having total > 1e12\n  notify out\n";
  std::shared_ptr<const CompiledProgram> programs[2];
  for (int e = 0; e < 2; ++e) {
    CompileOptions options;
    options.engine = e == 0 ? EngineKind::Jit : EngineKind::Interp;
    Compilation c = Compilation::compile({rules.string()}, options);
    if (!c.ok()) {
      c.print_diagnostics(std::cerr, DiagnosticFormat::Text);
      return 1;
    }
    programs[e] = c.program();
  }
  std::cout << "| keys | no checkpoints Mrows/s | checkpoint every 1s Mrows/s | ratio | checkpoints | "
               "state at the end | save (state + SQLite commit) | restore (JIT / interp) |\n|---|---|---|---|---|---|---|---|\n";
  for (int64_t keys : key_counts) {
    std::vector<Batch> batches = make_batches(rows, keys, 4096);
    auto run = [&](bool checkpoints, int* taken) {
      auto state = dir / fmt::format("state-{}", keys);
      std::filesystem::remove_all(state);
      auto outbox = Outbox::open(state.string());
      Engine engine(programs[0], [](const Alert&) {}, nullptr);
      auto t0 = Clock::now(), last = t0;
      for (const Batch& b : batches) {
        engine.push(b);
        if (checkpoints && Clock::now() - last >= std::chrono::seconds(1)) {
          Checkpoint cp;
          cp.engine_state = engine.save_state();
          (void)outbox.value()->put_checkpoint(cp);
          (void)outbox.value()->commit();
          ++*taken;
          last = Clock::now();
        }
      }
      return static_cast<double>(rows) / since(t0) / 1e6;
    };
    double plain = 0, with = 0;
    int taken = 0;
    for (int rep = 0; rep < 3; ++rep) {  // best of three, in turns
      plain = std::max(plain, run(false, &taken));
      int n = 0;
      with = std::max(with, run(true, &n));
      taken = std::max(taken, n);
    }
    // The state at the end of the input (every key a live group), saved, committed, restored.
    Engine engine(programs[0], [](const Alert&) {}, nullptr);
    for (const Batch& b : batches) engine.push(b);
    auto t0 = Clock::now();
    std::string bytes = engine.save_state();
    double encode = since(t0);
    auto outbox = Outbox::open((dir / "final").string());
    Checkpoint cp;
    cp.engine_state = bytes;
    auto c0 = Clock::now();
    (void)outbox.value()->put_checkpoint(cp);
    (void)outbox.value()->commit();
    double commit = since(c0);
    double save = encode + commit;
    double restore[2];
    for (int e = 0; e < 2; ++e) {
      Engine fresh(programs[e], [](const Alert&) {}, nullptr);
      auto r0 = Clock::now();
      auto restored = fresh.restore_state(bytes);
      restore[e] = since(r0);
      if (!restored.ok()) {
        std::cerr << restored.error() << '\n';
        return 1;
      }
    }
    std::cout << fmt::format("| {} | {:.1f} | {:.1f} | {:.2f} | {} | {:.1f} MB | {:.0f} ms ({:.0f} + {:.0f}) | {:.0f} / {:.0f} ms |\n",
                             keys, plain, with, with / plain, taken, static_cast<double>(bytes.size()) / 1e6, save * 1e3,
                             encode * 1e3, commit * 1e3, restore[0] * 1e3, restore[1] * 1e3);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
