#include "signer/record_line_fields.h"

#include "absl/strings/ascii.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr size_t kMaxNameOctets = 255;
constexpr size_t kMaxLabelOctets = 63;

}  // namespace

bool ParseDecimal(absl::string_view token, uint32_t max, uint32_t* value) {
  if (token.empty() || token.size() > 10) return false;
  uint64_t v = 0;
  for (const char c : token) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return false;
  *value = static_cast<uint32_t>(v);
  return true;
}

bool AppendDecimal8(absl::string_view token, std::string* out) {
  uint32_t value = 0;
  if (!ParseDecimal(token, 0xff, &value)) return false;
  out->push_back(static_cast<char>(value));
  return true;
}

bool AppendDecimal16(absl::string_view token, std::string* out) {
  uint32_t value = 0;
  if (!ParseDecimal(token, 0xffff, &value)) return false;
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value & 0xff));
  return true;
}

bool AppendDecimal32(absl::string_view token, std::string* out) {
  uint32_t value = 0;
  if (!ParseDecimal(token, 0xffffffff, &value)) return false;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
  return true;
}

bool AppendName(absl::string_view token, absl::string_view origin,
                std::string* out) {
  if (token.empty()) return false;
  if (token == "@") {
    out->append(origin.data(), origin.size());
    return true;
  }
  const size_t start = out->size();
  size_t pos = 0;
  while (true) {
    size_t end = pos;
    while (end < token.size() && IsLabelByte(token[end])) ++end;
    const size_t length = end - pos;
    if (end == token.size() && length == 0) {
      out->push_back(0);  // "name.": absolute
      return out->size() - start <= kMaxNameOctets;
    }
    if (length == 0 || length > kMaxLabelOctets) return false;
    if (end < token.size() && token[end] != '.') return false;
    out->push_back(static_cast<char>(length));
    out->append(token.data() + pos, length);
    if (out->size() - start > kMaxNameOctets) return false;
    if (end == token.size()) {
      out->append(origin.data(), origin.size());  // "name": relative
      return out->size() - start <= kMaxNameOctets;
    }
    pos = end + 1;
  }
}

bool AppendLowerName(absl::string_view token, absl::string_view origin,
                     std::string* out) {
  const size_t start = out->size();
  if (!AppendName(token, origin, out)) return false;
  for (size_t i = start; i < out->size(); ++i) {
    (*out)[i] = absl::ascii_tolower(static_cast<unsigned char>((*out)[i]));
  }
  return true;
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace signer
}  // namespace zonekeep
