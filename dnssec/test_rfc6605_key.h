// Test-only: the RFC 6605 section 6.1 example key (ECDSAP256SHA256 KSK of
// example.net.), whose key tag (55648) and DS digest the RFC gives.
#ifndef ZONEKEEP_DNSSEC_TEST_RFC6605_KEY_H_
#define ZONEKEEP_DNSSEC_TEST_RFC6605_KEY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "dnssec/dnskey.h"

namespace zonekeep {
namespace dnssec {

inline constexpr char kRfc6605PublicKey[] =
    "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+"
    "e+MAnLr+Wi9xMWyQLc8NAA==";

inline std::vector<uint8_t> Rfc6605DnskeyRdata() {
  std::string key;
  absl::Base64Unescape(kRfc6605PublicKey, &key);
  return BuildDnskeyRdata(kKskFlags, Algorithm::kEcdsaP256Sha256,
                          std::vector<uint8_t>(key.begin(), key.end()));
}

inline std::string Rfc6605DnskeyRdataString() {
  const std::vector<uint8_t> rdata = Rfc6605DnskeyRdata();
  return std::string(rdata.begin(), rdata.end());
}

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_TEST_RFC6605_KEY_H_
