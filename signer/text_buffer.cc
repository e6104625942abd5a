#include "signer/text_buffer.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace signer {

absl::Status TextBuffer::Append(absl::string_view bytes) {
  if (bytes.empty()) return absl::OkStatus();
  if (bytes.size() > capacity_ - size_) {
    // Grow by half (not double): mremap makes growth cheap, and a smaller
    // step leaves less unused capacity at the end.
    size_t wanted = capacity_ + capacity_ / 2;
    if (wanted < size_ + bytes.size()) wanted = size_ + bytes.size();
    if (wanted < 4096) wanted = 4096;
    char* grown = static_cast<char*>(std::realloc(data_.get(), wanted));
    if (grown == nullptr) {
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot hold ", wanted, " bytes of text"));
    }
    data_.release();  // realloc has taken the old block
    data_.reset(grown);
    capacity_ = wanted;
  }
  std::memcpy(data_.get() + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
  return absl::OkStatus();
}

void TextBuffer::Clear() {
  data_.reset();
  size_ = 0;
  capacity_ = 0;
}

}  // namespace signer
}  // namespace zonekeep
