#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "alert/compiler.h"
#include "commands.h"

namespace alert::cli {
namespace {

// The .alert files named, with directories searched recursively, in a stable order.
std::vector<std::string> collect(const std::vector<std::string>& paths, bool* missing) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto& e : std::filesystem::recursive_directory_iterator(p, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".alert") found.push_back(e.path().string());
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(p, ec)) {
      out.push_back(p);
    } else {
      std::cerr << "alertc: error: no such file or directory: '" << p << "'\n";
      *missing = true;
    }
  }
  return out;
}

}  // namespace

int run_fmt(const FmtOptions& options) {
  bool missing = false;
  std::vector<std::string> files = collect(options.paths, &missing);
  if (missing) return 2;
  int unformatted = 0, failed = 0;
  for (const std::string& file : files) {
    std::string formatted, error;
    if (!format_alert_file(file, &formatted, &error)) {
      std::cerr << error << (error.ends_with("\n") ? "" : "\n");
      ++failed;
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    std::stringstream current;
    current << in.rdbuf();
    if (current.str() == formatted) continue;
    ++unformatted;
    if (options.check) {
      std::cout << file << '\n';
      continue;
    }
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << formatted;
    if (!out) {
      std::cerr << "alertc: error: cannot write '" << file << "'\n";
      ++failed;
    }
  }
  if (options.check && unformatted) {
    std::cerr << "alertc: " << unformatted << " of " << files.size() << " files are not formatted (run alertc fmt)\n";
  }
  if (failed) return 1;
  return options.check && unformatted ? 1 : 0;
}

}  // namespace alert::cli
