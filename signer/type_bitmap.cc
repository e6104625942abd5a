#include "signer/type_bitmap.h"

#include <algorithm>

namespace zonekeep {
namespace signer {

void AppendTypeBitmap(std::vector<uint16_t> types, std::string* out) {
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  size_t i = 0;
  while (i < types.size()) {
    const int window = types[i] >> 8;
    uint8_t bits[32] = {0};
    int length = 0;
    for (; i < types.size() && (types[i] >> 8) == window; ++i) {
      const int low = types[i] & 0xff;
      bits[low / 8] |= static_cast<uint8_t>(0x80 >> (low % 8));
      length = low / 8 + 1;
    }
    out->push_back(static_cast<char>(window));
    out->push_back(static_cast<char>(length));
    out->append(reinterpret_cast<const char*>(bits), length);
  }
}

absl::StatusOr<std::vector<uint16_t>> DecodeTypeBitmap(absl::string_view data) {
  std::vector<uint16_t> types;
  size_t pos = 0;
  int last_window = -1;
  while (pos < data.size()) {
    if (pos + 2 > data.size()) {
      return absl::InvalidArgumentError("truncated type bitmap window");
    }
    const int window = static_cast<uint8_t>(data[pos]);
    const int length = static_cast<uint8_t>(data[pos + 1]);
    if (window <= last_window || length == 0 || length > 32 ||
        pos + 2 + length > data.size()) {
      return absl::InvalidArgumentError("malformed type bitmap window");
    }
    for (int b = 0; b < length; ++b) {
      const uint8_t byte = static_cast<uint8_t>(data[pos + 2 + b]);
      for (int bit = 0; bit < 8; ++bit) {
        if (byte & (0x80 >> bit)) {
          types.push_back(static_cast<uint16_t>(window << 8 | (b * 8 + bit)));
        }
      }
    }
    last_window = window;
    pos += 2 + length;
  }
  return types;
}

}  // namespace signer
}  // namespace zonekeep
