// CSV (RFC 4180: quotes, doubled quotes, CRLF, newlines inside quotes) and JSON Lines (simdjson)
// readers. Both stream: they hold one chunk of input and one batch at a time.
#include <simdjson.h>

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "alert/reader.h"
#include "runtime/io/byte_source.h"
#include "runtime/io/field_parser.h"

namespace alert {
namespace {

// A window over the input: bytes [pos, end) are read but not yet consumed. refill() keeps
// them, moves them to the front and reads more after them, growing the buffer when one record
// is longer than it. The allocation always has kPadding spare bytes, which simdjson needs.
class InputBuffer {
 public:
  static constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

  explicit InputBuffer(ByteSource* in) : in_(in) { buf_.resize((1 << 20) + kPadding); }
  const char* data() const { return buf_.data(); }
  size_t pos = 0, end = 0;

  // Data when more bytes were read; End at the end of input (or a stop); NotReady when a live
  // input has nothing within wait_ms; Restart when a followed file starts anew.
  ReadStatus refill(int wait_ms) {
    if (eof_) return ReadStatus::End;
    if (restart_pending_) return ReadStatus::Restart;  // the caller has not taken the old file's end yet
    if (pos > 0) {
      std::memmove(buf_.data(), buf_.data() + pos, end - pos);
      end -= pos;
      pos = 0;
    }
    if (end + kPadding >= buf_.size() / 2) buf_.resize(buf_.size() * 2);
    size_t n = 0;
    ReadStatus status = in_->read_some(buf_.data() + end, buf_.size() - kPadding - end, wait_ms, &n);
    end += n;
    total_ += n;
    if (status == ReadStatus::End || status == ReadStatus::Stopped) eof_ = true;
    if (status == ReadStatus::Stopped) stopped_ = true;
    if (status == ReadStatus::Restart) restart_pending_ = true;
    return status == ReadStatus::Stopped ? ReadStatus::End : status;
  }
  bool bad() const { return in_->bad(); }
  bool stopped() const { return stopped_; }
  uint64_t consumed() const { return total_ - (end - pos); }
  // Continues at byte `offset` of the input (past what is consumed), dropping what is buffered.
  bool skip_to(uint64_t offset) {
    if (offset <= consumed()) return offset == consumed();
    if (!in_->seek(offset)) return false;
    pos = end = 0;
    total_ = offset;
    return true;
  }

  enum class Line { Found, NotReady, End, Restart };
  // The index of the next '\n' from pos on, reading more input until one arrives. At the end
  // of input (or of a followed file that restarts) the rest is the last line (`end`); a live
  // input's partial line waits for its newline (NotReady). Restart comes once, after the old
  // file's last line, before the new file's first.
  Line next_line(size_t* newline, int wait_ms) {
    if (pos == end && restart_pending_) {
      restart_pending_ = false;
      return Line::Restart;
    }
    size_t scanned = 0;  // bytes after pos known to hold no newline (refill moves them, not this)
    while (true) {
      if (pos + scanned < end) {
        const void* nl = std::memchr(buf_.data() + pos + scanned, '\n', end - pos - scanned);
        if (nl) {
          *newline = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
          return Line::Found;
        }
      }
      scanned = end - pos;
      ReadStatus status = refill(wait_ms);
      if (status == ReadStatus::Data) continue;
      if (status == ReadStatus::NotReady) return Line::NotReady;
      if (status == ReadStatus::Restart && pos == end) {
        restart_pending_ = false;
        return Line::Restart;
      }
      // Stopped while a live line was half written: the half is dropped, not taken for a row.
      if (pos == end || stopped_) {
        pos = end;
        return Line::End;
      }
      *newline = end;
      return Line::Found;
    }
  }

 private:
  ByteSource* in_;
  std::vector<char> buf_;
  uint64_t total_ = 0;
  bool eof_ = false;
  bool stopped_ = false;
  bool restart_pending_ = false;
};

class ReaderBase : public RowReader {
 public:
  ReaderBase(std::unique_ptr<ByteSource> in, std::string name, int schema, std::vector<FieldSpec> fields,
             RejectSink rejects)
      : in_(std::move(in)), input_(in_.get()), name_(std::move(name)), schema_(schema),
        fields_(std::move(fields)), rejects_(std::move(rejects)), row_(fields_) {
    for (auto& f : fields_) kinds_.push_back(f.type.kind);
    live_ = in_->live();
  }
  bool live() const override { return live_; }
  std::string read_error() const override { return in_->error(); }
  void resume_at(Position p) override { resume_ = p; }

 protected:
  // Moves to the recorded position once (CSV: after its header). An input that is not the
  // same file any more (shorter than the position) or cannot seek is an error naming it.
  Result<bool> apply_resume() {
    if (!resume_) return true;
    Position p = *resume_;
    resume_.reset();
    if (!input_.skip_to(p.offset)) {
      return Result<bool>::failure(fmt::format("{}: cannot continue at byte {} (the input cannot seek there)", name_,
                                               p.offset));
    }
    bytes_read_ = p.offset;
    set_next_line(p.line);
    return true;
  }
  virtual void set_next_line(uint64_t line) = 0;
  std::optional<Position> resume_;

  // How long a read may wait: a live input's batch is cut as soon as nothing more is ready
  // (docs/language.md §11); before its first row the reader waits for one.
  int wait_ms(const Batch& batch) const {
    return live_ && (batch.rows > 0 || rows_rejected_ > rejected_at_start_) ? 0 : -1;
  }
  // A live batch is also cut max_delay after its first row, for a stream that never pauses.
  bool past_deadline(const Batch& batch) {
    if (!live_ || batch.rows == 0) return false;
    auto now = std::chrono::steady_clock::now();
    if (!timing_) {  // the batch's first row was just read: its delay starts now
      timing_ = true;
      first_row_at_ = now;
    }
    return now - first_row_at_ >= std::chrono::nanoseconds(max_delay_ns());
  }
  void begin_batch() {
    timing_ = false;
    rejected_at_start_ = rows_rejected_;  // a batch of only rejects is handed on too
  }
  void reject(uint64_t line, std::string reason, std::string_view raw) {
    ++rows_rejected_;
    if (stop_at_reject_) stopped_ = true;
    if (rejects_) rejects_(RejectedRow{name_, line, std::move(reason), std::string(raw)});
  }
  // Commits the assembled row, or rejects it when a non-nullable field is null.
  void finish_row(Batch& batch, uint64_t line, std::string_view raw) {
    int missing = row_.null_violation();
    if (missing >= 0) {
      reject(line, fmt::format("null in non-nullable field '{}'", fields_[missing].name), raw);
      return;
    }
    row_.commit(batch, line);
  }

  std::unique_ptr<ByteSource> in_;
  InputBuffer input_;
  bool live_ = false;
  std::chrono::steady_clock::time_point first_row_at_{};
  bool timing_ = false;  // first_row_at_ holds this batch's first row
  uint64_t rejected_at_start_ = 0;
  enum class Record { Ok, NotReady, End, Restart };
  std::string name_;
  int schema_;
  std::vector<FieldSpec> fields_;
  std::vector<TypeKind> kinds_;
  RejectSink rejects_;
  RowBuilder row_;
};

// RFC 4180. Records without a quote (nearly all) are split in place with memchr; a record with
// a quote goes through a small state machine that unescapes into scratch storage and may span
// lines.
class CsvReader : public ReaderBase {
 public:
  using ReaderBase::ReaderBase;

  Result<bool> next(Batch& batch, size_t max_rows) override {
    batch.reset(schema_, kinds_);
    batch.source = name_;
    if (!header_done_) {
      auto r = read_header();
      if (!r.ok()) return Result<bool>::failure(r.error());
      if (!r.value()) return false;  // stopped before the header came
      header_done_ = true;
      if (auto resumed = apply_resume(); !resumed.ok()) return resumed;
    }
    std::string reason;
    if (stopped_) return false;
    begin_batch();
    while (batch.rows < max_rows && !stopped_ && !past_deadline(batch)) {
      uint64_t line = line_;
      Record got = read_record(wait_ms(batch));
      if (got == Record::NotReady || got == Record::End) break;
      if (got == Record::Restart) {
        // A rotated or truncated file starts with its own header. Its lines go on counting
        // from the old file's, so (input, line) stays one row's identity.
        if (batch.rows > 0) {
          header_done_ = false;
          break;
        }
        if (auto r = read_header(); !r.ok()) return Result<bool>::failure(r.error());
        continue;
      }
      if (fields_view_.size() == 1 && fields_view_[0].empty() && !is_quoted(0)) continue;  // blank line
      ++rows_read_;
      if (fields_view_.size() != header_.size()) {
        reject(line, fmt::format("expected {} fields, found {}", header_.size(), fields_view_.size()), raw_);
        continue;
      }
      row_.clear();
      bool ok = true;
      for (size_t i = 0; i < fields_.size(); ++i) {
        int col = column_of_[i];
        if (col < 0) continue;
        std::string_view text = fields_view_[col];
        if (text.empty() && !is_quoted(col)) continue;  // unquoted empty: null
        // Alerts are UTF-8 JSON: a field that is not UTF-8 rejects its row (docs/language.md §9).
        if (!ascii_ && kinds_[i] == TypeKind::String && !simdjson::validate_utf8(text.data(), text.size())) {
          reject(line, fmt::format("field '{}': not valid UTF-8", fields_[i].name), raw_);
          ok = false;
          break;
        }
        if (!parse_field(text, kinds_[i], &row_.slot(i), &reason)) {
          reject(line, fmt::format("field '{}': {}", fields_[i].name, reason), raw_);
          ok = false;
          break;
        }
      }
      if (ok) finish_row(batch, line, raw_);
    }
    bytes_read_ = input_.consumed();
    if (input_.bad()) return Result<bool>::failure(fmt::format("{}: read error", name_));
    return batch.rows > 0 || !eof_;
  }

  Position position() const override { return {bytes_read_, line_}; }

 private:
  void set_next_line(uint64_t line) override { line_ = line; }

  Result<bool> read_header() {
    Record got = read_record(-1);
    while (got == Record::Restart) got = read_record(-1);
    if (got != Record::Ok) {
      if (input_.stopped()) return false;
      return Result<bool>::failure(fmt::format("{}: empty input: expected a header row", name_));
    }
    header_.assign(fields_view_.begin(), fields_view_.end());
    if (!header_.empty() && header_[0].starts_with("\xEF\xBB\xBF")) header_[0] = header_[0].substr(3);
    column_of_.assign(fields_.size(), -1);
    for (size_t i = 0; i < fields_.size(); ++i) {
      for (size_t c = 0; c < header_.size(); ++c) {
        if (header_[c] == fields_[i].name) column_of_[i] = static_cast<int>(c);
      }
      if (column_of_[i] < 0 && !fields_[i].type.nullable) {
        return Result<bool>::failure(
            fmt::format("{}: the header has no column '{}' (a non-nullable field of the schema)", name_, fields_[i].name));
      }
    }
    return true;
  }

  // The next record into fields_view_/quoted_/raw_ (views valid until the next call). A live
  // input's unfinished record stays in the buffer (NotReady) until the rest arrives.
  Record read_record(int wait_ms) {
    while (true) {
      size_t line_end;
      InputBuffer::Line line = input_.next_line(&line_end, wait_ms);
      if (line == InputBuffer::Line::NotReady) return Record::NotReady;
      if (line == InputBuffer::Line::Restart) return Record::Restart;
      if (line == InputBuffer::Line::End) {
        eof_ = true;
        return Record::End;
      }
      if (split_plain(input_.data() + input_.pos, line_end - input_.pos)) {
        input_.pos = line_end < input_.end ? line_end + 1 : input_.end;
        ++line_;
        return Record::Ok;
      }
      if (scan_quoted()) return Record::Ok;
      ReadStatus more = input_.refill(wait_ms);
      if (more == ReadStatus::NotReady) return Record::NotReady;
      if (more == ReadStatus::Data) continue;
      if (input_.stopped()) {  // a stop in the middle of a quoted record: not a row
        eof_ = true;
        return Record::End;
      }
      scan_quoted(/*at_end=*/true);  // the input (or the followed file) ended inside the record
      return Record::Ok;
    }
  }

  // Splits a line without quotes at its commas in one pass: 16 bytes at a time with SSE2 (part
  // of every x86-64), commas taken from a bit mask, the tail byte by byte. False when the line
  // has a quote. (The byte loop was half of `alertc run`'s reading time: bench/e2e_duckdb.sh.)
  bool split_plain(const char* p, size_t n) {
    if (n > 0 && p[n - 1] == '\r') --n;
    fields_view_.clear();
    size_t start = 0, i = 0;
#if defined(__SSE2__)
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
    int high_bits = 0;  // bytes >= 0x80: the line needs a UTF-8 check
    for (; i + 16 <= n; i += 16) {
      __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      high_bits |= _mm_movemask_epi8(chunk);
      if (_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, quote)) != 0) return false;
      auto commas = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, comma)));
      for (; commas != 0; commas &= commas - 1) {
        size_t at = i + static_cast<size_t>(__builtin_ctz(commas));
        fields_view_.emplace_back(p + start, at - start);
        start = at + 1;
      }
    }
#else
    int high_bits = 0;
#endif
    for (; i < n; ++i) {
      char c = p[i];
      high_bits |= static_cast<unsigned char>(c) & 0x80;
      if (c == ',') {
        fields_view_.emplace_back(p + start, i - start);
        start = i + 1;
      } else if (c == '"') {
        return false;
      }
    }
    fields_view_.emplace_back(p + start, n - start);
    plain_ = true;
    ascii_ = high_bits == 0;
    raw_ = std::string_view(p, n);
    return true;
  }

  // A record containing quotes, from input_.pos. False when the buffer ends inside it (unless
  // at_end: then the record is what there is). Unescaped fields go to scratch_.
  bool scan_quoted(bool at_end = false) {
    const char* base = input_.data();
    size_t i = input_.pos, end = input_.end;
    scratch_.clear();
    std::vector<std::pair<size_t, size_t>> spans;  // into scratch_
    quoted_.clear();
    plain_ = false;
    ascii_ = false;  // checked per field: quoted records are rare
    size_t field_start = 0;
    bool quoted = false;
    uint64_t newlines = 0;
    auto close_field = [&]() {
      spans.emplace_back(field_start, scratch_.size() - field_start);
      quoted_.push_back(quoted);
      field_start = scratch_.size();
      quoted = false;
    };
    while (true) {
      if (i == end) {
        if (!at_end) return false;
        close_field();
        break;
      }
      char c = base[i++];
      if (c == '\n') {
        ++newlines;
        close_field();
        break;
      }
      // The CR of a CRLF ends the record, after a quoted field as after a plain one (docs/language.md
      // §9); a CR anywhere else is data.
      if (c == '\r' && (i < end ? base[i] == '\n' : at_end)) continue;
      if (c == '\r' && i == end) return false;  // the LF that may follow is not read yet
      if (c == ',') {
        close_field();
        continue;
      }
      if (c == '"' && scratch_.size() == field_start && !quoted) {
        quoted = true;
        bool closed = false;
        while (i < end) {
          char q = base[i++];
          if (q == '\n') ++newlines;
          if (q == '"') {
            if (i == end && !at_end) return false;  // "" may straddle the buffer's end
            if (i < end && base[i] == '"') {
              scratch_ += '"';
              ++i;
              continue;
            }
            closed = true;
            break;
          }
          scratch_ += q;
        }
        if (!closed && !at_end) return false;
        continue;
      }
      scratch_ += c;
    }
    size_t raw_end = i;
    if (raw_end > input_.pos && base[raw_end - 1] == '\n') --raw_end;
    if (raw_end > input_.pos && base[raw_end - 1] == '\r') --raw_end;
    raw_ = std::string_view(base + input_.pos, raw_end - input_.pos);
    fields_view_.clear();
    for (auto [off, len] : spans) fields_view_.emplace_back(scratch_.data() + off, len);
    input_.pos = i;
    line_ += newlines;
    return true;
  }

  bool header_done_ = false;
  bool eof_ = false;
  uint64_t line_ = 1;
  std::vector<std::string> header_;
  std::vector<int> column_of_;
  std::vector<std::string_view> fields_view_;
  std::vector<bool> quoted_;  // per field of a record with quotes
  bool plain_ = true;         // the record had no quote: no field is quoted
  bool ascii_ = true;         // the record is known to hold only ASCII bytes
  bool is_quoted(size_t field) const { return !plain_ && quoted_[field]; }
  std::string scratch_;
  std::string_view raw_;
};

class JsonLinesReader : public ReaderBase {
 public:
  using ReaderBase::ReaderBase;

  Result<bool> next(Batch& batch, size_t max_rows) override {
    batch.reset(schema_, kinds_);
    batch.source = name_;
    std::string reason;
    if (stopped_) return false;
    if (auto resumed = apply_resume(); !resumed.ok()) return resumed;
    begin_batch();
    while (batch.rows < max_rows && !stopped_ && !past_deadline(batch)) {
      std::string_view line;
      Record got = read_line(&line, wait_ms(batch));
      if (got == Record::NotReady) break;
      if (got == Record::Restart) continue;  // JSON Lines has no header: go on with the new file
      if (got == Record::End) {
        eof_ = true;
        break;
      }
      uint64_t number = ++line_;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      ++rows_read_;
      if (!parse_line(line, &reason)) {
        reject(number, reason, line);
        continue;
      }
      finish_row(batch, number, line);
    }
    bytes_read_ = input_.consumed();
    if (input_.bad()) return Result<bool>::failure(fmt::format("{}: read error", name_));
    return batch.rows > 0 || !eof_;
  }

  Position position() const override { return {bytes_read_, line_ + 1}; }

 private:
  void set_next_line(uint64_t line) override { line_ = line - 1; }

  // The next line (without \n and a trailing \r), a view into the input buffer followed by at
  // least SIMDJSON_PADDING readable bytes.
  Record read_line(std::string_view* line, int wait_ms) {
    size_t stop;
    InputBuffer::Line got = input_.next_line(&stop, wait_ms);
    if (got == InputBuffer::Line::NotReady) return Record::NotReady;
    if (got == InputBuffer::Line::Restart) return Record::Restart;
    if (got == InputBuffer::Line::End) return Record::End;
    const char* base = input_.data();
    size_t n = stop - input_.pos;
    if (n > 0 && base[input_.pos + n - 1] == '\r') --n;
    *line = std::string_view(base + input_.pos, n);
    input_.pos = stop < input_.end ? stop + 1 : stop;
    return Record::Ok;
  }

  bool parse_line(std::string_view line, std::string* reason) {
    row_.clear();
    simdjson::ondemand::document doc;
    // The buffer holds at least SIMDJSON_PADDING bytes after any line.
    if (auto err = parser_.iterate(line.data(), line.size(), line.size() + InputBuffer::kPadding).get(doc)) {
      *reason = fmt::format("not JSON: {}", simdjson::error_message(err));
      return false;
    }
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj)) {
      *reason = "not a JSON object";
      return false;
    }
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) {
        *reason = "bad object key";
        return false;
      }
      int index = -1;
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (fields_[i].name == key) index = static_cast<int>(i);
      }
      if (index < 0) continue;
      simdjson::ondemand::value v;
      if (field.value().get(v)) {
        *reason = fmt::format("field '{}': bad value", key);
        return false;
      }
      if (!value_of(v, kinds_[index], &row_.slot(index), reason)) {
        *reason = fmt::format("field '{}': {}", key, *reason);
        return false;
      }
    }
    return true;
  }

  bool value_of(simdjson::ondemand::value& v, TypeKind kind, FieldSlot* out, std::string* reason) {
    simdjson::ondemand::json_type type;
    if (v.type().get(type)) {
      *reason = "bad value";
      return false;
    }
    if (type == simdjson::ondemand::json_type::null) {
      out->null = true;
      return true;
    }
    out->null = false;
    switch (kind) {
      case TypeKind::Int:
        if (type != simdjson::ondemand::json_type::number || v.get_int64().get(out->i)) {
          *reason = "expected an int";
          return false;
        }
        return true;
      case TypeKind::Float:
        if (type != simdjson::ondemand::json_type::number || v.get_double().get(out->f)) {
          *reason = "expected a number";
          return false;
        }
        return true;
      case TypeKind::Bool:
        if (type != simdjson::ondemand::json_type::boolean || v.get_bool().get(out->b)) {
          *reason = "expected true or false";
          return false;
        }
        return true;
      default: {
        std::string_view s;
        if (type != simdjson::ondemand::json_type::string || v.get_string().get(s)) {
          *reason = fmt::format("expected a string ({})", type_kind_name(kind));
          return false;
        }
        return parse_field(s, kind, out, reason);
      }
    }
  }

  simdjson::ondemand::parser parser_;
  uint64_t line_ = 0;
  bool eof_ = false;
};

}  // namespace

namespace {

std::unique_ptr<RowReader> make_reader(std::unique_ptr<ByteSource> in, std::string name, InputFormat format,
                                       int schema_index, std::vector<FieldSpec> fields, RejectSink rejects) {
  if (format == InputFormat::JsonLines) {
    return std::make_unique<JsonLinesReader>(std::move(in), std::move(name), schema_index, std::move(fields),
                                             std::move(rejects));
  }
  return std::make_unique<CsvReader>(std::move(in), std::move(name), schema_index, std::move(fields),
                                     std::move(rejects));
}

}  // namespace

std::unique_ptr<RowReader> make_reader(std::unique_ptr<std::istream> in, std::string name, InputFormat format,
                                       int schema_index, std::vector<FieldSpec> fields, RejectSink rejects) {
  return make_reader(istream_source(std::move(in)), std::move(name), format, schema_index, std::move(fields),
                     std::move(rejects));
}

InputFormat format_of_path(const std::string& path) {
  if (path.ends_with(".jsonl") || path.ends_with(".ndjson") || path.ends_with(".json")) return InputFormat::JsonLines;
  return InputFormat::Csv;
}

Result<std::unique_ptr<RowReader>> open_reader(const std::string& path, int schema_index,
                                               std::vector<FieldSpec> fields, RejectSink rejects,
                                               const ReaderOptions& options) {
  InputFormat fmt = options.format ? *options.format : format_of_path(path);
  std::unique_ptr<ByteSource> in;
  if (path == "-") {
    in = fd_source(STDIN_FILENO, false, options.stop_fd);
  } else {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Result<std::unique_ptr<RowReader>>::failure(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
    struct stat st {};
    bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    in = options.follow && regular ? follow_source(path, fd, options.stop_fd) : fd_source(fd, true, options.stop_fd);
  }
  auto reader = make_reader(std::move(in), path == "-" ? "<stdin>" : path, fmt, schema_index, std::move(fields),
                            std::move(rejects));
  reader->set_max_delay(options.max_delay_ns);
  return reader;
}

Result<std::unique_ptr<RowReader>> open_reader(const std::string& path, int schema_index,
                                               std::vector<FieldSpec> fields, RejectSink rejects,
                                               std::optional<InputFormat> format) {
  ReaderOptions options;
  options.format = format;
  return open_reader(path, schema_index, std::move(fields), std::move(rejects), options);
}

}  // namespace alert
