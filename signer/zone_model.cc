#include "signer/zone_model.h"

#include <algorithm>
#include <iterator>
#include <numeric>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "signer/parallel.h"
#include "signer/wire_name.h"

namespace zonekeep {
namespace signer {
namespace {

// Below this many items a sort stays on the calling thread.
constexpr size_t kParallelSortMin = 1 << 14;

// Sorts `items` into canonical order of name_of(item), ties broken by
// tie_less. The names' sort keys are built once, so each comparison is one
// memcmp rather than a label split of both names.
template <typename T, typename NameOf, typename TieLess>
void CanonicalSort(std::vector<T>* items, NameOf name_of, TieLess tie_less) {
  const size_t n = items->size();
  std::vector<std::string> keys(n);
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto less = [&](uint32_t a, uint32_t b) {
    const int c = keys[a].compare(keys[b]);
    if (c != 0) return c < 0;
    return tie_less((*items)[a], (*items)[b]);
  };
  // Two halves on two threads (keys, then sort), then one merge.
  auto sort_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      AppendCanonicalKey(name_of((*items)[i]), &keys[i]);
    }
    std::sort(order.begin() + begin, order.begin() + end, less);
  };
  const size_t half = n / 2;
  if (n >= kParallelSortMin && ResolveThreads(0) > 1) {
    std::thread helper(sort_range, half, n);
    sort_range(0, half);
    helper.join();
    std::inplace_merge(order.begin(), order.begin() + half, order.end(), less);
  } else {
    sort_range(0, n);
  }
  keys.clear();
  keys.shrink_to_fit();
  std::vector<T> sorted;
  sorted.reserve(n);
  for (uint32_t i : order) sorted.push_back(std::move((*items)[i]));
  items->swap(sorted);
}

absl::Status ZoneError(absl::string_view display_name, int line,
                       absl::string_view reason) {
  if (line > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(display_name, ":", line, ": ", reason));
  }
  return absl::InvalidArgumentError(absl::StrCat(display_name, ": ", reason));
}

uint16_t RrsigTypeCovered(const std::string& rdata) {
  if (rdata.size() < 2) return 0;
  return static_cast<uint16_t>(static_cast<uint8_t>(rdata[0]) << 8 |
                               static_cast<uint8_t>(rdata[1]));
}

// Skips one wire name in `rdata` at `pos`; returns the end or npos.
size_t SkipName(const std::string& rdata, size_t pos) {
  while (pos < rdata.size()) {
    const uint8_t len = static_cast<uint8_t>(rdata[pos]);
    if (len == 0) return pos + 1;
    pos += 1 + len;
  }
  return std::string::npos;
}

std::string FirstNameOf(const std::string& rdata, size_t start = 0) {
  const size_t end = SkipName(rdata, start);
  if (end == std::string::npos) return std::string();
  return rdata.substr(start, end - start);
}

constexpr int kMaxAliasHops = 16;

// The name `name` is an alias for inside the zone: the target of a CNAME at
// `name`, else the DNAME substitution (RFC 6672) of its closest ancestor that
// owns a DNAME; nullopt when neither applies or the result would be too long.
std::optional<std::string> NextAlias(const Zone& zone, absl::string_view name) {
  const int at = zone.FindNode(name);
  if (at >= 0) {
    if (const RRset* cname = zone.nodes[at].Find(kTypeCname)) {
      std::string target = FirstNameOf(cname->rdatas.front());
      LowercaseName(&target);
      return target;
    }
  }
  for (size_t pos = 0; pos < name.size() && name[pos] != 0;) {
    pos += 1 + static_cast<uint8_t>(name[pos]);
    const absl::string_view ancestor = name.substr(pos);
    if (!IsSubdomainOf(ancestor, zone.origin)) break;
    const int owner = zone.FindNode(ancestor);
    if (owner < 0) continue;
    const RRset* dname = zone.nodes[owner].Find(kTypeDname);
    if (dname == nullptr) continue;
    std::string target = FirstNameOf(dname->rdatas.front());
    LowercaseName(&target);
    std::string synthesized = absl::StrCat(name.substr(0, pos), target);
    if (synthesized.size() > 255) return std::nullopt;
    return synthesized;
  }
  return std::nullopt;
}

absl::Status CheckZone(const Zone& zone, absl::string_view display_name,
                       bool verifier_mode) {
  if (zone.nodes.empty() || zone.nodes.front().name != zone.origin) {
    return ZoneError(display_name, 0,
                     absl::StrCat("no SOA record at the zone apex ",
                                  NameToText(zone.origin)));
  }
  std::string dname_owner;
  for (const Node& node : zone.nodes) {
    if (!dname_owner.empty() && IsSubdomainOf(node.name, dname_owner) &&
        !node.occluded && !node.ent) {
      const int line = node.rrsets.empty() ? 0 : node.rrsets.front().line;
      return ZoneError(
          display_name, line,
          absl::StrCat("data at ", NameToText(node.name),
                       " below the DNAME at ", NameToText(dname_owner)));
    }
    if (dname_owner.empty() || !IsSubdomainOf(node.name, dname_owner)) {
      dname_owner.clear();
    }
    for (const RRset& rrset : node.rrsets) {
      if (rrset.type == kTypeSoa) {
        if (!node.apex) {
          return ZoneError(display_name, rrset.line,
                           absl::StrCat("SOA record at ", NameToText(node.name),
                                        ", not at the zone apex"));
        }
        if (rrset.rdatas.size() != 1) {
          return ZoneError(display_name, rrset.line,
                           "more than one SOA record at the apex");
        }
      }
    }
    if (const RRset* cname = node.Find(kTypeCname)) {
      for (const RRset& other : node.rrsets) {
        if (other.type == kTypeCname) continue;
        if (verifier_mode &&
            (other.type == kTypeNsec || other.type == kTypeNsec3)) {
          continue;
        }
        return ZoneError(
            display_name, cname->line,
            absl::StrCat("CNAME at ", NameToText(node.name),
                         " beside other data (type ", other.type, ")"));
      }
      if (cname->rdatas.size() > 1) {
        return ZoneError(
            display_name, cname->line,
            absl::StrCat("more than one CNAME at ", NameToText(node.name)));
      }
    }
    if (const RRset* dname = node.Find(kTypeDname)) {
      if (dname->rdatas.size() > 1) {
        return ZoneError(
            display_name, dname->line,
            absl::StrCat("more than one DNAME at ", NameToText(node.name)));
      }
      const std::string target = FirstNameOf(dname->rdatas.front());
      if (IsSubdomainOf(target, node.name)) {
        return ZoneError(display_name, dname->line,
                         absl::StrCat("DNAME at ", NameToText(node.name),
                                      " points into its own subtree (loop)"));
      }
      if (!node.occluded) dname_owner = node.name;
    }
    if (const RRset* ds = node.Find(kTypeDs)) {
      if (node.apex) {
        return ZoneError(display_name, ds->line,
                         "DS record at the zone apex (it belongs in the "
                         "parent zone)");
      }
      if (!node.Has(kTypeNs) && !node.occluded) {
        return ZoneError(display_name, ds->line,
                         absl::StrCat("DS at ", NameToText(node.name),
                                      " without a delegation (NS)"));
      }
    }
  }
  if (!zone.apex().Has(kTypeSoa)) {
    return ZoneError(display_name, 0,
                     absl::StrCat("no SOA record at the zone apex ",
                                  NameToText(zone.origin)));
  }
  if (!zone.apex().Has(kTypeNs)) {
    return ZoneError(display_name, 0, "no NS records at the zone apex");
  }
  // Alias chains (CNAME, and DNAME substitution) inside the zone must end.
  for (const Node& node : zone.nodes) {
    if (node.occluded) continue;
    const RRset* cname = node.Find(kTypeCname);
    const RRset* dname = node.Find(kTypeDname);
    if (cname == nullptr && dname == nullptr) continue;
    // A DNAME's chain starts at a name below its owner.
    std::string name =
        cname != nullptr ? node.name : std::string("\x05probe") + node.name;
    for (int hops = 0;; ++hops) {
      std::optional<std::string> next = NextAlias(zone, name);
      if (!next.has_value()) break;
      if (hops >= kMaxAliasHops) {
        return ZoneError(
            display_name, (cname != nullptr ? cname : dname)->line,
            absl::StrCat(cname != nullptr ? "CNAME" : "DNAME", " chain from ",
                         NameToText(node.name), " loops or is longer than ",
                         kMaxAliasHops));
      }
      name = *std::move(next);
    }
  }
  return absl::OkStatus();
}

}  // namespace

RRset* Node::Find(uint16_t type) {
  for (RRset& r : rrsets) {
    if (r.type == type) return &r;
  }
  return nullptr;
}

const RRset* Node::Find(uint16_t type) const {
  for (const RRset& r : rrsets) {
    if (r.type == type) return &r;
  }
  return nullptr;
}

bool IsSignedRRset(const Node& node, const RRset& rrset) {
  if (node.occluded) return false;
  if (node.delegation) return rrset.type == kTypeDs || rrset.type == kTypeNsec;
  return true;
}

int Zone::FindNode(absl::string_view name) const {
  size_t lo = 0, hi = nodes.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    const int c = CompareCanonical(nodes[mid].name, name);
    if (c == 0) return static_cast<int>(mid);
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return -1;
}

namespace {

// Sets apex/ent/nsec3_only/delegation/occluded on nodes in canonical order.
void MarkNodes(Zone* zone) {
  std::string cut;
  for (Node& node : zone->nodes) {
    node.apex = node.name == zone->origin;
    node.ent = node.rrsets.empty();
    node.nsec3_only = !node.rrsets.empty();
    for (const RRset& r : node.rrsets) {
      if (r.type != kTypeNsec3) node.nsec3_only = false;
    }
    node.occluded = false;
    node.delegation = false;
    if (!cut.empty() && IsSubdomainOf(node.name, cut)) {
      node.occluded = true;
      continue;
    }
    cut.clear();
    if (!node.apex && node.Has(kTypeNs)) {
      node.delegation = true;
      cut = node.name;
    }
  }
}

// Adds an empty node for every missing ancestor (up to the origin) of the
// nodes, which must be in canonical order; keeps that order.
void AddEmptyNonTerminals(Zone* zone) {
  std::unordered_set<std::string_view> present;
  present.reserve(zone->nodes.size() * 2);
  for (const Node& node : zone->nodes) present.insert(node.name);
  std::unordered_set<std::string> missing;
  for (const Node& node : zone->nodes) {
    absl::string_view name = node.name;
    while (name.size() > zone->origin.size()) {
      name = ParentName(name);
      if (present.count(std::string_view(name.data(), name.size())) ||
          missing.count(std::string(name))) {
        break;
      }
      missing.insert(std::string(name));
    }
  }
  if (missing.empty()) return;
  std::vector<Node> ents(missing.size());
  size_t i = 0;
  for (const std::string& name : missing) ents[i++].name = name;
  const auto less = [](const Node& a, const Node& b) {
    return CompareCanonical(a.name, b.name) < 0;
  };
  std::sort(ents.begin(), ents.end(), less);
  const size_t old_size = zone->nodes.size();
  zone->nodes.reserve(old_size + ents.size());
  std::move(ents.begin(), ents.end(), std::back_inserter(zone->nodes));
  std::inplace_merge(zone->nodes.begin(), zone->nodes.begin() + old_size,
                     zone->nodes.end(), less);
}

}  // namespace

void SortAndMarkNodes(Zone* zone) {
  CanonicalSort(
      &zone->nodes, [](const Node& n) -> const std::string& { return n.name; },
      [](const Node&, const Node&) { return false; });
  MarkNodes(zone);
}

absl::StatusOr<Zone> BuildZone(std::string origin, std::vector<Record> records,
                               absl::string_view display_name,
                               const BuildOptions& options) {
  Zone zone;
  zone.origin = std::move(origin);
  CanonicalSort(
      &records, [](const Record& r) -> const std::string& { return r.owner; },
      [](const Record& a, const Record& b) {
        if (a.type != b.type) return a.type < b.type;
        return a.rdata < b.rdata;
      });
  std::vector<Record> rrsigs;
  for (Record& rec : records) {
    if (rec.type == kTypeRrsig && options.attach_rrsigs) {
      rrsigs.push_back(std::move(rec));
      continue;
    }
    if (zone.nodes.empty() || zone.nodes.back().name != rec.owner) {
      zone.nodes.emplace_back();
      zone.nodes.back().name = std::move(rec.owner);
    }
    Node& node = zone.nodes.back();
    if (node.rrsets.empty() || node.rrsets.back().type != rec.type) {
      node.rrsets.emplace_back();
      RRset& fresh = node.rrsets.back();
      fresh.type = rec.type;
      fresh.ttl = rec.ttl;
      fresh.line = rec.line;
    }
    RRset& rrset = node.rrsets.back();
    // RFC 2181 5.2: one TTL per RRset; we take the lowest.
    rrset.ttl = std::min(rrset.ttl, rec.ttl);
    if (!rrset.rdatas.empty() && rrset.rdatas.back() == rec.rdata) continue;
    rrset.rdatas.push_back(std::move(rec.rdata));
  }
  records.clear();
  records.shrink_to_fit();

  // The records were sorted, so the nodes are in canonical order already;
  // only the empty non-terminals need placing.
  AddEmptyNonTerminals(&zone);
  MarkNodes(&zone);

  for (Record& sig : rrsigs) {
    const int index = zone.FindNode(sig.owner);
    if (index < 0) {
      return ZoneError(display_name, sig.line,
                       absl::StrCat("RRSIG at ", NameToText(sig.owner),
                                    " where no data exists"));
    }
    Node& node = zone.nodes[index];
    RRset* covered = node.Find(RrsigTypeCovered(sig.rdata));
    if (covered == nullptr) {
      ++node.orphan_sigs;
    } else {
      covered->sigs.push_back(std::move(sig.rdata));
    }
  }

  if (absl::Status s = CheckZone(zone, display_name, options.attach_rrsigs);
      !s.ok()) {
    return s;
  }
  const RRset* soa = zone.apex().Find(kTypeSoa);
  zone.soa_ttl = soa->ttl;
  const std::string& soa_rdata = soa->rdatas.front();
  if (soa_rdata.size() < 20) {
    return ZoneError(display_name, soa->line, "malformed SOA RDATA");
  }
  const auto* p =
      reinterpret_cast<const uint8_t*>(soa_rdata.data() + soa_rdata.size() - 4);
  zone.soa_minimum = static_cast<uint32_t>(p[0]) << 24 |
                     static_cast<uint32_t>(p[1]) << 16 | p[2] << 8 | p[3];
  for (const Node& node : zone.nodes) {
    for (const RRset& r : node.rrsets)
      zone.max_ttl = std::max(zone.max_ttl, r.ttl);
  }
  return zone;
}

}  // namespace signer
}  // namespace zonekeep
