// TextBuffer: one contiguous, growable run of bytes that grows in place where
// the allocator can, for text held whole (the signed zone before its
// read-back).
//
// A std::string that outgrows its capacity allocates the larger block, copies
// and only then frees the old one, so for a moment it holds the text twice.
// TextBuffer grows with realloc(): glibc serves large blocks with mmap and
// grows them with mremap, which moves pages instead of copying them, so
// holding N bytes costs about N bytes at every moment, not 2N.
//
// Ownership: the buffer owns its bytes; views from view() are valid until the
// next Append, Clear or the buffer's destruction. Movable, not copyable.
// Thread-safety: none; one thread at a time.
#ifndef ZONEKEEP_SIGNER_TEXT_BUFFER_H_
#define ZONEKEEP_SIGNER_TEXT_BUFFER_H_

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace signer {

class TextBuffer {
 public:
  TextBuffer() = default;
  // A moved-from buffer is empty.
  TextBuffer(TextBuffer&& other) noexcept { *this = std::move(other); }
  TextBuffer& operator=(TextBuffer&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }
  TextBuffer(const TextBuffer&) = delete;
  TextBuffer& operator=(const TextBuffer&) = delete;

  // Appends `bytes`; ResourceExhausted (the buffer unchanged) when the
  // allocator refuses to grow.
  absl::Status Append(absl::string_view bytes);

  absl::string_view view() const { return {data_.get(), size_}; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

  // Frees the bytes.
  void Clear();

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_TEXT_BUFFER_H_
