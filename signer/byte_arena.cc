#include "signer/byte_arena.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace zonekeep {
namespace signer {

absl::string_view ByteArena::Add(absl::string_view bytes) {
  if (bytes.empty()) return absl::string_view();
  char* at = static_cast<char*>(Allocate(bytes.size(), 1));
  std::memcpy(at, bytes.data(), bytes.size());  // the room is ours alone
  return absl::string_view(at, bytes.size());
}

void* ByteArena::Allocate(size_t bytes, size_t align) {
  if (bytes == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  size_t pad =
      static_cast<size_t>(-reinterpret_cast<uintptr_t>(next_)) & (align - 1);
  if (bytes > next_block_bytes_ / 4 && pad + bytes > left_) {
    // A block of its own (new[] aligns to max_align_t); the current block
    // keeps its free space.
    blocks_.emplace_back(new char[bytes]);  // not zeroed
    allocated_ += bytes;
    return blocks_.back().get();
  }
  if (pad + bytes > left_) {
    blocks_.emplace_back(new char[next_block_bytes_]);
    allocated_ += next_block_bytes_;
    next_ = blocks_.back().get();
    left_ = next_block_bytes_;
    next_block_bytes_ = std::min(next_block_bytes_ * 2, kMaxBlockBytes);
    pad = 0;
  }
  char* at = next_ + pad;
  next_ = at + bytes;
  left_ -= pad + bytes;
  return at;
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
