#include "signer/byte_arena.h"

#include <algorithm>
#include <cstring>

namespace zonekeep {
namespace signer {

absl::string_view ByteArena::Add(absl::string_view bytes) {
  if (bytes.empty()) return absl::string_view();
  std::lock_guard<std::mutex> lock(mu_);
  char* at;
  if (bytes.size() > next_block_bytes_ / 4 && bytes.size() > left_) {
    // A block of its own; the current block keeps its free space.
    blocks_.emplace_back(new char[bytes.size()]);  // not zeroed
    allocated_ += bytes.size();
    at = blocks_.back().get();
  } else {
    if (bytes.size() > left_) {
      blocks_.emplace_back(new char[next_block_bytes_]);
      allocated_ += next_block_bytes_;
      next_ = blocks_.back().get();
      left_ = next_block_bytes_;
      next_block_bytes_ = std::min(next_block_bytes_ * 2, kMaxBlockBytes);
    }
    at = next_;
    next_ += bytes.size();
    left_ -= bytes.size();
  }
  std::memcpy(at, bytes.data(), bytes.size());
  return absl::string_view(at, bytes.size());
}

size_t ByteArena::allocated_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return allocated_;
}

size_t ByteArena::block_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return blocks_.size();
}

}  // namespace signer
}  // namespace zonekeep
