// RRSIG RDATA (RFC 4034 section 3.1) and the data a signature covers
// (section 3.1.8.1): the RRSIG RDATA without the signature, then every RR of
// the RRset in canonical form and order.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_SIGNER_RRSIG_H_
#define ZONEKEEP_SIGNER_RRSIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dnssec/algorithm.h"

namespace zonekeep {
namespace signer {

struct RrsigFields {
  uint16_t type_covered = 0;
  dnssec::Algorithm algorithm = dnssec::Algorithm::kEcdsaP256Sha256;
  uint8_t labels = 0;
  uint32_t original_ttl = 0;
  uint32_t expiration = 0;
  uint32_t inception = 0;
  uint16_t key_tag = 0;
  std::string signer_name;  // canonical wire name
  std::string signature;    // empty while building the signed data
};

// Appends the RRSIG RDATA without the signature field.
void AppendRrsigPrefix(const RrsigFields& fields, std::string* out);

// Appends the signed data for an RRset after the prefix already in `out`:
// owner | type | class IN | original TTL | RDLENGTH | RDATA for each RDATA.
// REQUIRES: `rdatas` in canonical order, `owner` lower-case.
void AppendSignedRRset(absl::string_view owner, uint16_t type,
                       uint32_t original_ttl,
                       absl::Span<const absl::string_view> rdatas,
                       std::string* out);

// Decodes RRSIG RDATA.
absl::StatusOr<RrsigFields> ParseRrsig(absl::string_view rdata);

inline void AppendU16(uint16_t v, std::string* out) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}
inline void AppendU32(uint32_t v, std::string* out) {
  AppendU16(static_cast<uint16_t>(v >> 16), out);
  AppendU16(static_cast<uint16_t>(v & 0xffff), out);
}
inline uint16_t ReadU16(absl::string_view d, size_t pos) {
  return static_cast<uint16_t>(static_cast<uint8_t>(d[pos]) << 8 |
                               static_cast<uint8_t>(d[pos + 1]));
}
inline uint32_t ReadU32(absl::string_view d, size_t pos) {
  return static_cast<uint32_t>(ReadU16(d, pos)) << 16 | ReadU16(d, pos + 2);
}

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_RRSIG_H_
