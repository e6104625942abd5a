#include "signer/record_line_fields.h"

#include <array>

#include "absl/strings/ascii.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr size_t kMaxNameOctets = 255;
constexpr size_t kMaxLabelOctets = 63;

// Character classes, one bit each, looked up per byte.
enum CharClass : uint8_t {
  kBlank = 1,
  kLineBreak = 2,
  kPlain = 4,
  kLabel = 8,  // what a handled name's labels are made of
};

constexpr std::array<uint8_t, 256> MakeCharClasses() {
  std::array<uint8_t, 256> classes{};
  for (int c = 0x21; c < 0x7f; ++c) classes[c] = kPlain;
  for (const char c : {'(', ')', '"', '\\', ';'}) classes[c] = 0;
  for (const char c : {' ', '\t', '\r'}) classes[c] |= kBlank | kPlain;
  for (const char c : {'\f', '\n', '\r', '\v'}) classes[c] |= kLineBreak;
  for (int c = '0'; c <= '9'; ++c) classes[c] |= kLabel;
  for (int c = 'a'; c <= 'z'; ++c) classes[c] |= kLabel;
  for (int c = 'A'; c <= 'Z'; ++c) classes[c] |= kLabel;
  for (const char c : {'_', '*', '-'}) classes[c] |= kLabel;
  return classes;
}

constexpr std::array<uint8_t, 256> kCharClasses = MakeCharClasses();

bool Is(CharClass char_class, char c) {
  return (kCharClasses[static_cast<unsigned char>(c)] & char_class) != 0;
}

}  // namespace

bool IsLineBlank(char c) { return Is(kBlank, c); }
bool IsLineBreakByte(char c) { return Is(kLineBreak, c); }
bool IsPlainLineByte(char c) { return Is(kPlain, c); }

absl::string_view LineTokens::Next() {
  SkipBlanks();
  size_t n = 0;
  while (n < rest_.size() && !IsLineBlank(rest_[n])) ++n;
  const absl::string_view token = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return token;
}

bool LineTokens::AtEnd() {
  SkipBlanks();
  return rest_.empty();
}

void LineTokens::SkipBlanks() {
  while (!rest_.empty() && IsLineBlank(rest_.front())) rest_.remove_prefix(1);
}

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
    while (end < token.size() && Is(kLabel, token[end])) ++end;
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
