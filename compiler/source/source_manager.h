// Owns the text of every loaded .alert file and maps byte offsets to lines and columns, so every
// other layer can carry a compact SourceLoc and still render "file:line:col" and the source line.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace alert {

struct SourceLoc {
  uint32_t file = 0;  // 0 means "no location"
  uint32_t offset = 0;
  bool valid() const { return file != 0; }
};

// Half-open byte range [begin, end) in one file.
struct SourceRange {
  SourceLoc begin;
  SourceLoc end;
  bool valid() const { return begin.valid(); }
  static SourceRange join(SourceRange a, SourceRange b) { return {a.begin, b.end}; }
};

struct LineCol {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in bytes
};

class SourceManager {
 public:
  // Registers a file's contents; returns its id (never 0).
  uint32_t add_file(std::string path, std::string contents);
  // The id of an already loaded file with this canonical path, or 0.
  uint32_t find_file(std::string_view path) const;

  const std::string& path(uint32_t file) const { return files_[file - 1]->path; }
  std::string_view contents(uint32_t file) const { return files_[file - 1]->contents; }
  LineCol line_col(SourceLoc loc) const;
  std::string_view line_text(uint32_t file, uint32_t line) const;
  std::string_view text(SourceRange range) const;
  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string path;
    std::string contents;
    std::vector<uint32_t> line_starts;
  };
  std::vector<std::unique_ptr<File>> files_;
};

}  // namespace alert
