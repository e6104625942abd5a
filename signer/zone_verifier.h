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
//
// Verified before (incremental signing): given `verified_before`, a
// signature record (signer/signature_record.h) whose every entry an earlier
// self-verify accepted and whose authenticity the caller vouches for
// (keystored: an HMAC under its master key), an RRSIG whose RDATA is byte for
// byte the record's entry for the same digest (the DNSKEY, the fixed RRSIG
// fields and the RRset as this verifier builds it from the zone) skips only
// its signature arithmetic: verifying the same key, data and signature again
// gives the same verdict. Every other check above still runs on it, and any
// RRSIG not matched so is verified by the arithmetic.
// Thread-safety: pure functions; they start up to `threads` workers.
#ifndef ZONEKEEP_SIGNER_ZONE_VERIFIER_H_
#define ZONEKEEP_SIGNER_ZONE_VERIFIER_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "signer/signature_record.h"
#include "signer/zone_model.h"

namespace zonekeep {
namespace signer {

struct VerifyReport {
  int64_t earliest_expiration = 0;  // unix time
  size_t rrsets_checked = 0;
  size_t signatures_checked = 0;
  // Of those, accepted as byte-identical to an entry of `verified_before`.
  size_t signatures_verified_before = 0;
  bool nsec3 = false;
};

// `zone` as built with BuildOptions::attach_rrsigs or by the signer.
// threads <= 0: all cores.
absl::StatusOr<VerifyReport> VerifyZone(
    const Zone& zone, int64_t now, int threads = 0,
    const SignatureRecord* verified_before = nullptr);

// Parses master-file text (keeping DNSSEC records) and verifies it.
absl::StatusOr<VerifyReport> VerifySignedZone(
    absl::string_view text, absl::string_view origin, int64_t now,
    int threads = 0, const SignatureRecord* verified_before = nullptr);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ZONE_VERIFIER_H_
