// The reuse rule of incremental signing: whether a recorded RRSIG RDATA may
// stand in for a signature the engine would make now.
//
// The record's key (signer/signature_record.h) already binds the RRset bytes,
// the signing key and the RRSIG fields that do not vary between runs; this
// rule adds what does vary, the time:
//  - the fixed fields of `rdata` equal `expected` (type covered, algorithm,
//    labels, original TTL, key tag, signer name) and a signature follows;
//  - its inception is not later than `now`;
//  - its expiration is later than now + refresh (dnssec-signzone -i);
//  - its expiration is not later than `latest_expiration`, the end this run
//    asks for (an operator who shortens -e gets no longer-lived signature).
// RRSIG times are serial numbers, read relative to `now` (RFC 4034 3.1.5).
// On success `*expiration` is the signature's expiration in unix seconds.
// Thread-safety: pure function.
#ifndef ZONEKEEP_SIGNER_SIGNATURE_REUSE_H_
#define ZONEKEEP_SIGNER_SIGNATURE_REUSE_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "signer/rrsig.h"

namespace zonekeep {
namespace signer {

// An RRSIG time (serial number) as unix seconds, the one within 2^31 of now.
int64_t RrsigTimeNear(uint32_t serial_time, int64_t now);

bool MayReuseSignature(absl::string_view rdata, const RrsigFields& expected,
                       int64_t now, int64_t refresh, int64_t latest_expiration,
                       int64_t* expiration);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_SIGNATURE_REUSE_H_
