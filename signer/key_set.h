// Checks a zone's key list before signing and splits it by job: which keys go
// into the DNSKEY RRset, which sign data (active ZSKs), which sign the key
// RRsets (active KSKs). Enforces the KeyTrap limits (CVE-2023-50387): unique
// (algorithm, key tag), at most 2 active ZSKs and 2 active KSKs per
// algorithm, so no RRset gets more than 2 RRSIGs per algorithm; and every
// algorithm in the DNSKEY set has an active
// KSK and ZSK (validators expect each algorithm to sign everything).
// Thread-safety: pure function; the result points into `keys`.
#ifndef ZONEKEEP_SIGNER_KEY_SET_H_
#define ZONEKEEP_SIGNER_KEY_SET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dnssec/zone_key.h"

namespace zonekeep {
namespace signer {

inline constexpr size_t kMaxSignaturesPerRRset = 2;

struct KeySet {
  std::vector<const dnssec::ZoneKey*> all;          // DNSKEY RRset
  std::vector<const dnssec::ZoneKey*> active_zsks;  // sign authoritative RRsets
  std::vector<const dnssec::ZoneKey*> active_ksks;  // sign DNSKEY/CDS/CDNSKEY
  // CDS/CDNSKEY published for: the active KSKs marked cds, else all active.
  std::vector<const dnssec::ZoneKey*> cds_ksks;
};

// `zone` names the zone in the messages, which say what to do
// ("example.com.: the zone has no active KSK: create one with maintkeydb
// create ksk ALG BITS example.com.").
absl::StatusOr<KeySet> CheckKeySet(const std::vector<dnssec::ZoneKey>& keys,
                                   absl::string_view zone);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_KEY_SET_H_
