// ZoneLimits: what one zone may cost the signer, checked before the work it
// bounds starts (issue 16: 1.26 MB of text with 117-label names under NSEC3
// made 590,007 signatures).
//
// Contract:
//  - CheckRecordLimits runs on the parsed records, before the zone model is
//    built: more than `max_records` records, or an owner name of more than
//    `max_name_labels` labels (the root label not counted), is refused. Deep
//    names are what multiply empty non-terminals, hence NSEC3 records and
//    signatures, so this cap comes first.
//  - EstimateSignatures counts, from the built model before any denial
//    record exists, the RRSIGs the zone will get: the signed RRsets plus the
//    NSEC or NSEC3 records it will need (empty non-terminals included under
//    NSEC3), plus the apex's DNSKEY/NSEC3PARAM/CDS/CDNSKEY, each times the
//    active keys that sign it. CheckSignatureLimit refuses more than
//    `max_signatures`.
//  - Refusals are ResourceExhausted and name the limit as the configuration
//    does ("max-records", "max-name-labels", "max-signatures"), the count
//    found and the limit. A limit of 0 means no limit.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_SIGNER_ZONE_LIMITS_H_
#define ZONEKEEP_SIGNER_ZONE_LIMITS_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "signer/record.h"
#include "signer/zone_model.h"

namespace zonekeep {
namespace signer {

struct ZoneLimits {
  int64_t max_records = 0;      // records read (signer-owned types included)
  int64_t max_name_labels = 0;  // labels of any owner name
  int64_t max_signatures = 0;   // RRSIGs the zone would get
};

// Labels of a canonical wire name ("\3www\7example\0" has 2).
int NameLabels(absl::string_view wire_name);

absl::Status CheckRecordLimits(const std::vector<Record>& records,
                               size_t dropped_records,
                               absl::string_view display_name,
                               const ZoneLimits& limits);

// `zsk_signers` / `ksk_signers`: active keys of each role (at least 1 each is
// assumed). `nsec3` / `opt_out`: the denial chain to come; `add_cds`: CDS and
// CDNSKEY at the apex.
int64_t EstimateSignatures(const Zone& zone, bool nsec3, bool opt_out,
                           bool add_cds, int zsk_signers, int ksk_signers);

absl::Status CheckSignatureLimit(int64_t estimated,
                                 absl::string_view display_name,
                                 const ZoneLimits& limits);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ZONE_LIMITS_H_
