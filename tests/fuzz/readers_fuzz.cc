// libFuzzer target: the CSV and JSON Lines readers and the alert JSON they lead to. The first
// byte picks the format and the batch size. Every row read is either in a batch or rejected
// with a reason; every string in a batch is UTF-8; every alert and reject line is JSON that a
// strict parser (simdjson, which validates UTF-8) accepts.
#include <simdjson.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "alert/compiler.h"
#include "alert/engine.h"
#include "alert/reader.h"

namespace {

const char* kRules = R"(
schema R {
  time ts: timestamp?
  s: string
  n: string?
  i: int?
  f: float?
  b: bool?
  d: duration?
}
channel out = stdout {}
rule Row on R
  labels { s = s, n = coalesce(n, "-") }
  message "{s} {n} {i} {f} {b} {d} {ts}"
  notify out
rule Win on R
  window tumbling 1m
  lateness 10s
  group by s
  let c = count()
  let m = avg(f)
  let l = last(n)
  having c >= 1
  message "{s}: {c} {m} {l}"
  notify out
)";

std::shared_ptr<const alert::CompiledProgram> program(alert::EngineKind kind) {
  std::string path = "/tmp/alertc_fuzz_readers_" + std::to_string(getpid()) + ".alert";
  std::ofstream(path) << kRules;
  alert::CompileOptions options;
  options.engine = kind;
  alert::Compilation c = alert::Compilation::compile({path}, options);
  if (!c.ok()) __builtin_trap();
  return c.program();
}

void must_be_json(simdjson::dom::parser& parser, const std::string& line) {
  simdjson::dom::element doc;
  if (parser.parse(line).get(doc)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 256 * 1024) return -1;
  static auto interp = program(alert::EngineKind::Interp);
  static simdjson::dom::parser parser;
  bool jsonl = data[0] & 1;
  alert::EngineKind kind = alert::EngineKind::Interp;
  size_t batch_size = 1 + (data[0] >> 1) % 9;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

  uint64_t alerts = 0;
  alert::Engine engine(
      interp,
      [&](const alert::Alert& a) {
        ++alerts;
        must_be_json(parser, alert::alert_to_json(a));
      },
      [&](const alert::RejectedRow& r) {
        if (r.reason.empty()) __builtin_trap();
        must_be_json(parser, "{\"reason\":" + alert::json_quote(r.reason) + ",\"raw\":" + alert::json_quote(r.raw) + "}");
      });
  (void)kind;
  uint64_t rejected = 0, in_batches = 0;
  auto reader = alert::make_reader(std::make_unique<std::istringstream>(text), "fuzz",
                                   jsonl ? alert::InputFormat::JsonLines : alert::InputFormat::Csv, 0,
                                   engine.schema_fields(0), [&](const alert::RejectedRow& r) {
                                     ++rejected;
                                     if (r.reason.empty()) __builtin_trap();
                                     must_be_json(parser, "{\"raw\":" + alert::json_quote(r.raw) + "}");
                                   });
  alert::Batch batch;
  while (true) {
    auto more = reader->next(batch, batch_size);
    if (!more.ok()) return 0;  // no header, a missing column: an error for the whole input
    if (batch.rows > batch_size || batch.line_numbers.size() != batch.rows) __builtin_trap();
    for (size_t c = 0; c < batch.columns.size(); ++c) {
      if (batch.columns[c].kind != alert::TypeKind::String) continue;
      for (size_t r = 0; r < batch.rows; ++r) {
        if (batch.columns[c].is_null(r)) continue;
        std::string_view s = batch.columns[c].string_at(r);
        if (!simdjson::validate_utf8(s.data(), s.size())) __builtin_trap();
      }
    }
    in_batches += batch.rows;
    if (batch.rows) engine.push(batch);
    if (!more.value()) break;
  }
  engine.finish();
  if (in_batches + rejected != reader->rows_read()) __builtin_trap();  // nothing lost uncounted
  return 0;
}
