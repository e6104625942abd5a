// DS digest types (IANA "Delegation Signer (DS) Resource Record (RR) Type
// Digest Algorithms") and their names. No OpenSSL: the CLI parses these.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_DNSSEC_DIGEST_TYPE_H_
#define ZONEKEEP_DNSSEC_DIGEST_TYPE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace dnssec {

enum class DigestType : uint8_t { kSha1 = 1, kSha256 = 2, kSha384 = 4 };

// "SHA-256", "SHA256", "2", ... (any case) -> DigestType.
absl::StatusOr<DigestType> ParseDigestType(absl::string_view name);

// The OpenSSL digest name ("SHA256").
const char* DigestName(DigestType digest_type);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_DIGEST_TYPE_H_
