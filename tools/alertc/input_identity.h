// Whether a file is still the one a checkpoint read (docs/language.md §12): a digest of its first
// bytes (up to 64 KiB, or up to the position read, if less), and its size. A file that only grew
// keeps its identity; one that is shorter than the position, or starts differently, does not.
#pragma once

#include <cstdint>
#include <string>

namespace alert::cli {

constexpr uint64_t kPrefixBytes = 64 * 1024;  // how much of a file its digest covers at most

// The digest of the first min(limit, kPrefixBytes) bytes of `path`; empty when it cannot be read.
std::string prefix_digest(const std::string& path, uint64_t limit);

// Empty when `path` can continue at `offset` with that digest; else what changed.
std::string identity_change(const std::string& path, uint64_t offset, const std::string& digest);

}  // namespace alert::cli
