// The zone as the signer and the verifier see it: names in canonical order
// (RFC 4034 section 6.1), each with its RRsets (RDATA in canonical order,
// duplicates removed, one TTL per RRset), zone cuts, occluded data, empty
// non-terminals and wildcards marked.
//
// BuildZone checks what makes a zone unsignable (SOA count and place, CNAME
// beside other data, CNAME loops, DNAME problems, DS without delegation) and
// reports the first problem with the source line.
// Thread-safety: a built Zone is a plain value; const access from many threads
// is safe, and workers may write disjoint RRsets' `rdatas` and `sigs`
// (SetRdatas and AddSig may be called from many threads at once: the arena is
// thread-safe).
//
// Memory: names, RDATA and RRSIG RDATA sit in one per-zone ByteArena
// (signer/byte_arena.h), not in a heap string each; RRsets hold views, and an
// RRset's array of RDATA views is in the arena too, so no record costs an
// allocation of its own. Node names are views into the arena as well.
#ifndef ZONEKEEP_SIGNER_ZONE_MODEL_H_
#define ZONEKEEP_SIGNER_ZONE_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "signer/byte_arena.h"
#include "signer/record.h"

namespace zonekeep {
namespace signer {

struct RRset {
  uint16_t type = 0;
  uint32_t ttl = 0;
  int line = 0;  // first source line, 0 when generated
  // Canonical RDATA order (bytes compared unsigned), no duplicates. The views
  // and their array live in the owning Zone's `bytes`: set with
  // Zone::SetRdatas, never to views of temporaries.
  absl::Span<const absl::string_view> rdatas;
  // RRSIG RDATA covering this RRset: views into the owning Zone's `bytes`
  // (add with Zone::AddSig, never a view of a temporary).
  std::vector<absl::string_view> sigs;
};

struct Node {
  // Canonical wire name, in the owning Zone's `bytes` (Zone::Store).
  absl::string_view name;
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
  // The bytes RRsets' `rdatas` and `sigs` view. Shared by copies of the Zone
  // (bytes added are never changed), so a copy's views stay valid while any
  // copy lives; a moved Zone's views stay valid too (the arena does not move).
  std::shared_ptr<ByteArena> bytes = std::make_shared<ByteArena>();

  // Copies `data` into `bytes`; the copy lives as long as the arena.
  // Thread-safe.
  absl::string_view Store(absl::string_view data) const {
    return bytes->Add(data);
  }

  // Sets `rrset->rdatas` to copies, in `bytes`, of `rdatas` in canonical
  // order with duplicates removed. The old RDATA stay in the arena (unused).
  // Thread-safe for distinct RRsets.
  void SetRdatas(RRset* rrset, std::vector<absl::string_view> rdatas) const;

  // The same for RDATA already in canonical order without duplicates.
  // REQUIRES: `rdatas` strictly increasing (unsigned byte order).
  void SetCanonicalRdatas(RRset* rrset,
                          absl::Span<const absl::string_view> rdatas) const;

  // Copies `rdata` into `bytes` and appends its view to `rrset->sigs`.
  // Thread-safe for distinct RRsets.
  void AddSig(RRset* rrset, absl::string_view rdata) const {
    rrset->sigs.push_back(bytes->Add(rdata));
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
