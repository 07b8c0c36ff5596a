#include "alert/notifier.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iostream>

#include "compiler/driver/compiled_program.h"

namespace alert {
namespace {

class LocalNotifier : public Notifier {
 public:
  struct Channel {
    ChannelStats stats;
    std::unique_ptr<std::ofstream> file;  // file channels
  };

  void deliver(const Alert& alert) override {
    std::string line = alert_to_json(alert);
    if (dry_run_out_) {
      *dry_run_out_ << line << '\n';
      return;
    }
    for (int index : alert.channels) {
      Channel& c = channels_[index];
      std::ostream& out = c.file ? static_cast<std::ostream&>(*c.file) : std::cout;
      out << line << '\n';
      if (out) {
        ++c.stats.sent;
      } else {
        ++c.stats.failed;
      }
    }
  }

  void flush() override {
    if (dry_run_out_) dry_run_out_->flush();
    std::cout.flush();
    for (auto& c : channels_) {
      if (c.file) c.file->flush();
    }
  }

  std::vector<ChannelStats> stats() const override {
    std::vector<ChannelStats> out;
    for (auto& c : channels_) out.push_back(c.stats);
    return out;
  }

  std::vector<Channel> channels_;
  std::ostream* dry_run_out_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Notifier>> Notifier::open(std::shared_ptr<const CompiledProgram> program, bool dry_run,
                                                 std::ostream* dry_run_out) {
  auto n = std::make_unique<LocalNotifier>();
  if (dry_run) n->dry_run_out_ = dry_run_out;
  for (const plan::Channel& c : program->plan.channels) {
    LocalNotifier::Channel channel;
    channel.stats.channel = c.name;
    channel.stats.kind = c.kind;
    if (!dry_run) {
      if (c.kind == "file") {
        const plan::OptionValue& path = c.options.at("path");
        std::string p = path.value.s;
        if (!path.env_var.empty()) {
          const char* v = std::getenv(path.env_var.c_str());
          if (!v) {
            return Result<std::unique_ptr<Notifier>>::failure(
                fmt::format("channel '{}': environment variable '{}' is not set", c.name, path.env_var));
          }
          p = v;
        }
        channel.file = std::make_unique<std::ofstream>(p, std::ios::app);
        if (!*channel.file) {
          return Result<std::unique_ptr<Notifier>>::failure(
              fmt::format("channel '{}': cannot open '{}': {}", c.name, p, std::strerror(errno)));
        }
      } else if (c.kind != "stdout") {
        return Result<std::unique_ptr<Notifier>>::failure(fmt::format(
            "channel '{}': {} delivery is not supported yet; use --dry-run, or a stdout or file channel", c.name,
            c.kind));
      }
    }
    n->channels_.push_back(std::move(channel));
  }
  return std::unique_ptr<Notifier>(std::move(n));
}

}  // namespace alert
