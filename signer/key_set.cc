#include "signer/key_set.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dnssec/key_tag.h"
#include "dnssec/zone_key.h"
#include "signer/rrsig.h"

namespace zonekeep {
namespace signer {

absl::StatusOr<KeySet> CheckKeySet(const std::vector<dnssec::ZoneKey>& keys) {
  if (keys.empty()) {
    return absl::FailedPreconditionError(
        "the zone has no keys in the key store");
  }
  KeySet set;
  std::set<std::pair<int, int>> seen;
  std::set<int> algorithms, zsk_algorithms, ksk_algorithms;
  for (const dnssec::ZoneKey& key : keys) {
    const int alg = static_cast<int>(key.algorithm);
    const std::string name =
        absl::StrCat("key ", key.key_tag, " (algorithm ", alg, ")");
    const std::string rdata(key.dnskey_rdata.begin(), key.dnskey_rdata.end());
    if (rdata.size() < 5 || static_cast<uint8_t>(rdata[3]) != alg ||
        rdata[2] != 3 || ReadU16(rdata, 0) != key.flags ||
        !(key.flags & 0x0100)) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, ": DNSKEY RDATA does not match its metadata"));
    }
    if (dnssec::KeyTag(rdata) != key.key_tag) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, ": key tag does not match the DNSKEY RDATA"));
    }
    if (!seen.insert({alg, key.key_tag}).second) {
      return absl::FailedPreconditionError(absl::StrCat(
          "two keys with algorithm ", alg, " and key tag ", key.key_tag,
          " (KeyTrap, CVE-2023-50387): replace one of them"));
    }
    algorithms.insert(alg);
    set.all.push_back(&key);
    if (key.state != dnssec::KeyState::kActive) continue;
    if (key.signer == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, " is active but has no signing handle"));
    }
    if (key.role == dnssec::KeyRole::kZsk) {
      set.active_zsks.push_back(&key);
      zsk_algorithms.insert(alg);
    } else {
      set.active_ksks.push_back(&key);
      ksk_algorithms.insert(alg);
      if (!key.rollover) set.cds_ksks.push_back(&key);
    }
  }
  if (set.active_zsks.empty()) {
    return absl::FailedPreconditionError("the zone has no active ZSK");
  }
  if (set.active_ksks.empty()) {
    return absl::FailedPreconditionError("the zone has no active KSK");
  }
  if (set.active_zsks.size() > kMaxSignaturesPerRRset ||
      set.active_ksks.size() > kMaxSignaturesPerRRset) {
    return absl::FailedPreconditionError(absl::StrCat(
        "more than ", kMaxSignaturesPerRRset,
        " active ZSKs or KSKs: an RRset would carry more RRSIGs than the "
        "KeyTrap limit allows"));
  }
  for (int alg : algorithms) {
    if (!zsk_algorithms.count(alg) || !ksk_algorithms.count(alg)) {
      return absl::FailedPreconditionError(
          absl::StrCat("algorithm ", alg,
                       " is in the DNSKEY set without both an active KSK and "
                       "an active ZSK"));
    }
  }
  if (set.cds_ksks.empty()) set.cds_ksks = set.active_ksks;
  return set;
}

}  // namespace signer
}  // namespace zonekeep
