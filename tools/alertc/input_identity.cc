#include "input_identity.h"

#include "runtime/engine/group_keys.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <vector>

namespace alert::cli {

std::string prefix_digest(const std::string& path, uint64_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::vector<char> bytes(static_cast<size_t>(std::min(limit, kPrefixBytes)));
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return fmt::format("{}:{:016x}", bytes.size(), fnv1a(std::string_view(bytes.data(), bytes.size())));
}

std::string identity_change(const std::string& path, uint64_t offset, const std::string& digest) {
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return fmt::format("it cannot be read ({})", ec.message());
  if (size < offset) return fmt::format("it is shorter ({} bytes) than where the checkpoint left it ({})", size, offset);
  if (prefix_digest(path, offset) != digest) return "its first bytes differ from the file the checkpoint read";
  return {};
}

}  // namespace alert::cli
