// DS digests (RFC 4034 5.1.4, RFC 4509, RFC 6605) and DS master-file text, for
// the parent (parentdata) and for CDS records. Thread-safety: pure functions.
#ifndef ZONEKEEP_DNSSEC_DS_H_
#define ZONEKEEP_DNSSEC_DS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dnssec/digest_type.h"

namespace zonekeep {
namespace dnssec {

// digest(owner | DNSKEY RDATA), `owner_wire` a wire name (any case: it is
// lower-cased here, RFC 4034 5.1.4).
absl::StatusOr<std::string> ComputeDsDigest(absl::string_view owner_wire,
                                            absl::string_view dnskey_rdata,
                                            DigestType digest_type);

// The DS RDATA: key tag, algorithm, digest type, digest.
absl::StatusOr<std::string> BuildDsRdata(absl::string_view owner_wire,
                                         absl::string_view dnskey_rdata,
                                         DigestType digest_type);

// "example.com. 3600 IN DS <tag> <alg> <digest type> <HEX>" (one line), in the
// form dnssec-dsfromkey and ldns-key2ds print (upper-case hex digest). `zone`
// is presentation text.
absl::StatusOr<std::string> FormatDsRecord(
    absl::string_view zone, uint32_t ttl,
    absl::Span<const uint8_t> dnskey_rdata, DigestType digest_type);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_DS_H_
