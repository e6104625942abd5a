#include "signer/zone_limits.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "signer/denial_chain.h"

namespace zonekeep {
namespace signer {

int NameLabels(absl::string_view wire_name) {
  int labels = 0;
  size_t i = 0;
  while (i < wire_name.size() && wire_name[i] != 0) {
    ++labels;
    i += 1 + static_cast<uint8_t>(wire_name[i]);
  }
  return labels;
}

absl::Status CheckRecordLimits(const std::vector<Record>& records,
                               size_t dropped_records,
                               absl::string_view display_name,
                               const ZoneLimits& limits) {
  const int64_t count = static_cast<int64_t>(records.size() + dropped_records);
  if (limits.max_records > 0 && count > limits.max_records) {
    return absl::ResourceExhaustedError(
        absl::StrCat(display_name, ": ", count, " records, more than ",
                     limits.max_records, " (max-records)"));
  }
  if (limits.max_name_labels <= 0) return absl::OkStatus();
  for (const Record& record : records) {
    const int labels = NameLabels(record.owner);
    if (labels > limits.max_name_labels) {
      return absl::ResourceExhaustedError(absl::StrCat(
          display_name, ":", record.line, ": owner name of ", labels,
          " labels, more than ", limits.max_name_labels, " (max-name-labels)"));
    }
  }
  return absl::OkStatus();
}

int64_t EstimateSignatures(const Zone& zone, bool nsec3, bool opt_out,
                           bool add_cds, int zsk_signers, int ksk_signers) {
  const int64_t zsks = std::max(zsk_signers, 1);
  const int64_t ksks = std::max(ksk_signers, 1);
  int64_t zsk_signed = 0;
  for (const Node& node : zone.nodes) {
    for (const RRset& rrset : node.rrsets) {
      if (IsSignedRRset(node, rrset)) ++zsk_signed;
    }
    if (nsec3 ? NeedsNsec3(node, opt_out) : NeedsNsec(node)) ++zsk_signed;
  }
  if (nsec3) ++zsk_signed;  // NSEC3PARAM
  // DNSKEY, CDS and CDNSKEY are signed by the KSKs.
  return zsk_signed * zsks + (add_cds ? 3 : 1) * ksks;
}

absl::Status CheckSignatureLimit(int64_t estimated,
                                 absl::string_view display_name,
                                 const ZoneLimits& limits) {
  if (limits.max_signatures > 0 && estimated > limits.max_signatures) {
    return absl::ResourceExhaustedError(absl::StrCat(
        display_name, ": the zone would need ", estimated,
        " signatures, more than ", limits.max_signatures, " (max-signatures)"));
  }
  return absl::OkStatus();
}

}  // namespace signer
}  // namespace zonekeep
