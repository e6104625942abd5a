// The base64 alphabet (RFC 4648 section 4): the one table behind the
// project's base64 readers (BIND key files in keystore/crypto/, the zone
// reader's fast path in signer/). Each reader keeps its own rules for blanks
// and padding; this only says what a digit is worth.
// Thread-safety: pure function.
#ifndef ZONEKEEP_DNSSEC_BASE64_H_
#define ZONEKEEP_DNSSEC_BASE64_H_

namespace zonekeep {
namespace dnssec {

// 0..63 for a base64 digit, -1 for anything else ('=' included).
constexpr int Base64DigitValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_BASE64_H_
