#include "signer/denial_chain.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dnssec/name.h"
#include "signer/nsec3_hash.h"
#include "signer/parallel.h"
#include "signer/rrsig.h"
#include "signer/type_bitmap.h"

namespace zonekeep {
namespace signer {

std::vector<uint16_t> ChainTypes(const Node& node, bool nsec3) {
  std::vector<uint16_t> types;
  bool signed_data = false;
  for (const RRset& rrset : node.rrsets) {
    if (rrset.type == kTypeNsec || rrset.type == kTypeNsec3) continue;
    if (node.delegation && rrset.type != kTypeNs && rrset.type != kTypeDs) {
      continue;  // glue at the delegation point
    }
    types.push_back(rrset.type);
    if (IsSignedRRset(node, rrset)) signed_data = true;
  }
  if (!nsec3) {
    types.push_back(kTypeNsec);
    types.push_back(kTypeRrsig);
  } else if (signed_data) {
    types.push_back(kTypeRrsig);
  }
  std::sort(types.begin(), types.end());
  return types;
}

bool NeedsNsec(const Node& node) {
  return !node.occluded && !node.ent && !node.nsec3_only;
}

bool NeedsNsec3(const Node& node, bool opt_out) {
  if (node.occluded || node.nsec3_only) return false;
  return !(opt_out && node.IsInsecureDelegation());
}

void InsertRRset(Node* node, RRset rrset) {
  auto it = std::lower_bound(
      node->rrsets.begin(), node->rrsets.end(), rrset.type,
      [](const RRset& r, uint16_t type) { return r.type < type; });
  // Grown by one, not doubled: a node's RRsets are nearly final here (NSEC
  // goes into every name), and doubling left a fifth of the zone's RRset
  // slots unused (3 MB at 100k delegations).
  if (node->rrsets.size() == node->rrsets.capacity()) {
    const size_t at = static_cast<size_t>(it - node->rrsets.begin());
    node->rrsets.reserve(node->rrsets.size() + 1);
    it = node->rrsets.begin() + static_cast<std::ptrdiff_t>(at);
  }
  node->rrsets.insert(it, std::move(rrset));
}

absl::Status AddNsecChain(Zone* zone, uint32_t ttl) {
  std::vector<size_t> names;
  for (size_t i = 0; i < zone->nodes.size(); ++i) {
    if (NeedsNsec(zone->nodes[i])) names.push_back(i);
  }
  // Each step writes only its own node and reads the next one's name: the
  // steps run on all cores.
  const std::atomic<bool> never_stop{false};
  ParallelFor(names.size(), 0, 512, never_stop, [&](size_t k) {
    Node& node = zone->nodes[names[k]];
    const Node& next = zone->nodes[names[(k + 1) % names.size()]];
    RRset nsec;
    nsec.type = kTypeNsec;
    nsec.ttl = ttl;
    std::string rdata(next.name);
    AppendTypeBitmap(ChainTypes(node, false), &rdata);
    zone->SetRdatas(&nsec, {rdata});
    InsertRRset(&node, std::move(nsec));
  });
  return absl::OkStatus();
}

std::string Nsec3ParamRdata(const Nsec3Params& params, uint8_t flags) {
  std::string rdata;
  rdata.push_back(1);  // SHA-1
  rdata.push_back(static_cast<char>(flags));
  AppendU16(params.iterations, &rdata);
  rdata.push_back(static_cast<char>(params.salt.size()));
  rdata.append(params.salt);
  return rdata;
}

absl::Status AddNsec3Chain(Zone* zone, const Nsec3Params& params,
                           uint32_t ttl) {
  if (params.salt.size() > 255) {
    return absl::InvalidArgumentError("NSEC3 salt longer than 255 octets");
  }
  {
    RRset param;
    param.type = kTypeNsec3Param;
    param.ttl = ttl;
    zone->SetRdatas(&param, {Nsec3ParamRdata(params, 0)});
    InsertRRset(&zone->apex(), std::move(param));
  }
  // Hash the names on all cores, then sort by hash: that is also the
  // canonical order of the NSEC3 owner names (base32hex keeps byte order).
  std::vector<size_t> covered;
  for (size_t i = 0; i < zone->nodes.size(); ++i) {
    if (NeedsNsec3(zone->nodes[i], params.opt_out)) covered.push_back(i);
  }
  std::vector<std::pair<std::string, size_t>> hashed(covered.size());
  const std::atomic<bool> never_stop{false};
  ParallelFor(covered.size(), 0, 512, never_stop, [&](size_t j) {
    hashed[j] = {
        Nsec3Hash(zone->nodes[covered[j]].name, params.salt, params.iterations),
        covered[j]};
  });
  std::sort(hashed.begin(), hashed.end());
  for (size_t k = 1; k < hashed.size(); ++k) {
    if (hashed[k].first == hashed[k - 1].first) {
      return absl::FailedPreconditionError(absl::StrCat(
          "NSEC3 hash collision between ",
          dnssec::NameToText(zone->nodes[hashed[k].second].name), " and ",
          dnssec::NameToText(zone->nodes[hashed[k - 1].second].name),
          "; choose another salt"));
    }
  }
  const std::string prefix = Nsec3ParamRdata(params, params.opt_out ? 1 : 0);
  std::vector<Node> added(hashed.size());
  std::vector<char> collides(hashed.size(), 0);
  ParallelFor(hashed.size(), 0, 512, never_stop, [&](size_t k) {
    const std::string& next = hashed[(k + 1) % hashed.size()].first;
    std::string rdata = prefix;
    rdata.push_back(static_cast<char>(next.size()));
    rdata.append(next);
    AppendTypeBitmap(ChainTypes(zone->nodes[hashed[k].second], true), &rdata);
    Node& node = added[k];
    const std::string label = Base32HexEncode(hashed[k].first);
    const char length = static_cast<char>(label.size());
    node.name = zone->Store(
        absl::StrCat(absl::string_view(&length, 1), label, zone->origin));
    collides[k] = zone->FindNode(node.name) >= 0;
    RRset nsec3;
    nsec3.type = kTypeNsec3;
    nsec3.ttl = ttl;
    zone->SetRdatas(&nsec3, {rdata});
    node.rrsets.push_back(std::move(nsec3));
  });
  for (size_t k = 0; k < added.size(); ++k) {
    if (collides[k]) {
      return absl::FailedPreconditionError(
          absl::StrCat("NSEC3 owner ", dnssec::NameToText(added[k].name),
                       " collides with a name in the zone"));
    }
  }
  MergeAndMarkNodes(zone, std::move(added));
  return absl::OkStatus();
}

}  // namespace signer
}  // namespace zonekeep
