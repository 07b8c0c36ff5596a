// Delivers alerts to the channels their rule names. This version delivers to the local channel
// kinds (stdout, file); a program naming another kind is refused at open time with a clear error
// rather than silently dropping its notifications.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "alert/compiler.h"
#include "alert/result.h"

namespace alert {

struct ChannelStats {
  std::string channel;
  std::string kind;
  uint64_t sent = 0;
  uint64_t failed = 0;
};

class Notifier {
 public:
  // dry_run: every notification is printed to `dry_run_out` as one alert JSON line instead.
  static Result<std::unique_ptr<Notifier>> open(std::shared_ptr<const CompiledProgram> program, bool dry_run,
                                                std::ostream* dry_run_out);
  virtual ~Notifier() = default;
  virtual void deliver(const Alert& alert) = 0;
  virtual void flush() = 0;
  virtual std::vector<ChannelStats> stats() const = 0;
};

}  // namespace alert
