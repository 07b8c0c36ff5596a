// Every --input of a run, read at once: one reader thread per input parses its bytes into
// batches and hands them, with the rows it rejected, to the single evaluation thread through a
// bounded queue (docs/language.md §11). One input's batches arrive in its order; inputs are
// merged as their batches are ready, so a slow or stalled input holds back no other.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/batch.h"
#include "alert/reader.h"
#include "alert/result.h"

namespace alert {

struct InputSpec {
  std::string path;  // "-" is standard input
  int schema = -1;
  std::vector<FieldSpec> fields;
  ReaderOptions options;  // stop_fd is the set's own
  bool stop_at_reject = false;
  std::optional<RowReader::Position> resume;  // continue where a checkpoint left this input
};

struct InputBatch {
  size_t input = 0;
  Batch batch;
  std::vector<RejectedRow> rejects;  // rows the reader rejected while filling this batch
  bool ended = false;                // the input has nothing more after this batch
  std::string error;                 // set when the input failed; it then ends
  uint64_t bytes_read = 0;           // by the input so far
  RowReader::Position position;      // where the input's next row starts, after this batch
  std::chrono::steady_clock::time_point arrived;  // when the batch was cut
};

class InputSet {
 public:
  // Opens every input (a missing file is an error naming it) and starts their readers.
  static Result<std::unique_ptr<InputSet>> open(std::vector<InputSpec> specs, size_t batch_size);
  ~InputSet();

  enum class Next { Batch, Timeout, Done };
  // The next batch from any input; Timeout when none came by `until`; Done once every input
  // has ended and its batches were taken.
  Next next(InputBatch* out, std::optional<std::chrono::steady_clock::time_point> until);
  // Gives a taken batch's buffers back for reuse.
  void recycle(Batch&& batch);
  // Stops every reader: live ones at once, files after the batch in hand. The batches already
  // read are still handed out by next().
  void stop();

  size_t size() const;
  const std::string& name(size_t input) const;
  bool live(size_t input) const;
  int schema(size_t input) const;

 private:
  struct Impl;
  explicit InputSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alert
