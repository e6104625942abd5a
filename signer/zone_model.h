// The zone as the signer and the verifier see it: names in canonical order
// (RFC 4034 section 6.1), each with its RRsets (RDATA in canonical order,
// duplicates removed, one TTL per RRset), zone cuts, occluded data, empty
// non-terminals and wildcards marked.
//
// BuildZone checks what makes a zone unsignable (SOA count and place, CNAME
// beside other data, CNAME loops, DNAME problems, DS without delegation) and
// reports the first problem with the source line.
// Thread-safety: a built Zone is a plain value; const access from many threads
// is safe, and workers may write disjoint RRsets' `sigs` (AddSig may be called
// from many threads at once: the arena is thread-safe).
//
// Memory: RRSIG RDATA, the zone's largest part after signing, sits in one
// per-zone ByteArena (signer/byte_arena.h), not in a heap string each; the
// RRsets hold views. Names and other RDATA are still strings of their own.
#ifndef ZONEKEEP_SIGNER_ZONE_MODEL_H_
#define ZONEKEEP_SIGNER_ZONE_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "signer/byte_arena.h"
#include "signer/record.h"

namespace zonekeep {
namespace signer {

struct RRset {
  uint16_t type = 0;
  uint32_t ttl = 0;
  int line = 0;                     // first source line, 0 when generated
  std::vector<std::string> rdatas;  // canonical RDATA order, no duplicates
  // RRSIG RDATA covering this RRset: views into the owning Zone's
  // sig_bytes (add with Zone::AddSig, never a view of a temporary).
  std::vector<absl::string_view> sigs;
};

struct Node {
  std::string name;           // canonical wire name
  std::vector<RRset> rrsets;  // ordered by type
  bool apex = false;
  bool delegation = false;  // NS below the apex: a zone cut
  bool occluded = false;    // below a zone cut: glue or occluded data
  bool ent = false;         // empty non-terminal (no RRsets of its own)
  bool nsec3_only = false;  // holds only NSEC3 (and its RRSIG): not a name
  // RRSIGs whose covered type has no RRset here (verifier input only).
  int orphan_sigs = 0;

  RRset* Find(uint16_t type);
  const RRset* Find(uint16_t type) const;
  bool Has(uint16_t type) const { return Find(type) != nullptr; }
  // Secure delegation: has DS.
  bool IsInsecureDelegation() const { return delegation && !Has(kTypeDs); }
};

// Whether an RRset at `node` is authoritative data that gets RRSIGs: not
// occluded, not delegation NS, not non-DS data at a delegation point.
bool IsSignedRRset(const Node& node, const RRset& rrset);

struct Zone {
  std::string origin;       // canonical wire name
  std::vector<Node> nodes;  // canonical order; nodes[0] is the apex
  uint32_t soa_ttl = 0;
  uint32_t soa_minimum = 0;
  uint32_t max_ttl = 0;
  // The bytes RRsets' `sigs` view. Shared by copies of the Zone (bytes added
  // are never changed), so a copy's views stay valid while any copy lives.
  std::shared_ptr<ByteArena> sig_bytes = std::make_shared<ByteArena>();

  // Copies `rdata` into sig_bytes and appends its view to `rrset->sigs`.
  // Thread-safe for distinct RRsets.
  void AddSig(RRset* rrset, absl::string_view rdata) const {
    rrset->sigs.push_back(sig_bytes->Add(rdata));
  }

  Node& apex() { return nodes.front(); }
  const Node& apex() const { return nodes.front(); }
  // Index of `name` in nodes, or -1.
  int FindNode(absl::string_view name) const;
};

struct BuildOptions {
  // Verifier mode: RRSIGs are attached to the RRsets they cover; DNSKEY, NSEC,
  // NSEC3 etc. are kept as RRsets; the signer-only checks still apply.
  bool attach_rrsigs = false;
};

// Groups `records` (any order; consumed) into a Zone.
absl::StatusOr<Zone> BuildZone(std::string origin, std::vector<Record> records,
                               absl::string_view display_name,
                               const BuildOptions& options = {});

// Merges `added` (in canonical order, names not in the zone) into the zone's
// nodes and recomputes the delegation/occluded/ent flags.
void MergeAndMarkNodes(Zone* zone, std::vector<Node> added);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ZONE_MODEL_H_
