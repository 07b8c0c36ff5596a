// alertc: the command-line front end over the public API (include/alert/). Subcommands:
//   check  — compile and report diagnostics
//   run    — evaluate rules over CSV / JSON Lines inputs and deliver or print alerts
//   test   — run the `test` blocks of .alert files
//   fmt    — rewrite files in the canonical layout (--check: only report)
//   compile — show each stage: the checked AST, LLVM IR before and after optimization, asm, object
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "alert/compiler.h"
#include "stdlib/time_format.h"
#include "commands.h"

namespace {

// A duration option in the language's syntax (10ms, 2s, 1m30s); a usage error otherwise.
int64_t parse_duration_option(const char* name, const std::string& text) {
  auto ns = alert::parse_duration(text);
  if (!ns || *ns <= 0) throw CLI::ValidationError(name, "'" + text + "' is not a positive duration such as 10ms, 2s or 1m30s");
  return *ns;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"alertc: compiler and runtime for alert rules"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "alertc 0.1.0");

  alert::cli::CheckOptions check;
  auto* check_cmd = app.add_subcommand("check", "Compile .alert files and report every error");
  check_cmd->add_option("files", check.files, "The .alert files")->required();
  check_cmd->add_option("--format", check.format, "Diagnostics as 'text' or 'json'")
      ->check(CLI::IsMember({"text", "json"}));

  alert::cli::RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Evaluate rules over input rows and deliver the alerts");
  run_cmd->add_option("files", run.files, "The .alert files")->required();
  run_cmd->add_option("--input,-i", run.inputs,
                      "[Schema=]PATH of CSV or JSON Lines rows ('-' is stdin); repeat for several inputs, read at once")
      ->required();
  run_cmd->add_flag("--dry-run", run.dry_run, "Print each notification as a JSON line instead of sending it");
  run_cmd->add_option("--batch-size", run.batch_size, "Rows per batch")->check(CLI::Range(1, 1 << 24));
  run_cmd->add_option("--engine", run.engine, "Evaluation engine: jit (LLVM, default) or interp (the reference interpreter)")
      ->check(CLI::IsMember({"jit", "interp"}));
  run_cmd->add_option("--rejects", run.rejects, "Write rejected and late rows here, one JSON line each");
  run_cmd->add_flag("--strict", run.strict, "Stop at the first rejected or late row (exit 1); nothing after it is evaluated");
  run_cmd->add_option("--max-groups", run.max_groups, "Groups per window rule before new ones are refused");
  run_cmd->add_option("--state-dir", run.state_dir,
                      "Folder of the outbox and the checkpoint, which a restart resumes from (default: .alertc-state beside the first rules file; --dry-run keeps no state)");
  run_cmd->add_option("--drain-timeout", run.drain_timeout_s,
                      "Seconds to wait for pending deliveries at the end or on SIGINT/SIGTERM (default 10)");
  run_cmd->add_option("--format", run.input_format, "Input format: csv or jsonl (default: by extension)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  run_cmd->add_flag("--follow,-F", run.follow,
                    "Follow input files like tail -F: appended rows, rotation and truncation; never ends");
  run_cmd->add_option_function<std::string>(
         "--max-delay", [&](const std::string& d) { run.max_delay_ns = parse_duration_option("--max-delay", d); },
         "Live inputs: evaluate a batch at most this long after its first row (default 10ms)");
  run_cmd->add_option_function<std::string>(
         "--idle-timeout", [&](const std::string& d) { run.idle_timeout_ns = parse_duration_option("--idle-timeout", d); },
         "Live inputs: after this long without rows, a schema's event clock follows the wall clock (default: off)");
  run_cmd->add_option_function<std::string>(
         "--checkpoint-interval",
         [&](const std::string& d) { run.checkpoint_interval_ns = parse_duration_option("--checkpoint-interval", d); },
         "Commit the state with the notifications it produced at least this often (default 1s)");
  run_cmd->add_flag("--fresh", run.fresh,
                    "Start afresh: forget the state folder's checkpoint (windows, clocks, input positions)");
  run_cmd->add_option("--clock-log", run.clock_log, "Write the --idle-timeout clock advances to this file");
  run_cmd->add_option("--clock-replay", run.clock_replay,
                      "Apply the clock advances of a --clock-log at the same rows, instead of the wall clock");

  alert::cli::TestOptions test;
  auto* test_cmd = app.add_subcommand("test", "Run the test blocks of .alert files");
  test_cmd->add_option("files", test.files, "The .alert files")->required();
  test_cmd->add_option("--engine", test.engine, "Evaluation engine: jit (default) or interp")
      ->check(CLI::IsMember({"jit", "interp"}));

  alert::cli::FmtOptions fmt;
  auto* fmt_cmd = app.add_subcommand("fmt", "Rewrite .alert files in the canonical layout");
  fmt_cmd->add_option("paths", fmt.paths, "Files, or directories to search for .alert files")->required();
  fmt_cmd->add_flag("--check", fmt.check, "Only list the files that are not formatted (exit 1 if any)");

  alert::cli::CompileCommandOptions compile;
  auto* compile_cmd = app.add_subcommand("compile", "Show a stage of the compiled program");
  compile_cmd->add_option("files", compile.files, "The .alert files")->required();
  compile_cmd->add_option("--emit", compile.emit, "ast, ir (as generated), opt-ir (optimized), asm or obj")
      ->check(CLI::IsMember({"ast", "ir", "opt-ir", "asm", "obj"}));
  compile_cmd->add_option("-o", compile.output, "Write here instead of stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  bool color = isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr;
  if (*check_cmd) return alert::cli::run_check(check, color);
  if (*run_cmd) return alert::cli::run_run(run, color);
  if (*test_cmd) return alert::cli::run_test(test, color);
  if (*compile_cmd) return alert::cli::run_compile(compile, color);
  if (*fmt_cmd) return alert::cli::run_fmt(fmt);
  return 2;
}
