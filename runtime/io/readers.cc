// CSV (RFC 4180: quotes, doubled quotes, CRLF, newlines inside quotes) and JSON Lines (simdjson)
// readers. Both stream: they hold one chunk of input and one batch at a time.
#include <simdjson.h>

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <optional>

#include "alert/reader.h"
#include "runtime/io/field_parser.h"

namespace alert {
namespace {

// Buffered byte source over an istream.
class ByteSource {
 public:
  explicit ByteSource(std::istream* in) : in_(in) {}
  int get() {
    if (pos_ == len_ && !refill()) return -1;
    return static_cast<unsigned char>(buf_[pos_++]);
  }
  int peek() {
    if (pos_ == len_ && !refill()) return -1;
    return static_cast<unsigned char>(buf_[pos_]);
  }
  bool bad() const { return in_->bad(); }
  uint64_t consumed() const { return total_ - (len_ - pos_); }
  // Reads one line (without its \n and a trailing \r); false at end of input.
  bool line(std::string* out) {
    out->clear();
    while (true) {
      if (pos_ == len_ && !refill()) return !out->empty() || saw_any_;
      saw_any_ = true;
      const char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      if (nl) {
        size_t n = static_cast<const char*>(nl) - start;
        out->append(start, n);
        pos_ += n + 1;
        if (!out->empty() && out->back() == '\r') out->pop_back();
        saw_any_ = false;
        return true;
      }
      out->append(start, len_ - pos_);
      pos_ = len_;
    }
  }

 private:
  bool refill() {
    if (buf_.empty()) buf_.resize(1 << 16);
    in_->read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    len_ = static_cast<size_t>(in_->gcount());
    pos_ = 0;
    total_ += len_;
    return len_ > 0;
  }
  std::istream* in_;
  std::string buf_;
  size_t pos_ = 0, len_ = 0;
  uint64_t total_ = 0;
  bool saw_any_ = false;
};

class ReaderBase : public RowReader {
 public:
  ReaderBase(std::unique_ptr<std::istream> in, std::string name, int schema, std::vector<FieldSpec> fields,
             RejectSink rejects)
      : in_(std::move(in)), source_(in_.get()), name_(std::move(name)), schema_(schema),
        fields_(std::move(fields)), rejects_(std::move(rejects)) {
    for (auto& f : fields_) kinds_.push_back(f.type.kind);
    row_.resize(fields_.size());
  }

 protected:
  void reject(uint64_t line, std::string reason, std::string raw) {
    ++rows_rejected_;
    if (rejects_) rejects_(RejectedRow{name_, line, std::move(reason), std::move(raw)});
  }
  // Checks nullability of the assembled row; false (and rejected) when a required value is null.
  bool check_nulls(uint64_t line, const std::string& raw) {
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (row_[i].is_null() && !fields_[i].type.nullable) {
        reject(line, fmt::format("null in non-nullable field '{}'", fields_[i].name), raw);
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<std::istream> in_;
  ByteSource source_;
  std::string name_;
  int schema_;
  std::vector<FieldSpec> fields_;
  std::vector<TypeKind> kinds_;
  RejectSink rejects_;
  std::vector<Value> row_;
};

class CsvReader : public ReaderBase {
 public:
  using ReaderBase::ReaderBase;

  Result<bool> next(Batch& batch, size_t max_rows) override {
    batch.reset(schema_, kinds_);
    if (!header_done_) {
      if (auto r = read_header(); !r.ok()) return Result<bool>::failure(r.error());
      header_done_ = true;
    }
    while (batch.rows < max_rows) {
      uint64_t line = line_;
      if (!read_record()) break;
      if (record_.size() == 1 && record_[0].empty() && !quoted_[0]) continue;  // blank line
      ++rows_read_;
      if (record_.size() != header_.size()) {
        reject(line, fmt::format("expected {} fields, found {}", header_.size(), record_.size()), raw_);
        continue;
      }
      bool ok = true;
      for (size_t i = 0; i < fields_.size() && ok; ++i) {
        int col = column_of_[i];
        if (col < 0) {
          row_[i] = Value::null();
          continue;
        }
        const std::string& text = record_[col];
        if (text.empty() && !quoted_[col]) {
          row_[i] = Value::null();
          continue;
        }
        std::string reason;
        if (!parse_field_text(text, kinds_[i], &row_[i], &reason)) {
          reject(line, fmt::format("field '{}': {}", fields_[i].name, reason), raw_);
          ok = false;
        }
      }
      if (!ok || !check_nulls(line, raw_)) continue;
      batch.append(row_, line);
    }
    bytes_read_ = source_.consumed();
    if (source_.bad()) return Result<bool>::failure(fmt::format("{}: read error", name_));
    return batch.rows > 0 || !eof_;
  }

 private:
  Result<bool> read_header() {
    if (!read_record()) return Result<bool>::failure(fmt::format("{}: empty input: expected a header row", name_));
    header_ = record_;
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

  // One RFC 4180 record; false at end of input.
  bool read_record() {
    record_.clear();
    quoted_.clear();
    raw_.clear();
    int c = source_.peek();
    if (c < 0) {
      eof_ = true;
      return false;
    }
    std::string field;
    bool quoted = false;
    while (true) {
      c = source_.get();
      if (c < 0 || c == '\n') {
        if (c == '\n') ++line_;
        if (!field.empty() && field.back() == '\r' && !quoted) field.pop_back();
        if (!raw_.empty() && raw_.back() == '\r') raw_.pop_back();
        record_.push_back(std::move(field));
        quoted_.push_back(quoted);
        if (c < 0) eof_ = true;
        return true;
      }
      if (c == ',') {
        raw_ += ',';
        record_.push_back(std::move(field));
        quoted_.push_back(quoted);
        field.clear();
        quoted = false;
        continue;
      }
      if (c == '"' && field.empty() && !quoted) {
        quoted = true;
        raw_ += '"';
        // Quoted field: up to the closing quote, "" is a quote, newlines are kept.
        while (true) {
          int q = source_.get();
          if (q < 0) break;
          raw_ += static_cast<char>(q);
          if (q == '\n') ++line_;
          if (q == '"') {
            if (source_.peek() == '"') {
              source_.get();
              raw_ += '"';
              field += '"';
              continue;
            }
            break;
          }
          field += static_cast<char>(q);
        }
        continue;
      }
      raw_ += static_cast<char>(c);
      field += static_cast<char>(c);
    }
  }

  bool header_done_ = false;
  bool eof_ = false;
  uint64_t line_ = 1;
  std::vector<std::string> header_;
  std::vector<int> column_of_;
  std::vector<std::string> record_;
  std::vector<bool> quoted_;
  std::string raw_;
};

class JsonLinesReader : public ReaderBase {
 public:
  using ReaderBase::ReaderBase;

  Result<bool> next(Batch& batch, size_t max_rows) override {
    batch.reset(schema_, kinds_);
    std::string line;
    while (batch.rows < max_rows) {
      if (!source_.line(&line)) {
        eof_ = true;
        break;
      }
      uint64_t number = ++line_;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      ++rows_read_;
      std::string reason;
      if (!parse_line(line, &reason)) {
        reject(number, reason, line);
        continue;
      }
      if (!check_nulls(number, line)) continue;
      batch.append(row_, number);
    }
    bytes_read_ = source_.consumed();
    if (source_.bad()) return Result<bool>::failure(fmt::format("{}: read error", name_));
    return batch.rows > 0 || !eof_;
  }

 private:
  bool parse_line(const std::string& line, std::string* reason) {
    for (auto& v : row_) v = Value::null();
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (auto err = parser_.iterate(padded).get(doc)) {
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
      if (!value_of(v, kinds_[index], &row_[index], reason)) {
        *reason = fmt::format("field '{}': {}", key, *reason);
        return false;
      }
    }
    return true;
  }

  bool value_of(simdjson::ondemand::value& v, TypeKind kind, Value* out, std::string* reason) {
    simdjson::ondemand::json_type type;
    if (v.type().get(type)) {
      *reason = "bad value";
      return false;
    }
    if (type == simdjson::ondemand::json_type::null) {
      *out = Value::null();
      return true;
    }
    switch (kind) {
      case TypeKind::Int: {
        int64_t x;
        if (type != simdjson::ondemand::json_type::number || v.get_int64().get(x)) {
          *reason = "expected an int";
          return false;
        }
        *out = Value::integer(x);
        return true;
      }
      case TypeKind::Float: {
        double x;
        if (type != simdjson::ondemand::json_type::number || v.get_double().get(x)) {
          *reason = "expected a number";
          return false;
        }
        *out = Value::floating(x);
        return true;
      }
      case TypeKind::Bool: {
        bool x;
        if (type != simdjson::ondemand::json_type::boolean || v.get_bool().get(x)) {
          *reason = "expected true or false";
          return false;
        }
        *out = Value::boolean(x);
        return true;
      }
      default: {
        std::string_view s;
        if (type != simdjson::ondemand::json_type::string || v.get_string().get(s)) {
          *reason = fmt::format("expected a string ({})", type_kind_name(kind));
          return false;
        }
        return parse_field_text(s, kind, out, reason);
      }
    }
  }

  simdjson::ondemand::parser parser_;
  uint64_t line_ = 0;
  bool eof_ = false;
};

}  // namespace

std::unique_ptr<RowReader> make_reader(std::unique_ptr<std::istream> in, std::string name,
                                       InputFormat format, int schema_index,
                                       std::vector<FieldSpec> fields, RejectSink rejects) {
  if (format == InputFormat::JsonLines) {
    return std::make_unique<JsonLinesReader>(std::move(in), std::move(name), schema_index, std::move(fields),
                                             std::move(rejects));
  }
  return std::make_unique<CsvReader>(std::move(in), std::move(name), schema_index, std::move(fields),
                                     std::move(rejects));
}

Result<std::unique_ptr<RowReader>> open_reader(const std::string& path, int schema_index,
                                               std::vector<FieldSpec> fields, RejectSink rejects,
                                               std::optional<InputFormat> format) {
  InputFormat fmt = InputFormat::Csv;
  if (format) {
    fmt = *format;
  } else if (path.ends_with(".jsonl") || path.ends_with(".ndjson") || path.ends_with(".json")) {
    fmt = InputFormat::JsonLines;
  }
  std::unique_ptr<std::istream> in;
  if (path == "-") {
    auto s = std::make_unique<std::istream>(std::cin.rdbuf());
    in = std::move(s);
  } else {
    auto f = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*f) return Result<std::unique_ptr<RowReader>>::failure(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
    in = std::move(f);
  }
  return make_reader(std::move(in), path == "-" ? "<stdin>" : path, fmt, schema_index, std::move(fields),
                     std::move(rejects));
}

}  // namespace alert
