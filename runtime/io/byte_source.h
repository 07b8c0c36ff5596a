// Where a reader's bytes come from: an in-memory stream, a file or pipe, or a file followed like
// `tail -F`. A live source (pipe, FIFO, terminal, socket, followed file) can say "nothing ready
// yet" instead of blocking, so a reader cuts its batch when the input pauses (docs/language.md
// §11); a regular file is read to its end. Every wait also watches a stop descriptor, so a
// reader thread blocked on a quiet pipe stops at once when the run ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>

namespace alert {

enum class ReadStatus {
  Data,      // *n > 0 bytes were read
  End,       // the input ended (or a read failed: bad() says which)
  NotReady,  // a live input has nothing now (only when asked not to wait that long)
  Stopped,   // the stop descriptor became readable
  Restart,   // a followed file was rotated or truncated: what follows is a new file's start
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads what is available into buffer. wait_ms < 0 waits until something happens; 0 or more
  // waits at most that long for a live input before answering NotReady.
  virtual ReadStatus read_some(char* buffer, size_t size, int wait_ms, size_t* n) = 0;
  virtual bool bad() const = 0;
  virtual std::string error() const { return {}; }
  // Live inputs end only when closed; their batches are cut when they pause.
  virtual bool live() const { return false; }
  // Moves to byte `offset` of a file (resuming from a checkpoint); false where it cannot.
  virtual bool seek(uint64_t /*offset*/) { return false; }
};

std::unique_ptr<ByteSource> istream_source(std::unique_ptr<std::istream> in);
// Takes ownership of fd when `owned`. Live when fd is not a regular file.
std::unique_ptr<ByteSource> fd_source(int fd, bool owned, int stop_fd);
// A file followed like `tail -F`: appended bytes are read as they come; a rename (rotation) or
// a truncation continues with the file now at `path`, from its start. Never ends by itself.
std::unique_ptr<ByteSource> follow_source(const std::string& path, int fd, int stop_fd);

}  // namespace alert
