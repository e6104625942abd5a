#include "signer/zone_model.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <new>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dnssec/name.h"
#include "signer/busy_time.h"
#include "signer/parallel.h"
#include "signer/type_name.h"

namespace zonekeep {
namespace signer {
namespace {

// Sort keys (dnssec::AppendCanonicalKey) of many names, stored in one buffer
// per half of the items so that building them costs no allocation per name.
class KeyTable {
 public:
  KeyTable(size_t n, size_t half) : half_(half), begin_(n), size_(n) {}

  // Builds the keys of items [from, to), all in the same half.
  template <typename T, typename NameOf>
  void Build(const std::vector<T>& items, NameOf name_of, size_t from,
             size_t to) {
    std::string& bytes = bytes_[from >= half_ ? 1 : 0];
    for (size_t i = from; i < to; ++i) {
      const size_t start = bytes.size();
      dnssec::AppendCanonicalKey(name_of(items[i]), &bytes);
      begin_[i] = static_cast<uint32_t>(start);
      size_[i] = static_cast<uint32_t>(bytes.size() - start);
    }
  }

  absl::string_view Key(size_t i) const {
    return absl::string_view(bytes_[i >= half_ ? 1 : 0].data() + begin_[i],
                             size_[i]);
  }

  // Length of the prefix all keys share (the origin's labels, in a zone).
  size_t CommonPrefix() const {
    if (begin_.empty()) return 0;
    const absl::string_view first = Key(0);
    size_t common = first.size();
    for (size_t i = 1; i < begin_.size() && common > 0; ++i) {
      const absl::string_view key = Key(i);
      size_t k = 0;
      const size_t limit = std::min(common, key.size());
      while (k < limit && key[k] == first[k]) ++k;
      common = k;
    }
    return common;
  }

  // The 8 key bytes after `skip`, big-endian, zero-padded: comparing these
  // integers orders keys as memcmp does, except where they tie.
  uint64_t Head(size_t i, size_t skip) const {
    const absl::string_view key = Key(i);
    uint64_t head = 0;
    for (size_t k = 0; k < 8; ++k) {
      const size_t at = skip + k;
      head = head << 8 | (at < key.size() ? static_cast<uint8_t>(key[at]) : 0);
    }
    return head;
  }

 private:
  size_t half_;
  std::string bytes_[2];
  std::vector<uint32_t> begin_;
  std::vector<uint32_t> size_;
};

// Below this many items a sort stays on the calling thread.
constexpr size_t kParallelSortMin = 1 << 14;

// Sorts `items` into canonical order of name_of(item), ties broken by
// tie_less. Each name's sort key is built once, and most comparisons are of
// one integer holding the first key bytes where the names differ.
template <typename T, typename NameOf, typename TieLess>
void CanonicalSort(std::vector<T>* items, NameOf name_of, TieLess tie_less) {
  const size_t n = items->size();
  const bool parallel = n >= kParallelSortMin && ResolveThreads(0) > 1;
  const size_t half = parallel ? n / 2 : n;
  KeyTable keys(n, half);
  if (parallel) {
    BusyCounter* const busy = CurrentBusyCounter();
    std::thread helper([&, busy] {
      BusyScope scope(busy);
      keys.Build(*items, name_of, half, n);
    });
    keys.Build(*items, name_of, 0, half);
    helper.join();
  } else {
    keys.Build(*items, name_of, 0, n);
  }
  const size_t skip = keys.CommonPrefix();
  struct Entry {
    uint64_t head;
    uint32_t index;
  };
  std::vector<Entry> order(n);
  for (size_t i = 0; i < n; ++i) {
    order[i] = {keys.Head(i, skip), static_cast<uint32_t>(i)};
  }
  auto less = [&](const Entry& a, const Entry& b) {
    if (a.head != b.head) return a.head < b.head;
    const int c = keys.Key(a.index).compare(keys.Key(b.index));
    if (c != 0) return c < 0;
    return tie_less((*items)[a.index], (*items)[b.index]);
  };
  if (parallel) {
    BusyCounter* const busy = CurrentBusyCounter();
    std::thread helper([&, busy] {
      BusyScope scope(busy);
      std::sort(order.begin() + half, order.end(), less);
    });
    std::sort(order.begin(), order.begin() + half, less);
    helper.join();
    std::inplace_merge(order.begin(), order.begin() + half, order.end(), less);
  } else {
    std::sort(order.begin(), order.end(), less);
  }
  std::vector<T> sorted;
  sorted.reserve(n);
  for (const Entry& e : order) sorted.push_back(std::move((*items)[e.index]));
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

uint16_t RrsigTypeCovered(absl::string_view rdata) {
  if (rdata.size() < 2) return 0;
  return static_cast<uint16_t>(static_cast<uint8_t>(rdata[0]) << 8 |
                               static_cast<uint8_t>(rdata[1]));
}

// Skips one wire name in `rdata` at `pos`; returns the end or npos.
size_t SkipName(absl::string_view rdata, size_t pos) {
  while (pos < rdata.size()) {
    const uint8_t len = static_cast<uint8_t>(rdata[pos]);
    if (len == 0) return pos + 1;
    pos += 1 + len;
  }
  return std::string::npos;
}

std::string FirstNameOf(absl::string_view rdata, size_t start = 0) {
  const size_t end = SkipName(rdata, start);
  if (end == std::string::npos) return std::string();
  return std::string(rdata.substr(start, end - start));
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
      dnssec::LowercaseName(&target);
      return target;
    }
  }
  for (size_t pos = 0; pos < name.size() && name[pos] != 0;) {
    pos += 1 + static_cast<uint8_t>(name[pos]);
    const absl::string_view ancestor = name.substr(pos);
    if (!dnssec::IsSubdomainOf(ancestor, zone.origin)) break;
    const int owner = zone.FindNode(ancestor);
    if (owner < 0) continue;
    const RRset* dname = zone.nodes[owner].Find(kTypeDname);
    if (dname == nullptr) continue;
    std::string target = FirstNameOf(dname->rdatas.front());
    dnssec::LowercaseName(&target);
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
                                  dnssec::NameToText(zone.origin)));
  }
  absl::string_view dname_owner;  // a node name: the zone holds the bytes
  for (const Node& node : zone.nodes) {
    if (!dname_owner.empty() && dnssec::IsSubdomainOf(node.name, dname_owner) &&
        !node.occluded && !node.ent) {
      const int line = node.rrsets.empty() ? 0 : node.rrsets.front().line;
      return ZoneError(display_name, line,
                       absl::StrCat("data at ", dnssec::NameToText(node.name),
                                    " below the DNAME at ",
                                    dnssec::NameToText(dname_owner)));
    }
    if (dname_owner.empty() || !dnssec::IsSubdomainOf(node.name, dname_owner)) {
      dname_owner = absl::string_view();
    }
    for (const RRset& rrset : node.rrsets) {
      if (rrset.type == kTypeSoa) {
        if (!node.apex) {
          return ZoneError(
              display_name, rrset.line,
              absl::StrCat("SOA record at ", dnssec::NameToText(node.name),
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
            absl::StrCat("CNAME at ", dnssec::NameToText(node.name),
                         " beside other data (", TypeName(other.type),
                         "): a CNAME owner holds no other type "
                         "(RFC 1034 3.6.2)"));
      }
      if (cname->rdatas.size() > 1) {
        return ZoneError(display_name, cname->line,
                         absl::StrCat("more than one CNAME at ",
                                      dnssec::NameToText(node.name)));
      }
    }
    if (const RRset* dname = node.Find(kTypeDname)) {
      if (dname->rdatas.size() > 1) {
        return ZoneError(display_name, dname->line,
                         absl::StrCat("more than one DNAME at ",
                                      dnssec::NameToText(node.name)));
      }
      const std::string target = FirstNameOf(dname->rdatas.front());
      if (dnssec::IsSubdomainOf(target, node.name)) {
        return ZoneError(
            display_name, dname->line,
            absl::StrCat("DNAME at ", dnssec::NameToText(node.name),
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
                         absl::StrCat("DS at ", dnssec::NameToText(node.name),
                                      " without a delegation (NS)"));
      }
    }
  }
  if (!zone.apex().Has(kTypeSoa)) {
    return ZoneError(display_name, 0,
                     absl::StrCat("no SOA record at the zone apex ",
                                  dnssec::NameToText(zone.origin)));
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
    std::string name = cname != nullptr ? std::string(node.name)
                                        : absl::StrCat("\x05probe", node.name);
    for (int hops = 0;; ++hops) {
      std::optional<std::string> next = NextAlias(zone, name);
      if (!next.has_value()) break;
      if (hops >= kMaxAliasHops) {
        return ZoneError(
            display_name, (cname != nullptr ? cname : dname)->line,
            absl::StrCat(cname != nullptr ? "CNAME" : "DNAME", " chain from ",
                         dnssec::NameToText(node.name),
                         " loops or is longer than ", kMaxAliasHops));
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

void Zone::SetRdatas(RRset* rrset,
                     std::vector<absl::string_view> rdatas) const {
  std::sort(rdatas.begin(), rdatas.end());  // memcmp: unsigned byte order
  rdatas.erase(std::unique(rdatas.begin(), rdatas.end()), rdatas.end());
  SetCanonicalRdatas(rrset, rdatas);
}

void Zone::SetCanonicalRdatas(
    RRset* rrset, absl::Span<const absl::string_view> rdatas) const {
  if (rdatas.empty()) {
    rrset->rdatas = {};
    return;
  }
  // One piece of arena: the views, then the bytes they view.
  const size_t views_size = rdatas.size() * sizeof(absl::string_view);
  size_t total = views_size;
  for (const absl::string_view rdata : rdatas) total += rdata.size();
  char* const room =
      static_cast<char*>(bytes->Allocate(total, alignof(absl::string_view)));
  auto* const views = reinterpret_cast<absl::string_view*>(room);
  char* at = room + views_size;
  for (size_t i = 0; i < rdatas.size(); ++i) {
    if (!rdatas[i].empty()) std::memcpy(at, rdatas[i].data(), rdatas[i].size());
    new (&views[i]) absl::string_view(at, rdatas[i].size());
    at += rdatas[i].size();
  }
  rrset->rdatas = absl::MakeConstSpan(views, rdatas.size());
}

int Zone::FindNode(absl::string_view name) const {
  size_t lo = 0, hi = nodes.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    const int c = dnssec::CompareCanonical(nodes[mid].name, name);
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
  absl::string_view cut;  // a node name: the zone holds the bytes
  for (Node& node : zone->nodes) {
    node.apex = node.name == zone->origin;
    node.ent = node.rrsets.empty();
    node.nsec3_only = !node.rrsets.empty();
    for (const RRset& r : node.rrsets) {
      if (r.type != kTypeNsec3) node.nsec3_only = false;
    }
    node.occluded = false;
    node.delegation = false;
    if (!cut.empty() && dnssec::IsSubdomainOf(node.name, cut)) {
      node.occluded = true;
      continue;
    }
    cut = absl::string_view();
    if (!node.apex && node.Has(kTypeNs)) {
      node.delegation = true;
      cut = node.name;
    }
  }
}

// Finds empty non-terminals in one pass over names in canonical order. It
// keeps the chain of known ancestors of the last name (as suffix lengths of
// it): in canonical order a name's subtree follows it contiguously, so an
// ancestor not on the chain has not been seen and never will be.
class AncestorChain {
 public:
  explicit AncestorChain(absl::string_view origin) : origin_(origin) {}

  // Sets `*missing` to the ancestors of `name` below the origin that are not
  // known yet, shortest first (their canonical order, all before `name`);
  // from then on they and `name` are known.
  void Next(absl::string_view name, std::vector<absl::string_view>* missing) {
    missing->clear();
    if (!dnssec::IsSubdomainOf(name, origin_)) {
      // Outside the zone (BuildZone reports it): every ancestor longer than
      // the origin, as ever; the chain starts over.
      lengths_.clear();
      for (absl::string_view a = name; a.size() > origin_.size();) {
        a = dnssec::ParentName(a);
        if (a.size() > origin_.size()) missing->push_back(a);
      }
      std::reverse(missing->begin(), missing->end());
      last_.assign(name.data(), name.size());
      return;
    }
    while (!lengths_.empty() &&
           !dnssec::IsSubdomainOf(name, absl::string_view(last_).substr(
                                            last_.size() - lengths_.back()))) {
      lengths_.pop_back();
    }
    const size_t known = lengths_.empty() ? origin_.size() : lengths_.back();
    for (absl::string_view a = name; a.size() > known;) {
      a = dnssec::ParentName(a);
      if (a.size() > known) missing->push_back(a);
    }
    std::reverse(missing->begin(), missing->end());
    for (absl::string_view a : *missing) lengths_.push_back(a.size());
    if (name.size() > known) lengths_.push_back(name.size());
    last_.assign(name.data(), name.size());
  }

 private:
  absl::string_view origin_;
  std::string last_;             // the last name given
  std::vector<size_t> lengths_;  // known ancestors of last_ (and itself)
};

}  // namespace

void MergeAndMarkNodes(Zone* zone, std::vector<Node> added) {
  std::vector<Node> merged;
  merged.reserve(zone->nodes.size() + added.size());
  std::merge(std::make_move_iterator(zone->nodes.begin()),
             std::make_move_iterator(zone->nodes.end()),
             std::make_move_iterator(added.begin()),
             std::make_move_iterator(added.end()), std::back_inserter(merged),
             [](const Node& a, const Node& b) {
               return dnssec::CompareCanonical(a.name, b.name) < 0;
             });
  zone->nodes.swap(merged);
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
  // The records are sorted, so their owners come in canonical order, and so
  // do the nodes made for them and for the empty non-terminals found on the
  // way.
  AncestorChain ancestors(zone.origin);
  std::vector<absl::string_view> missing;
  // The RRset being filled and its RDATA (views of the records' strings),
  // copied into the zone's arena when the next RRset starts.
  RRset* open = nullptr;
  std::vector<absl::string_view> open_rdatas;
  const auto close = [&] {
    if (open != nullptr) zone.SetCanonicalRdatas(open, open_rdatas);
    open = nullptr;
    open_rdatas.clear();
  };
  for (Record& rec : records) {
    if (rec.type == kTypeRrsig && options.attach_rrsigs) {
      rrsigs.push_back(std::move(rec));
      continue;
    }
    if (zone.nodes.empty() || zone.nodes.back().name != rec.owner) {
      close();
      ancestors.Next(rec.owner, &missing);
      for (absl::string_view ent : missing) {
        zone.nodes.emplace_back();
        zone.nodes.back().name = zone.Store(ent);
      }
      zone.nodes.emplace_back();
      zone.nodes.back().name = zone.Store(rec.owner);
    }
    Node& node = zone.nodes.back();
    if (node.rrsets.empty() || node.rrsets.back().type != rec.type) {
      close();
      node.rrsets.emplace_back();
      RRset& fresh = node.rrsets.back();
      fresh.type = rec.type;
      fresh.ttl = rec.ttl;
      fresh.line = rec.line;
    }
    RRset& rrset = node.rrsets.back();
    // RFC 2181 5.2: one TTL per RRset; we take the lowest.
    rrset.ttl = std::min(rrset.ttl, rec.ttl);
    open = &rrset;
    // Sorted by RDATA within the RRset: a duplicate follows its twin.
    if (!open_rdatas.empty() && open_rdatas.back() == rec.rdata) continue;
    open_rdatas.push_back(rec.rdata);
  }
  close();
  records.clear();
  records.shrink_to_fit();

  MarkNodes(&zone);

  for (Record& sig : rrsigs) {
    const int index = zone.FindNode(sig.owner);
    if (index < 0) {
      return ZoneError(display_name, sig.line,
                       absl::StrCat("RRSIG at ", dnssec::NameToText(sig.owner),
                                    " where no data exists"));
    }
    Node& node = zone.nodes[index];
    RRset* covered = node.Find(RrsigTypeCovered(sig.rdata));
    if (covered == nullptr) {
      ++node.orphan_sigs;
    } else {
      zone.AddSig(covered, sig.rdata);
    }
  }

  if (absl::Status s = CheckZone(zone, display_name, options.attach_rrsigs);
      !s.ok()) {
    return s;
  }
  const RRset* soa = zone.apex().Find(kTypeSoa);
  zone.soa_ttl = soa->ttl;
  const absl::string_view soa_rdata = soa->rdatas.front();
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
