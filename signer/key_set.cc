#include "signer/key_set.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dnssec/algorithm.h"
#include "dnssec/key_tag.h"
#include "dnssec/zone_key.h"
#include "signer/rrsig.h"

namespace zonekeep {
namespace signer {

namespace {

// "(ECDSAP256SHA256)", or "(algorithm 99)" for a number without a name.
std::string AlgorithmText(int alg) {
  return absl::StrCat(
      "(", dnssec::AlgorithmName(static_cast<dnssec::Algorithm>(alg)), ")");
}

}  // namespace

absl::StatusOr<KeySet> CheckKeySet(const std::vector<dnssec::ZoneKey>& keys,
                                   absl::string_view zone) {
  if (keys.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        zone,
        ": no keys in the key store: create them with maintkeydb create "
        "both ALG BITS ",
        zone));
  }
  KeySet set;
  std::set<std::pair<int, int>> seen;
  std::set<int> algorithms, zsk_algorithms, ksk_algorithms;
  // Active keys per (algorithm, role): the KeyTrap limit is per algorithm.
  std::map<std::pair<int, dnssec::KeyRole>, std::vector<uint16_t>> active;
  for (const dnssec::ZoneKey& key : keys) {
    const int alg = static_cast<int>(key.algorithm);
    const std::string name =
        absl::StrCat(zone, ": key ", key.key_tag, " ", AlgorithmText(alg));
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
          zone, ": two keys with algorithm ", alg, " and key tag ", key.key_tag,
          " (KeyTrap, CVE-2023-50387): replace one of them (maintkeydb "
          "delete_id ",
          zone, " ", alg, " ", key.key_tag, ")"));
    }
    algorithms.insert(alg);
    set.all.push_back(&key);
    if (key.state != dnssec::KeyState::kActive) continue;
    if (key.signer == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, " is active but has no signing handle"));
    }
    active[{alg, key.role}].push_back(key.key_tag);
    if (key.role == dnssec::KeyRole::kZsk) {
      set.active_zsks.push_back(&key);
      zsk_algorithms.insert(alg);
    } else {
      set.active_ksks.push_back(&key);
      ksk_algorithms.insert(alg);
      // The key store decides which KSKs the parent should have (cds).
      if (key.cds) set.cds_ksks.push_back(&key);
    }
  }
  for (const char* role : {"ZSK", "KSK"}) {
    const bool zsk = role[0] == 'Z';
    if ((zsk ? set.active_zsks : set.active_ksks).empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(zone, ": the zone has no active ", role,
                       ": create one with maintkeydb create ",
                       zsk ? "zsk" : "ksk", " ALG BITS ", zone));
    }
  }
  for (const auto& [which, tags] : active) {
    if (tags.size() <= kMaxSignaturesPerRRset) continue;
    const char* role = which.second == dnssec::KeyRole::kZsk ? "ZSK" : "KSK";
    return absl::FailedPreconditionError(absl::StrCat(
        zone, ": ", tags.size(), " active ", role, "s of ",
        AlgorithmText(which.first), " (", absl::StrJoin(tags, ", "),
        "): the limit is ", kMaxSignaturesPerRRset, " active ", role,
        "s per algorithm, else an RRset would carry more RRSIGs than the "
        "KeyTrap limit allows; delete one (maintkeydb delete_id ",
        zone, " ALG KEYID)"));
  }
  for (int alg : algorithms) {
    if (!zsk_algorithms.count(alg) || !ksk_algorithms.count(alg)) {
      const bool zsk = !zsk_algorithms.count(alg);
      return absl::FailedPreconditionError(absl::StrCat(
          zone, ": algorithm ", AlgorithmText(alg),
          " is in the DNSKEY set without both an active KSK and an active "
          "ZSK: create one with maintkeydb create ",
          zsk ? "zsk" : "ksk", " ",
          dnssec::AlgorithmName(static_cast<dnssec::Algorithm>(alg)), " BITS ",
          zone));
    }
  }
  if (set.cds_ksks.empty()) set.cds_ksks = set.active_ksks;
  return set;
}

}  // namespace signer
}  // namespace zonekeep
