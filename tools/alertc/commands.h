// The alertc subcommands. Exit codes: 0 success, 1 errors in the rules (or failed tests),
// 2 usage or I/O problems.
#pragma once

#include <string>
#include <vector>

namespace alert::cli {

struct CheckOptions {
  std::vector<std::string> files;
  std::string format = "text";
};

struct RunOptions {
  std::vector<std::string> files;
  std::vector<std::string> inputs;
  bool dry_run = false;
  size_t batch_size = 4096;
  std::string engine = "jit";
  std::string rejects;
  bool strict = false;
  size_t max_groups = 1'000'000;
  std::string input_format;
  std::string state_dir;          // the outbox; default: .alertc-state beside the first rules file
  double drain_timeout_s = 10;    // how long to wait for pending deliveries at the end
  bool follow = false;            // follow regular files like tail -F
  int64_t max_delay_ns = 10'000'000;   // a live batch is evaluated at most this long after its first row
  int64_t idle_timeout_ns = 0;    // 0: off; else quiet live schemas' clocks follow the wall clock
  std::string clock_log;          // write the idle clock advances here
  std::string clock_replay;       // apply recorded advances instead of the wall clock
  int64_t checkpoint_interval_ns = 1'000'000'000;  // state and notifications committed at least this often
  bool fresh = false;             // forget the state folder's checkpoint
};

struct TestOptions {
  std::vector<std::string> files;
  std::string engine = "jit";
};
struct CompileCommandOptions {
  std::vector<std::string> files;
  std::string emit = "opt-ir";
  std::string output;  // "" or "-": stdout
};

int run_check(const CheckOptions& options, bool color);
int run_run(const RunOptions& options, bool color);
int run_test(const TestOptions& options, bool color);
int run_compile(const CompileCommandOptions& options, bool color);

struct FmtOptions {
  std::vector<std::string> paths;  // files, or directories searched for *.alert
  bool check = false;              // report files that are not formatted; change nothing
};
int run_fmt(const FmtOptions& options);

}  // namespace alert::cli
