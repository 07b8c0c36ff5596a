// Bytes for strings made while evaluating one batch (lower(), concat(), string(x), ...). Blocks
// are never moved, so a string handed out stays valid until reset() at the next batch.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <vector>

#include "abi/kernel_abi.h"

namespace alert {

class StringArena {
 public:
  // Every string is followed by ALERT_STRING_PADDING readable bytes (kernel_abi.h).
  char* allocate(size_t size) {
    size += kPadding;
    if (size > kBlockSize / 4) {
      large_.push_back(std::make_unique<char[]>(size));
      return large_.back().get();
    }
    if (blocks_.empty() || used_ + size > kBlockSize) {
      if (next_block_ >= blocks_.size()) blocks_.push_back(std::make_unique<char[]>(kBlockSize));
      current_ = blocks_[next_block_++].get();
      used_ = 0;
    }
    char* out = current_ + used_;
    used_ += size;
    return out;
  }
  char* copy(const char* data, size_t size) {
    char* out = allocate(size);
    if (size) std::memcpy(out, data, size);
    return out;
  }
  // Keeps the blocks for reuse; drops oversized strings.
  void reset() {
    next_block_ = 0;
    current_ = nullptr;
    used_ = kBlockSize;
    large_.clear();
  }

 private:
  static constexpr size_t kBlockSize = 64 * 1024;
  static constexpr size_t kPadding = ALERT_STRING_PADDING;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> large_;
  size_t next_block_ = 0;
  char* current_ = nullptr;
  size_t used_ = kBlockSize;
};

}  // namespace alert
