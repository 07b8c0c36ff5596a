#include "runtime/io/byte_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <optional>

namespace alert {
namespace {

class IstreamSource : public ByteSource {
 public:
  explicit IstreamSource(std::unique_ptr<std::istream> in) : in_(std::move(in)) {}
  ReadStatus read_some(char* buffer, size_t size, int, size_t* n) override {
    in_->read(buffer, static_cast<std::streamsize>(size));
    *n = static_cast<size_t>(in_->gcount());
    return *n > 0 ? ReadStatus::Data : ReadStatus::End;
  }
  bool bad() const override { return in_->bad(); }

 private:
  std::unique_ptr<std::istream> in_;
};

// Waits until fd (or, with fd < 0, nothing but the stop descriptor) is readable, the stop
// descriptor is, or wait_ms passes. A signal interrupting the wait counts as a wake-up.
enum class Wait { Ready, Timeout, Stopped };
Wait wait_readable(int fd, int stop_fd, int wait_ms) {
  pollfd fds[2];
  nfds_t count = 0;
  if (fd >= 0) fds[count++] = {fd, POLLIN, 0};
  int stop_at = -1;
  if (stop_fd >= 0) {
    stop_at = static_cast<int>(count);
    fds[count++] = {stop_fd, POLLIN, 0};
  }
  int r = ::poll(fds, count, wait_ms);
  if (r < 0) return errno == EINTR ? Wait::Timeout : Wait::Ready;  // a poll error: let read() report it
  if (r == 0) return Wait::Timeout;
  if (stop_at >= 0 && (fds[stop_at].revents & POLLIN)) return Wait::Stopped;
  return Wait::Ready;
}

class FdSource : public ByteSource {
 public:
  FdSource(int fd, bool owned, int stop_fd) : fd_(fd), owned_(owned), stop_fd_(stop_fd) {
    struct stat st {};
    live_ = ::fstat(fd, &st) == 0 && !S_ISREG(st.st_mode);
  }
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  ReadStatus read_some(char* buffer, size_t size, int wait_ms, size_t* n) override {
    *n = 0;
    while (true) {
      if (live_) {
        Wait w = wait_readable(fd_, stop_fd_, wait_ms);
        if (w == Wait::Stopped) return ReadStatus::Stopped;
        if (w == Wait::Timeout) {
          if (wait_ms >= 0) return ReadStatus::NotReady;
          continue;  // a signal: wait again (a stop comes through the stop descriptor)
        }
      }
      ssize_t got = ::read(fd_, buffer, size);
      if (got > 0) {
        *n = static_cast<size_t>(got);
        return ReadStatus::Data;
      }
      if (got == 0) return ReadStatus::End;
      if (errno == EINTR || errno == EAGAIN) {
        if (!live_ && stop_fd_ < 0) return ReadStatus::End;  // a signal ends a plain read, as before
        continue;
      }
      bad_ = true;
      error_ = std::strerror(errno);
      return ReadStatus::End;
    }
  }
  bool bad() const override { return bad_; }
  std::string error() const override { return error_; }
  bool live() const override { return live_; }
  bool seek(uint64_t offset) override {
    return !live_ && ::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) == static_cast<off_t>(offset);
  }

 private:
  int fd_;
  bool owned_;
  int stop_fd_;
  bool live_ = false;
  bool bad_ = false;
  std::string error_;
};

class FollowSource : public ByteSource {
 public:
  FollowSource(std::string path, int fd, int stop_fd) : path_(std::move(path)), fd_(fd), stop_fd_(stop_fd) {
    struct stat st {};
    if (::fstat(fd_, &st) == 0) identity_ = {st.st_dev, st.st_ino};
  }
  ~FollowSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  ReadStatus read_some(char* buffer, size_t size, int wait_ms, size_t* n) override {
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms < 0 ? 0 : wait_ms);
    *n = 0;
    while (true) {
      ssize_t got = ::read(fd_, buffer, size);
      if (got > 0) {
        offset_ += static_cast<uint64_t>(got);
        *n = static_cast<size_t>(got);
        last_data_at_ = std::chrono::steady_clock::now();
        return ReadStatus::Data;
      }
      if (got < 0 && errno != EINTR) {
        bad_ = true;
        error_ = std::strerror(errno);
        return ReadStatus::End;
      }
      // At the end of what is written: rotated, truncated, or just not written yet?
      if (ReadStatus s = check_file(); s != ReadStatus::NotReady) return s;
      int slice = 50;  // how often the file is looked at while nothing comes
      if (wait_ms >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return ReadStatus::NotReady;
        slice = static_cast<int>(std::min<int64_t>(left, slice));
      }
      if (wait_readable(-1, stop_fd_, slice) == Wait::Stopped) return ReadStatus::Stopped;
    }
  }
  bool bad() const override { return bad_; }
  std::string error() const override { return error_; }
  bool live() const override { return true; }

  bool seek(uint64_t offset) override {
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) != static_cast<off_t>(offset)) return false;
    offset_ = offset;
    return true;
  }

 private:
  // Restart when the path names another file now (rotation; the old one was read to its end)
  // or this file became shorter (truncation). A path gone for long is an error, as tail -F's.
  ReadStatus check_file() {
    struct stat now {};
    if (::stat(path_.c_str(), &now) != 0) {
      auto t = std::chrono::steady_clock::now();
      if (!missing_since_) missing_since_ = t;
      if (t - *missing_since_ > std::chrono::seconds(5)) {
        bad_ = true;
        error_ = fmt::format("'{}' was removed and not created again", path_);
        return ReadStatus::End;
      }
      return ReadStatus::NotReady;
    }
    missing_since_.reset();
    if (std::pair<dev_t, ino_t>{now.st_dev, now.st_ino} != identity_) {
      // Renamed away: a writer may still append to the old file until it reopens the path, so
      // it is read until quiet for a while before the new file is taken.
      auto t = std::chrono::steady_clock::now();
      if (!rotation_seen_) rotation_seen_ = t;
      if (t - *rotation_seen_ < kRotationQuiet || t - last_data_at_ < kRotationQuiet) return ReadStatus::NotReady;
      rotation_seen_.reset();
      int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return ReadStatus::NotReady;  // created but not readable yet
      ::close(fd_);
      fd_ = fd;
      identity_ = {now.st_dev, now.st_ino};
      offset_ = 0;
      return ReadStatus::Restart;
    }
    if (static_cast<uint64_t>(now.st_size) < offset_) {
      ::lseek(fd_, 0, SEEK_SET);
      offset_ = 0;
      return ReadStatus::Restart;
    }
    return ReadStatus::NotReady;
  }

  std::string path_;
  int fd_;
  int stop_fd_;
  std::pair<dev_t, ino_t> identity_{};
  uint64_t offset_ = 0;
  std::optional<std::chrono::steady_clock::time_point> missing_since_, rotation_seen_;
  std::chrono::steady_clock::time_point last_data_at_{};
  static constexpr std::chrono::milliseconds kRotationQuiet{200};
  bool bad_ = false;
  std::string error_;
};

}  // namespace

std::unique_ptr<ByteSource> istream_source(std::unique_ptr<std::istream> in) {
  return std::make_unique<IstreamSource>(std::move(in));
}
std::unique_ptr<ByteSource> fd_source(int fd, bool owned, int stop_fd) {
  return std::make_unique<FdSource>(fd, owned, stop_fd);
}
std::unique_ptr<ByteSource> follow_source(const std::string& path, int fd, int stop_fd) {
  return std::make_unique<FollowSource>(path, fd, stop_fd);
}

}  // namespace alert
