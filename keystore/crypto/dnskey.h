// DNSKEY RDATA, key tags (RFC 4034 appendix B) and DS digests (RFC 4034 5.1.4,
// RFC 4509, RFC 6605), plus their master-file text.
//
// Thread-safety: pure functions, safe from any thread.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_DNSKEY_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_DNSKEY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "keystore/crypto/algorithm.h"

namespace zonekeep {

inline constexpr uint16_t kZskFlags = 256;
inline constexpr uint16_t kKskFlags = 257;  // ZONE + SEP

// flags(2) protocol(1)=3 algorithm(1) public key.
std::vector<uint8_t> BuildDnskeyRdata(uint16_t flags, Algorithm algorithm,
                                      absl::Span<const uint8_t> public_key);

// RFC 4034 appendix B over the DNSKEY RDATA wire form.
uint16_t ComputeKeyTag(absl::Span<const uint8_t> dnskey_rdata);

enum class DigestType : uint8_t { kSha1 = 1, kSha256 = 2, kSha384 = 4 };

// "SHA-256", "SHA256", "2", ... -> DigestType.
absl::StatusOr<DigestType> ParseDigestType(absl::string_view name);

// Canonical (lower-case, absolute) owner name in wire form. InvalidArgument for
// a name that is not a valid domain name.
absl::StatusOr<std::vector<uint8_t>> CanonicalNameWire(absl::string_view zone);

// Normalised zone name: lower-case, absolute ("Example.COM" -> "example.com.").
absl::StatusOr<std::string> NormalizeZoneName(absl::string_view zone);

// digest(owner wire | DNSKEY RDATA).
absl::StatusOr<std::vector<uint8_t>> ComputeDsDigest(
    absl::string_view zone, absl::Span<const uint8_t> dnskey_rdata,
    DigestType digest_type);

// "example.com. 3600 IN DNSKEY 257 3 13 <base64>" (one line, no comment).
absl::StatusOr<std::string> FormatDnskeyRecord(
    absl::string_view zone, uint32_t ttl,
    absl::Span<const uint8_t> dnskey_rdata);

// "example.com. 3600 IN DS <tag> <alg> <digest type> <HEX>" (one line), in the
// form dnssec-dsfromkey and ldns-key2ds print (upper-case hex digest).
absl::StatusOr<std::string> FormatDsRecord(
    absl::string_view zone, uint32_t ttl,
    absl::Span<const uint8_t> dnskey_rdata, DigestType digest_type);

}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_DNSKEY_H_
