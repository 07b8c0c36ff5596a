#include "compiler/source/source_manager.h"

#include <algorithm>

namespace alert {

uint32_t SourceManager::add_file(std::string path, std::string contents) {
  auto file = std::make_unique<File>();
  file->path = std::move(path);
  file->contents = std::move(contents);
  file->line_starts.push_back(0);
  const std::string& text = file->contents;
  for (uint32_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') file->line_starts.push_back(i + 1);
  }
  files_.push_back(std::move(file));
  return static_cast<uint32_t>(files_.size());
}

uint32_t SourceManager::find_file(std::string_view path) const {
  for (size_t i = 0; i < files_.size(); ++i) {
    if (files_[i]->path == path) return static_cast<uint32_t>(i + 1);
  }
  return 0;
}

LineCol SourceManager::line_col(SourceLoc loc) const {
  if (!loc.valid()) return {};
  const auto& starts = files_[loc.file - 1]->line_starts;
  auto it = std::upper_bound(starts.begin(), starts.end(), loc.offset);
  uint32_t line = static_cast<uint32_t>(it - starts.begin());
  return {line, loc.offset - starts[line - 1] + 1};
}

std::string_view SourceManager::line_text(uint32_t file, uint32_t line) const {
  const File& f = *files_[file - 1];
  if (line == 0 || line > f.line_starts.size()) return {};
  uint32_t begin = f.line_starts[line - 1];
  uint32_t end = line < f.line_starts.size() ? f.line_starts[line] - 1 : f.contents.size();
  if (end > begin && f.contents[end - 1] == '\r') --end;
  return std::string_view(f.contents).substr(begin, end - begin);
}

std::string_view SourceManager::text(SourceRange range) const {
  if (!range.valid() || range.begin.file != range.end.file) return {};
  std::string_view all = contents(range.begin.file);
  if (range.end.offset < range.begin.offset || range.end.offset > all.size()) return {};
  return all.substr(range.begin.offset, range.end.offset - range.begin.offset);
}

}  // namespace alert
