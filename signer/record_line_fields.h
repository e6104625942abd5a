// Field readers for the zone reader's fast path (signer/simple_record_line.h
// and signer/dnssec_record_line.h): each reads one field of a one-line record
// exactly as ldns 1.8.3 reads it, or says no (and the caller declines the
// line, which ldns then reads).
// Thread-safety: pure functions; a LineTokens belongs to one thread.
#ifndef ZONEKEEP_SIGNER_RECORD_LINE_FIELDS_H_
#define ZONEKEEP_SIGNER_RECORD_LINE_FIELDS_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace zonekeep {
namespace signer {

namespace record_line_internal {

// Character classes, one bit each, looked up per byte (inline: the readers
// call them for every byte of the text).
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

inline constexpr std::array<uint8_t, 256> kCharClasses = MakeCharClasses();

inline bool Is(CharClass char_class, char c) {
  return (kCharClasses[static_cast<unsigned char>(c)] & char_class) != 0;
}

}  // namespace record_line_internal

// ' ', '\t' and '\r': ldns's line reader turns '\r' into a blank; its token
// reader splits at blanks and tabs.
inline bool IsLineBlank(char c) {
  return record_line_internal::Is(record_line_internal::kBlank, c);
}
// '\f', '\n', '\r', '\v': what ldns_fskipcs_l skips after a record.
inline bool IsLineBreakByte(char c) {
  return record_line_internal::Is(record_line_internal::kLineBreak, c);
}
// Blanks and printable ASCII without the characters ldns's readers give a
// meaning to ('(', ')', '"', '\\', ';').
inline bool IsPlainLineByte(char c) {
  return record_line_internal::Is(record_line_internal::kPlain, c);
}
// What the labels of a name the fast path reads are made of: [A-Za-z0-9_*-].
inline bool IsLabelByte(char c) {
  return record_line_internal::Is(record_line_internal::kLabel, c);
}

// Splits a record line at runs of blanks, as ldns_bget_token does with its
// " \t\n" delimiters. Views into the line given.
class LineTokens {
 public:
  explicit LineTokens(absl::string_view line) : rest_(line) {}

  // The next token; empty at the end of the line.
  absl::string_view Next() {
    SkipBlanks();
    size_t n = 0;
    while (n < rest_.size() && !IsLineBlank(rest_[n])) ++n;
    const absl::string_view token = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return token;
  }

  // True when only blanks are left.
  bool AtEnd() {
    SkipBlanks();
    return rest_.empty();
  }

 private:
  void SkipBlanks() {
    while (!rest_.empty() && IsLineBlank(rest_.front())) {
      rest_.remove_prefix(1);
    }
  }

  absl::string_view rest_;
};

// Decimal digits only: no sign, no unit, at most 10 digits, no more than
// `max` (ldns's strtol/strtoul readers agree on exactly these).
bool ParseDecimal(absl::string_view token, uint32_t max, uint32_t* value);

// Appends the field's value in network order; false for anything but a
// decimal in range.
bool AppendDecimal8(absl::string_view token, std::string* out);
bool AppendDecimal16(absl::string_view token, std::string* out);
bool AppendDecimal32(absl::string_view token, std::string* out);

// Appends the wire name of `token` to `*out` as ldns builds it: "@" is
// `origin`, a relative name gets `origin` appended (ldns_dname_cat). Labels
// of [A-Za-z0-9_*-] only, case kept; at most 255 octets ("." is declined).
bool AppendName(absl::string_view token, absl::string_view origin,
                std::string* out);
// The same, lower-cased as ldns_rr2canonical does for the RFC 4034 6.2
// types.
bool AppendLowerName(absl::string_view token, absl::string_view origin,
                     std::string* out);

// 0-15 for a hex digit (either case), else -1.
int HexDigitValue(char c);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_RECORD_LINE_FIELDS_H_
