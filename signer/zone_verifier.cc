#include "signer/zone_verifier.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/name.h"
#include "signer/denial_chain.h"
#include "signer/dnskey_verifier.h"
#include "signer/nsec3_hash.h"
#include "signer/parallel.h"
#include "signer/rrsig.h"
#include "signer/type_bitmap.h"
#include "signer/zone_parser.h"
#include "signer/zone_text_writer.h"

namespace zonekeep {
namespace signer {
namespace {

std::string Where(const Node& node, uint16_t type) {
  return absl::StrCat(dnssec::NameToText(node.name), "/", TypeName(type));
}

std::string TypeList(const std::vector<uint16_t>& types) {
  std::string out;
  for (uint16_t t : types)
    absl::StrAppend(&out, out.empty() ? "" : " ", TypeName(t));
  return out;
}

// First error by job index, so the message does not depend on scheduling.
class FirstError {
 public:
  void Record(size_t index, std::string message) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!has_ || index < index_) {
      has_ = true;
      index_ = index;
      message_ = std::move(message);
    }
    stop_.store(true);
  }
  const std::atomic<bool>& stop() const { return stop_; }
  absl::Status status() const {
    if (!has_) return absl::OkStatus();
    return absl::FailedPreconditionError(message_);
  }

 private:
  std::mutex mu_;
  bool has_ = false;
  size_t index_ = 0;
  std::string message_;
  std::atomic<bool> stop_{false};
};

absl::Status CheckNsecChain(const Zone& zone) {
  std::vector<size_t> names;
  for (size_t i = 0; i < zone.nodes.size(); ++i) {
    const Node& node = zone.nodes[i];
    if (NeedsNsec(node)) {
      names.push_back(i);
    } else if (node.Has(kTypeNsec)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "NSEC at ", dnssec::NameToText(node.name),
          ", which is not authoritative (glue, occluded or empty)"));
    }
  }
  for (size_t k = 0; k < names.size(); ++k) {
    const Node& node = zone.nodes[names[k]];
    const Node& next = zone.nodes[names[(k + 1) % names.size()]];
    const RRset* nsec = node.Find(kTypeNsec);
    if (nsec == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("missing NSEC at ", dnssec::NameToText(node.name)));
    }
    if (nsec->rdatas.size() != 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "more than one NSEC at ", dnssec::NameToText(node.name)));
    }
    const absl::string_view rdata = nsec->rdatas.front();
    size_t end = 0;
    while (end < rdata.size() && rdata[end] != 0) {
      end += 1 + static_cast<uint8_t>(rdata[end]);
    }
    if (end >= rdata.size()) {
      return absl::FailedPreconditionError(
          absl::StrCat("malformed NSEC at ", dnssec::NameToText(node.name)));
    }
    std::string next_name(rdata.substr(0, end + 1));
    dnssec::LowercaseName(&next_name);
    if (next_name != next.name) {
      return absl::FailedPreconditionError(
          absl::StrCat("broken NSEC chain: ", dnssec::NameToText(node.name),
                       " points to ", dnssec::NameToText(next_name),
                       ", expected ", dnssec::NameToText(next.name)));
    }
    auto types = DecodeTypeBitmap(rdata.substr(end + 1));
    if (!types.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("NSEC at ", dnssec::NameToText(node.name), ": ",
                       types.status().message()));
    }
    const std::vector<uint16_t> want = ChainTypes(node, false);
    if (*types != want) {
      return absl::FailedPreconditionError(absl::StrCat(
          "wrong NSEC type bitmap at ", dnssec::NameToText(node.name),
          ": has {", TypeList(*types), "}, expected {", TypeList(want), "}"));
    }
  }
  return absl::OkStatus();
}

struct Nsec3Entry {
  std::string hash;
  const Node* node;
  uint8_t flags;
  std::string next;
  std::vector<uint16_t> types;
  bool used = false;
};

absl::Status CheckNsec3Chain(const Zone& zone) {
  const RRset* param_set = zone.apex().Find(kTypeNsec3Param);
  if (param_set == nullptr || param_set->rdatas.size() != 1) {
    return absl::FailedPreconditionError(
        "NSEC3 chain without exactly one NSEC3PARAM at the apex");
  }
  const absl::string_view param = param_set->rdatas.front();
  if (param.size() < 5 || param.size() != 5u + static_cast<uint8_t>(param[4]) ||
      param[0] != 1) {
    return absl::FailedPreconditionError("malformed NSEC3PARAM");
  }
  const uint16_t iterations = ReadU16(param, 2);
  const std::string salt(param.substr(5));
  if (iterations > kMaxNsec3Iterations) {
    return absl::FailedPreconditionError(absl::StrCat(
        "NSEC3 iterations ", iterations, " above ", kMaxNsec3Iterations));
  }
  const std::string param_key =
      absl::StrCat(param.substr(0, 1), param.substr(2));
  std::vector<Nsec3Entry> entries;
  for (const Node& node : zone.nodes) {
    const RRset* nsec3 = node.Find(kTypeNsec3);
    if (nsec3 == nullptr) continue;
    const auto where = [&] { return dnssec::NameToText(node.name); };
    if (!node.nsec3_only || nsec3->rdatas.size() != 1 ||
        dnssec::ParentName(node.name) != zone.origin) {
      return absl::FailedPreconditionError(
          absl::StrCat("misplaced or repeated NSEC3 at ", where()));
    }
    Nsec3Entry e;
    e.node = &node;
    if (!Base32HexDecode(
            node.name.substr(1, static_cast<uint8_t>(node.name[0])), &e.hash) ||
        e.hash.size() != kNsec3HashLength) {
      return absl::FailedPreconditionError(
          absl::StrCat("NSEC3 owner is not a hash: ", where()));
    }
    const absl::string_view rd = nsec3->rdatas.front();
    if (rd.size() < 5 + salt.size() + 1 ||
        absl::StrCat(rd.substr(0, 1), rd.substr(2, 3 + salt.size())) !=
            param_key) {
      return absl::FailedPreconditionError(absl::StrCat(
          "NSEC3 at ", where(), " has parameters unlike NSEC3PARAM"));
    }
    e.flags = static_cast<uint8_t>(rd[1]);
    size_t pos = 5 + salt.size();
    const size_t hash_len = static_cast<uint8_t>(rd[pos]);
    if (hash_len != kNsec3HashLength || pos + 1 + hash_len > rd.size()) {
      return absl::FailedPreconditionError(
          absl::StrCat("malformed NSEC3 at ", where()));
    }
    e.next = std::string(rd.substr(pos + 1, hash_len));
    auto types = DecodeTypeBitmap(rd.substr(pos + 1 + hash_len));
    if (!types.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("NSEC3 at ", where(), ": ", types.status().message()));
    }
    e.types = *std::move(types);
    entries.push_back(std::move(e));
  }
  if (entries.empty()) {
    return absl::FailedPreconditionError("NSEC3PARAM without NSEC3 records");
  }
  std::sort(
      entries.begin(), entries.end(),
      [](const Nsec3Entry& a, const Nsec3Entry& b) { return a.hash < b.hash; });
  for (size_t k = 0; k < entries.size(); ++k) {
    const std::string& want = entries[(k + 1) % entries.size()].hash;
    if (entries[k].next != want) {
      return absl::FailedPreconditionError(absl::StrCat(
          "broken NSEC3 chain at ", dnssec::NameToText(entries[k].node->name),
          ": next hashed owner ", Base32HexEncode(entries[k].next),
          ", expected ", Base32HexEncode(want)));
    }
  }
  for (const Node& node : zone.nodes) {
    if (node.occluded || node.nsec3_only) continue;
    const std::string h = Nsec3Hash(node.name, salt, iterations);
    auto it = std::lower_bound(
        entries.begin(), entries.end(), h,
        [](const Nsec3Entry& e, const std::string& v) { return e.hash < v; });
    if (it != entries.end() && it->hash == h) {
      it->used = true;
      const std::vector<uint16_t> want = ChainTypes(node, true);
      if (it->types != want) {
        return absl::FailedPreconditionError(absl::StrCat(
            "wrong NSEC3 type bitmap for ", dnssec::NameToText(node.name),
            ": has {", TypeList(it->types), "}, expected {", TypeList(want),
            "}"));
      }
      continue;
    }
    if (node.IsInsecureDelegation()) {
      const Nsec3Entry& cover =
          it == entries.begin() ? entries.back() : *(it - 1);
      if (cover.flags & 1) continue;
      return absl::FailedPreconditionError(absl::StrCat(
          "insecure delegation ", dnssec::NameToText(node.name),
          " has no NSEC3 and its covering NSEC3 lacks the opt-out flag"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "missing NSEC3 for ", node.ent ? "empty non-terminal " : "",
        dnssec::NameToText(node.name)));
  }
  for (const Nsec3Entry& e : entries) {
    if (!e.used) {
      return absl::FailedPreconditionError(
          absl::StrCat("NSEC3 ", dnssec::NameToText(e.node->name),
                       " matches no name in the zone"));
    }
  }
  return absl::OkStatus();
}

// A zone key: its verifier and its identity in signature records.
struct ZoneKeyCheck {
  DnskeyVerifier verifier;
  SignatureDigest identity;
};
using KeyMap =
    std::multimap<std::pair<dnssec::Algorithm, uint16_t>, ZoneKeyCheck>;

struct Job {
  const Node* node;
  const RRset* rrset;
};

// RRsets per unit of work. A worker checks a block of RRsets together so that
// their ECDSA signatures by one key are verified in one batch (one shared
// modular inversion; see DnskeyVerifier::VerifyBatch).
constexpr size_t kBlock = 64;

// An RRSIG that passed the cheap checks and waits for its signature check.
struct PendingSig {
  KeyMap::const_iterator key;       // the DNSKEY to try (next)
  KeyMap::const_iterator keys_end;  // end of those with its algorithm and tag
  std::string data;                 // what it signs (RFC 4034 3.1.8.1)
  std::string signature;
  dnssec::Algorithm algorithm = dnssec::Algorithm::kEcdsaP256Sha256;
  uint16_t key_tag = 0;
  uint32_t expiration = 0;
  bool verified = false;
  bool verified_before = false;  // matched the verified record: no arithmetic
};

// The cheap checks of one RRset's RRSIGs, in RRSIG order up to the first that
// fails: the RRSIGs that passed wait in pending[first_sig, end_sig); `error`
// is the failure after them, if any.
struct RRsetCheck {
  size_t first_sig = 0;
  size_t end_sig = 0;
  std::string error;
};

// Whether `sig_rdata` is byte for byte what `verified_before` holds for this
// RRSIG under one of the keys with its algorithm and tag (then `*key` is that
// key). `rrset_wire` is the RRset as AppendSignedRRset gives it.
bool VerifiedBefore(const SignatureRecord& verified_before,
                    const RrsigFields& fields, absl::string_view rrset_wire,
                    absl::string_view sig_rdata, KeyMap::const_iterator begin,
                    KeyMap::const_iterator end) {
  for (auto key = begin; key != end; ++key) {
    const std::optional<absl::string_view> entry = verified_before.Find(
        SignatureEntryDigest(key->second.identity, fields, rrset_wire));
    if (entry.has_value() && *entry == sig_rdata) return true;
  }
  return false;
}

RRsetCheck CheckRrsigFields(const Zone& zone, const KeyMap& keys, int64_t now,
                            const SignatureRecord* verified_before,
                            const Job& job, std::vector<PendingSig>* pending) {
  const Node& node = *job.node;
  const RRset& rrset = *job.rrset;
  const int expected_labels =
      dnssec::LabelCount(node.name) - (dnssec::IsWildcard(node.name) ? 1 : 0);
  // Only formatted on the error paths: it costs more than a verify's
  // bookkeeping.
  const auto where = [&] { return Where(node, rrset.type); };
  RRsetCheck check;
  check.first_sig = pending->size();
  for (const absl::string_view sig_rdata : rrset.sigs) {
    auto sig = ParseRrsig(sig_rdata);
    if (!sig.ok()) {
      check.error = absl::StrCat("malformed RRSIG for ", where());
      break;
    }
    std::string signer = sig->signer_name;
    dnssec::LowercaseName(&signer);
    if (signer != zone.origin) {
      check.error = absl::StrCat("RRSIG for ", where(), " names signer ",
                                 dnssec::NameToText(signer));
      break;
    }
    if (sig->labels != expected_labels) {
      check.error = absl::StrCat("RRSIG for ", where(), " has labels ",
                                 sig->labels, ", expected ", expected_labels);
      break;
    }
    if (sig->original_ttl != rrset.ttl) {
      check.error =
          absl::StrCat("RRSIG for ", where(), " has original TTL ",
                       sig->original_ttl, ", RRset TTL is ", rrset.ttl);
      break;
    }
    if (static_cast<int64_t>(sig->inception) > now) {
      check.error = absl::StrCat("RRSIG for ", where(), " (key ", sig->key_tag,
                                 ") is not yet valid");
      break;
    }
    if (static_cast<int64_t>(sig->expiration) <= now) {
      check.error = absl::StrCat("RRSIG for ", where(), " (key ", sig->key_tag,
                                 ") has expired");
      break;
    }
    auto range = keys.equal_range({sig->algorithm, sig->key_tag});
    if (range.first == range.second) {
      check.error =
          absl::StrCat("RRSIG for ", where(), " by key ", sig->key_tag,
                       " (algorithm ", static_cast<int>(sig->algorithm),
                       ") which is not in the DNSKEY RRset");
      break;
    }
    PendingSig p;
    p.key = range.first;
    p.keys_end = range.second;
    p.algorithm = sig->algorithm;
    p.key_tag = sig->key_tag;
    p.expiration = sig->expiration;
    p.signature = std::move(sig->signature);
    sig->signer_name = std::move(signer);
    AppendRrsigPrefix(*sig, &p.data);
    const size_t prefix_size = p.data.size();
    AppendSignedRRset(node.name, rrset.type, rrset.ttl, rrset.rdatas, &p.data);
    p.verified_before =
        verified_before != nullptr &&
        VerifiedBefore(*verified_before, *sig,
                       absl::string_view(p.data).substr(prefix_size), sig_rdata,
                       range.first, range.second);
    p.verified = p.verified_before;
    pending->push_back(std::move(p));
  }
  check.end_sig = pending->size();
  return check;
}

// Sets `verified` on the pending signatures that verify with a DNSKEY of
// their algorithm and key tag: in one batch per key, then, for those that
// failed, with the next key of the same tag (tag collisions are rare).
void VerifyPending(std::vector<PendingSig>* pending) {
  std::vector<size_t> todo;
  for (size_t k = 0; k < pending->size(); ++k) {
    if (!(*pending)[k].verified) todo.push_back(k);
  }
  while (!todo.empty()) {
    std::map<const DnskeyVerifier*, std::vector<size_t>> by_key;
    for (size_t k : todo) {
      by_key[&(*pending)[k].key->second.verifier].push_back(k);
    }
    todo.clear();
    for (const auto& [verifier, indices] : by_key) {
      std::vector<DnskeyVerifier::Item> items;
      items.reserve(indices.size());
      for (size_t k : indices) {
        items.push_back({(*pending)[k].data, (*pending)[k].signature});
      }
      const std::vector<bool> ok = verifier->VerifyBatch(items);
      for (size_t j = 0; j < indices.size(); ++j) {
        PendingSig& sig = (*pending)[indices[j]];
        if (ok[j]) {
          sig.verified = true;
        } else if (++sig.key != sig.keys_end) {
          todo.push_back(indices[j]);
        }
      }
    }
  }
}

// The RRset's first failure in RRSIG order ("" if none), as if each RRSIG
// had been checked completely before the next: a bad signature before the
// failed cheap check comes first. Counts the signatures verified before it.
std::string ConcludeRRset(const Job& job, const RRsetCheck& check,
                          const std::vector<PendingSig>& pending,
                          const std::set<dnssec::Algorithm>& algorithms,
                          uint32_t* earliest, size_t* verified,
                          size_t* verified_before) {
  std::set<dnssec::Algorithm> signed_by;
  for (size_t k = check.first_sig; k < check.end_sig; ++k) {
    const PendingSig& sig = pending[k];
    if (!sig.verified) {
      return absl::StrCat("bad RRSIG for ", Where(*job.node, job.rrset->type),
                          " by key ", sig.key_tag);
    }
    ++*verified;
    if (sig.verified_before) ++*verified_before;
    signed_by.insert(sig.algorithm);
    *earliest = std::min(*earliest, sig.expiration);
  }
  if (!check.error.empty()) return check.error;
  for (dnssec::Algorithm alg : algorithms) {
    if (!signed_by.count(alg)) {
      return absl::StrCat("no valid RRSIG of algorithm ", static_cast<int>(alg),
                          " for ", Where(*job.node, job.rrset->type));
    }
  }
  return "";
}

}  // namespace

absl::StatusOr<VerifyReport> VerifyZone(
    const Zone& zone, int64_t now, int threads,
    const SignatureRecord* verified_before) {
  VerifyReport report;
  if (zone.nodes.empty() || !zone.apex().apex) {
    return absl::FailedPreconditionError("zone has no apex");
  }
  const RRset* dnskeys = zone.apex().Find(kTypeDnskey);
  if (dnskeys == nullptr) {
    return absl::FailedPreconditionError("no DNSKEY RRset at the apex");
  }
  KeyMap keys;
  std::set<dnssec::Algorithm> algorithms;
  for (const absl::string_view rdata : dnskeys->rdatas) {
    auto v = DnskeyVerifier::Create(rdata);
    if (!v.ok()) {
      if (absl::IsUnimplemented(v.status())) continue;
      return v.status();
    }
    if (!(v->flags() & 0x0100)) continue;  // not a zone key
    algorithms.insert(v->algorithm());
    const auto where = std::make_pair(v->algorithm(), v->key_tag());
    keys.emplace(where, ZoneKeyCheck{*std::move(v), KeyIdentity(rdata)});
  }
  if (keys.empty()) {
    return absl::FailedPreconditionError("no usable zone key in DNSKEY RRset");
  }

  bool has_nsec = false, has_nsec3 = false;
  std::vector<Job> jobs;
  for (const Node& node : zone.nodes) {
    if (node.orphan_sigs > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("RRSIG at ", dnssec::NameToText(node.name),
                       " covers a type not present"));
    }
    for (const RRset& rrset : node.rrsets) {
      has_nsec |= rrset.type == kTypeNsec;
      has_nsec3 |= rrset.type == kTypeNsec3;
      if (!IsSignedRRset(node, rrset)) {
        if (!rrset.sigs.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "RRSIG over non-authoritative data ", Where(node, rrset.type)));
        }
        continue;
      }
      if (rrset.sigs.empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("missing RRSIG for ", Where(node, rrset.type)));
      }
      jobs.push_back(Job{&node, &rrset});
    }
  }
  if (has_nsec && has_nsec3) {
    return absl::FailedPreconditionError("zone has both NSEC and NSEC3");
  }
  if (!has_nsec && !has_nsec3) {
    return absl::FailedPreconditionError("zone has no NSEC or NSEC3 chain");
  }
  report.nsec3 = has_nsec3;
  if (absl::Status s = has_nsec3 ? CheckNsec3Chain(zone) : CheckNsecChain(zone);
      !s.ok()) {
    return s;
  }

  // Per block of RRsets: the cheap checks of every RRSIG, then the
  // signatures, batched per key, then the verdicts in zone order.
  FirstError error;
  std::vector<uint32_t> earliest(jobs.size(), UINT32_MAX);
  std::atomic<size_t> sig_count{0};
  std::atomic<size_t> verified_before_count{0};
  const size_t blocks = (jobs.size() + kBlock - 1) / kBlock;
  ParallelFor(blocks, threads, 1, error.stop(), [&](size_t b) {
    const size_t begin = b * kBlock;
    const size_t end = std::min(jobs.size(), begin + kBlock);
    std::vector<PendingSig> pending;
    std::vector<RRsetCheck> checks;
    for (size_t i = begin; i < end; ++i) {
      checks.push_back(CheckRrsigFields(zone, keys, now, verified_before,
                                        jobs[i], &pending));
    }
    VerifyPending(&pending);
    size_t verified = 0;
    size_t matched = 0;
    for (size_t i = begin; i < end; ++i) {
      std::string message =
          ConcludeRRset(jobs[i], checks[i - begin], pending, algorithms,
                        &earliest[i], &verified, &matched);
      if (!message.empty()) error.Record(i, std::move(message));
    }
    sig_count.fetch_add(verified, std::memory_order_relaxed);
    verified_before_count.fetch_add(matched, std::memory_order_relaxed);
  });
  if (absl::Status s = error.status(); !s.ok()) return s;
  uint32_t min_exp = UINT32_MAX;
  for (uint32_t e : earliest) min_exp = std::min(min_exp, e);
  report.earliest_expiration = min_exp;
  report.rrsets_checked = jobs.size();
  report.signatures_checked = sig_count.load();
  report.signatures_verified_before = verified_before_count.load();
  return report;
}

absl::StatusOr<VerifyReport> VerifySignedZone(
    absl::string_view text, absl::string_view origin, int64_t now, int threads,
    const SignatureRecord* verified_before) {
  ParseOptions parse_options;
  parse_options.keep_dnssec = true;
  auto parsed = ParseZoneText(text, "signed zone", origin, parse_options);
  if (!parsed.ok()) return parsed.status();
  BuildOptions build_options;
  build_options.attach_rrsigs = true;
  auto zone = BuildZone(std::move(parsed->origin), std::move(parsed->records),
                        "signed zone", build_options);
  if (!zone.ok()) return zone.status();
  return VerifyZone(*zone, now, threads, verified_before);
}

}  // namespace signer
}  // namespace zonekeep
