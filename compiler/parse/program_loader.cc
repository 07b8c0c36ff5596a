#include "compiler/parse/program_loader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "compiler/parse/parser.h"

namespace alert {
namespace {

namespace fs = std::filesystem;

bool read_file(const std::string& path, std::string* out, std::string* error) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    *error = "is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = std::move(buffer).str();
  return true;
}

class Loader {
 public:
  Loader(SourceManager& sources, DiagnosticEngine& diags, ast::Program& program)
      : sources_(sources), diags_(diags), program_(program) {}

  // Returns false only for an unreadable root file.
  bool load_root(const std::string& path) {
    std::string canonical = canonical_path(path);
    if (ids_.count(canonical)) return true;
    std::string text, error;
    if (!read_file(path, &text, &error)) {
      diags_.report(DiagId::file_unreadable, SourceRange{}, path, error);
      return false;
    }
    load(canonical, path, std::move(text));
    return true;
  }

 private:
  static std::string canonical_path(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::path(path), ec);
    return ec ? path : p.string();
  }

  void load(const std::string& canonical, const std::string& shown, std::string text) {
    // Files are shown by the path the user gave (or the import's resolution), not canonicalized.
    uint32_t id = sources_.add_file(shown, std::move(text));
    ids_[canonical] = id;
    if (!check_source_bytes(sources_, id, diags_)) return;
    std::unique_ptr<ast::File> file = parse_file(sources_, id, diags_);
    stack_.push_back({canonical, id});
    for (const ast::Import& imp : file->imports) import(imp, shown);
    stack_.pop_back();
    program_.files.push_back(std::move(file));
  }

  void import(const ast::Import& imp, const std::string& from) {
    fs::path base = fs::path(from).parent_path();
    fs::path target = imp.path.rfind("std/", 0) == 0 ? fs::path(ALERT_STDLIB_DIR) / imp.path.substr(4)
                                                     : base / imp.path;
    std::string shown = target.lexically_normal().string();
    std::string canonical = canonical_path(shown);
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i].first == canonical) {
        std::string chain;
        for (size_t j = i; j < stack_.size(); ++j) chain += sources_.path(stack_[j].second) + " -> ";
        chain += shown;
        diags_.report(DiagId::import_cycle, imp.range, chain);
        return;
      }
    }
    if (ids_.count(canonical)) return;  // each file is loaded once
    std::string text, error;
    if (!read_file(shown, &text, &error)) {
      diags_.report(DiagId::import_unreadable, imp.range, imp.path, error);
      return;
    }
    load(canonical, shown, std::move(text));
  }

  SourceManager& sources_;
  DiagnosticEngine& diags_;
  ast::Program& program_;
  std::map<std::string, uint32_t> ids_;
  std::vector<std::pair<std::string, uint32_t>> stack_;
};

}  // namespace

LoadResult load_program(const std::vector<std::string>& paths, SourceManager& sources,
                        DiagnosticEngine& diags) {
  LoadResult result;
  Loader loader(sources, diags, result.program);
  for (const std::string& path : paths) {
    if (!loader.load_root(path)) result.io_error = true;
  }
  return result;
}

}  // namespace alert
