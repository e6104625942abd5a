// ByteArena: append-only storage for many small byte strings (a zone's
// names, RDATA and RRSIG RDATA, and the arrays of views of them), copied into
// a few large blocks instead of one heap block each. A string's bytes never
// move once added, so its view stays valid while the arena lives, however much
// is added after it; nothing is freed before the arena is, and freeing it is
// one free per block.
//
// Blocks start at 4 KiB and double up to 1 MiB, so a small zone costs little
// and a large one a few hundred blocks; a string larger than a quarter of the
// block size gets a block of its own.
//
// Thread-safety: Add may be called from many threads at once (a mutex guards
// the block list and the fill position; the copy is a few dozen bytes). Views
// may be read from any thread.
#ifndef ZONEKEEP_SIGNER_BYTE_ARENA_H_
#define ZONEKEEP_SIGNER_BYTE_ARENA_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/strings/string_view.h"

namespace zonekeep {
namespace signer {

class ByteArena {
 public:
  ByteArena() = default;
  ByteArena(const ByteArena&) = delete;
  ByteArena& operator=(const ByteArena&) = delete;

  // Copies `bytes` into the arena and returns the copy, valid as long as the
  // arena. An empty input gives an empty view.
  absl::string_view Add(absl::string_view bytes);

  // Uninitialised room for `bytes` bytes at an address aligned to `align`
  // (a power of two, at most alignof(std::max_align_t)), valid as long as the
  // arena. Zero bytes give nullptr.
  void* Allocate(size_t bytes, size_t align);

  // Bytes in blocks the arena holds (allocated, not only used).
  size_t allocated_bytes() const;
  size_t block_count() const;

  static constexpr size_t kFirstBlockBytes = 4 << 10;
  static constexpr size_t kMaxBlockBytes = 1 << 20;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;  // free space in the current block
  size_t left_ = 0;
  size_t next_block_bytes_ = kFirstBlockBytes;
  size_t allocated_ = 0;
};

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_BYTE_ARENA_H_
