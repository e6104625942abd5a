// Test support for "every signed zone was signed with a key set that existed
// at one instant": the key set of a zone as `maintkeydb list --json ZONE`
// shows it (a snapshot), the key use a signed zone shows (its DNSKEY RRset
// and who signed what), and the check that the two agree.
//
// A zone matches a snapshot when its DNSKEY RRset is exactly the snapshot's
// live keys (published and active, by tag and role), its DNSKEY RRset is
// signed by exactly the snapshot's active KSKs, and every other signed RRset
// by exactly its active ZSKs. A zone spliced from two snapshots (DNSKEYs of
// one, signatures of another) matches neither.
//
// Thread-safety: pure functions over values.
#ifndef ZONEKEEP_TESTS_E2E_KEY_SET_SNAPSHOT_H_
#define ZONEKEEP_TESTS_E2E_KEY_SET_SNAPSHOT_H_

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace zonekeep::testing {

struct KeySetSnapshot {
  std::set<std::pair<int, bool>> live;  // (key tag, is KSK), not expired
  std::set<int> active_ksks;
  std::set<int> active_zsks;

  std::string ToString() const;
};

// From the output of `maintkeydb list --json ZONE` (one zone).
absl::StatusOr<KeySetSnapshot> ParseListJson(const std::string& json);

struct SignedKeyUse {
  std::set<std::pair<int, bool>> dnskeys;  // (key tag, is KSK) of the RRset
  std::set<int> dnskey_signers;            // tags of the RRSIGs over DNSKEY
  // Tags of the RRSIGs over each other RRset, by "owner TYPE".
  std::map<std::string, std::set<int>> rrset_signers;
};

// From a signed zone in master-file form (one record per line, as dnssigner
// writes it). Key tags are computed from the DNSKEY RDATA.
absl::StatusOr<SignedKeyUse> ParseSignedZone(const std::string& zone_text);

// Why `use` does not match `snapshot` ("" when it does).
std::string Mismatch(const SignedKeyUse& use, const KeySetSnapshot& snapshot);

// Index of the first snapshot `use` matches, or -1.
int MatchingSnapshot(const SignedKeyUse& use,
                     const std::vector<KeySetSnapshot>& snapshots);

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_KEY_SET_SNAPSHOT_H_
