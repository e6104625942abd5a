// DNSKEY RDATA (RFC 4034 section 2): building it, reading its fields, and its
// master-file text. Thread-safety: pure functions.
#ifndef ZONEKEEP_DNSSEC_DNSKEY_H_
#define ZONEKEEP_DNSSEC_DNSKEY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dnssec/algorithm.h"

namespace zonekeep {
namespace dnssec {

inline constexpr uint16_t kZoneKeyFlag = 0x0100;
inline constexpr uint16_t kSepFlag = 0x0001;
inline constexpr uint16_t kZskFlags = kZoneKeyFlag;             // 256
inline constexpr uint16_t kKskFlags = kZoneKeyFlag | kSepFlag;  // 257
inline constexpr size_t kDnskeyHeaderSize = 4;  // flags, protocol, algorithm

// flags(2) protocol(1)=3 algorithm(1) public key.
std::vector<uint8_t> BuildDnskeyRdata(uint16_t flags, Algorithm algorithm,
                                      absl::Span<const uint8_t> public_key);

struct DnskeyFields {
  uint16_t flags = 0;
  uint8_t protocol = 0;
  uint8_t algorithm = 0;         // the number as found; see SpecOfNumber
  absl::string_view public_key;  // points into the RDATA
};

// InvalidArgument when shorter than the header plus one key octet or when the
// protocol is not 3.
absl::StatusOr<DnskeyFields> ParseDnskeyRdata(absl::string_view rdata);

// "example.com. 3600 IN DNSKEY 257 3 13 <base64>" (one line, no comment).
// `zone` is presentation text; it is printed normalised.
absl::StatusOr<std::string> FormatDnskeyRecord(
    absl::string_view zone, uint32_t ttl,
    absl::Span<const uint8_t> dnskey_rdata);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_DNSKEY_H_
