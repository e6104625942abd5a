// Self-verify: checks a signed zone the way an independent verifier would,
// from the records alone (it does not trust the signer's bookkeeping):
//  - the apex DNSKEY RRset decodes; every algorithm in it signs every
//    authoritative RRset; every RRSIG present verifies with a DNSKEY of the
//    zone, names the zone as signer, has the right labels count and original
//    TTL, and is valid at `now`; no RRSIGs over glue or delegation NS;
//  - the NSEC chain, or the NSEC3 chain (RFC 5155, with opt-out), is complete,
//    in order, closed, and has the right type bitmaps, including NSEC3 for
//    empty non-terminals;
// and reports the earliest RRSIG expiration over all RRsets.
// Thread-safety: pure functions; they start up to `threads` workers.
#ifndef ZONEKEEP_SIGNER_ZONE_VERIFIER_H_
#define ZONEKEEP_SIGNER_ZONE_VERIFIER_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "signer/zone_model.h"

namespace zonekeep {
namespace signer {

struct VerifyReport {
  int64_t earliest_expiration = 0;  // unix time
  size_t rrsets_checked = 0;
  size_t signatures_checked = 0;
  bool nsec3 = false;
};

// `zone` as built with BuildOptions::attach_rrsigs or by the signer.
// threads <= 0: all cores.
absl::StatusOr<VerifyReport> VerifyZone(const Zone& zone, int64_t now,
                                        int threads = 0);

// Parses master-file text (keeping DNSSEC records) and verifies it.
absl::StatusOr<VerifyReport> VerifySignedZone(absl::string_view text,
                                              absl::string_view origin,
                                              int64_t now, int threads = 0);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ZONE_VERIFIER_H_
