// Streaming readers that turn CSV (RFC 4180) or JSON Lines into batches of one schema
// (docs/language.md §9). A row that does not fit is rejected with its line and reason and handed to
// the reject sink; the rows around it are still read. Nothing is dropped without a count.
#pragma once

#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/batch.h"
#include "alert/result.h"
#include "alert/value.h"

namespace alert {

struct FieldSpec {
  std::string name;
  Type type;
};

struct RejectedRow {
  std::string source;  // the input's name
  uint64_t line = 0;
  std::string reason;
  std::string raw;
};

using RejectSink = std::function<void(const RejectedRow&)>;

enum class InputFormat { Csv, JsonLines };

class RowReader {
 public:
  virtual ~RowReader() = default;
  // Fills `batch` (reset first) with up to max_rows rows. Returns false at end of input, an error
  // for input that cannot be read at all (a missing column, an I/O failure).
  virtual Result<bool> next(Batch& batch, size_t max_rows) = 0;
  uint64_t rows_read() const { return rows_read_; }
  uint64_t rows_rejected() const { return rows_rejected_; }
  uint64_t bytes_read() const { return bytes_read_; }
  // --strict: next() returns right after the first rejected row (the batch holds the rows
  // before it), and reads nothing more after that.
  void set_stop_at_reject(bool stop) { stop_at_reject_ = stop; }
  // A live input (pipe, FIFO, followed file) ends only when closed; its batches are cut when it
  // pauses or max_delay after their first row (docs/language.md §11).
  virtual bool live() const { return false; }
  void set_max_delay(int64_t ns) { max_delay_ns_ = ns; }
  int64_t max_delay_ns() const { return max_delay_ns_; }
  // Why reading failed, when next() reported an error.
  virtual std::string read_error() const { return {}; }

  // Where the next row starts: a byte offset and a line number (a checkpoint records it).
  struct Position {
    uint64_t offset = 0;
    uint64_t line = 1;
  };
  virtual Position position() const { return {bytes_read_, 1}; }
  // Continues from a recorded position, before the first next(): a CSV file still reads its
  // header from the start. The next next() fails when the input cannot move there (a pipe).
  virtual void resume_at(Position) {}

 protected:
  int64_t max_delay_ns_ = 10'000'000;
  bool stop_at_reject_ = false;
  bool stopped_ = false;
  uint64_t rows_read_ = 0;
  uint64_t rows_rejected_ = 0;
  uint64_t bytes_read_ = 0;
};

struct ReaderOptions {
  std::optional<InputFormat> format;  // default: by the file's extension
  bool follow = false;                // follow a regular file like tail -F (never ends)
  int stop_fd = -1;                   // readable = stop: a live read waiting on it returns at once
  int64_t max_delay_ns = 10'000'000;  // --max-delay
};

// The format a path's extension names (.jsonl, .ndjson, .json: JSON Lines; else CSV).
InputFormat format_of_path(const std::string& path);
Result<std::unique_ptr<RowReader>> open_reader(const std::string& path, int schema_index,
                                               std::vector<FieldSpec> fields, RejectSink rejects,
                                               const ReaderOptions& options);
// "-" reads standard input. The format follows the extension (.jsonl, .ndjson, .json: JSON Lines)
// unless given.
Result<std::unique_ptr<RowReader>> open_reader(const std::string& path, int schema_index,
                                               std::vector<FieldSpec> fields, RejectSink rejects,
                                               std::optional<InputFormat> format = std::nullopt);
// A reader over an in-memory stream (tests, hosts).
std::unique_ptr<RowReader> make_reader(std::unique_ptr<std::istream> in, std::string name,
                                       InputFormat format, int schema_index,
                                       std::vector<FieldSpec> fields, RejectSink rejects);

}  // namespace alert
