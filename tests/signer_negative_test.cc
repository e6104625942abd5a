// Negative corpus: zones signed by our engine, then corrupted here in distinct
// ways (most corruptions are re-signed with the zone's real keys, so only the
// intended property is wrong). Our VerifySignedZone and every external
// verifier must reject each one, so no check can pass by doing nothing.
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "signer/denial_chain.h"
#include "signer/nsec3_hash.h"
#include "signer/rrsig.h"
#include "signer/type_bitmap.h"
#include "signer/zone_model.h"
#include "signer/zone_parser.h"
#include "signer/zone_signer.h"
#include "signer/zone_text_writer.h"
#include "signer/zone_verifier.h"
#include "tests/test_interop.h"

namespace zonekeep {
namespace interop {
namespace {

using signer::Node;
using signer::RRset;
using signer::Zone;

constexpr dnssec::Algorithm kAlg = dnssec::Algorithm::kEcdsaP256Sha256;

// "a.b." -> wire (plain labels only).
std::string W(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t dot = text.find('.', start);
    out.push_back(static_cast<char>(dot - start));
    out.append(text, start, dot - start);
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

enum class Base { kHostingNsec, kHostingNsec3, kTldNsec3OptOut };

const char* OriginOf(Base base) {
  return base == Base::kTldNsec3OptOut ? kTldOrigin : kHostingOrigin;
}

// Signed base zones, made once per process.
const std::string& SignedBase(Base base) {
  static auto* cache = new std::map<Base, std::string>();
  auto it = cache->find(base);
  if (it != cache->end()) return it->second;
  signer::SignOptions o;
  o.origin = OriginOf(base);
  o.nsec3.enabled = base != Base::kHostingNsec;
  o.nsec3.opt_out = base == Base::kTldNsec3OptOut;
  std::string out;
  auto report = signer::SignZone(
      base == Base::kTldNsec3OptOut ? TldZone(20) : HostingZone(), "base",
      KeysFor(kAlg), o, &out);
  if (!report.ok()) {
    ADD_FAILURE() << report.status();
    abort();
  }
  return cache->emplace(base, std::move(out)).first->second;
}

Zone Load(const std::string& text, const std::string& origin) {
  signer::ParseOptions po;
  po.keep_dnssec = true;
  auto parsed = signer::ParseZoneText(text, "signed", origin, po);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  signer::BuildOptions bo;
  bo.attach_rrsigs = true;
  auto zone = signer::BuildZone(parsed->origin, std::move(parsed->records),
                                "signed", bo);
  EXPECT_TRUE(zone.ok()) << zone.status();
  return *std::move(zone);
}

std::string Dump(const Zone& zone) {
  std::string out;
  auto s = signer::WriteZoneText(zone, [&out](absl::string_view chunk) {
    out.append(chunk.data(), chunk.size());
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

Node& NodeAt(Zone& zone, const std::string& name) {
  const int i = zone.FindNode(W(name));
  if (i < 0) {
    ADD_FAILURE() << "no node " << name;
    abort();
  }
  return zone.nodes[i];
}

RRset& RRsetAt(Zone& zone, const std::string& name, uint16_t type) {
  RRset* r = NodeAt(zone, name).Find(type);
  if (r == nullptr) {
    ADD_FAILURE() << "no RRset " << name << "/" << type;
    abort();
  }
  return *r;
}

const dnssec::ZoneKey& ActiveKey(const std::vector<dnssec::ZoneKey>& keys,
                                 dnssec::KeyRole role) {
  for (const dnssec::ZoneKey& k : keys) {
    if (k.role == role && k.state == dnssec::KeyState::kActive) return k;
  }
  abort();
}

struct SigTweak {
  int64_t inception_delta = 0;
  int64_t expiration_delta = 0;
  int labels_delta = 0;
};

// Replaces the RRset's RRSIGs with one fresh signature by `key`, taking the
// old signature's fields and applying `tweak`.
void Resign(const Zone& zone, const Node& node, RRset* rrset,
            const dnssec::ZoneKey& key, SigTweak tweak = {}) {
  auto old = signer::ParseRrsig(rrset->sigs.front());
  ASSERT_TRUE(old.ok());
  signer::RrsigFields f = *old;
  f.algorithm = key.algorithm;
  f.key_tag = key.key_tag;
  f.original_ttl = rrset->ttl;
  f.inception = static_cast<uint32_t>(f.inception + tweak.inception_delta);
  f.expiration = static_cast<uint32_t>(f.expiration + tweak.expiration_delta);
  f.labels = static_cast<uint8_t>(f.labels + tweak.labels_delta);
  f.signer_name = zone.origin;
  std::string data;
  signer::AppendRrsigPrefix(f, &data);
  const size_t prefix = data.size();
  signer::AppendSignedRRset(node.name, rrset->type, rrset->ttl, rrset->rdatas,
                            &data);
  auto sig = key.signer->Sign(absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  ASSERT_TRUE(sig.ok()) << sig.status();
  std::string rdata = data.substr(0, prefix);
  rdata.append(sig->begin(), sig->end());
  rrset->sigs.clear();
  zone.AddSig(rrset, rdata);
}

void ResignZsk(const Zone& zone, const Node& node, RRset* rrset,
               SigTweak tweak = {}) {
  Resign(zone, node, rrset, ActiveKey(KeysFor(kAlg), dnssec::KeyRole::kZsk),
         tweak);
}

// The NSEC3 node for `name` (empty salt, 0 iterations as the base zones use).
std::string Nsec3Owner(const Zone& zone, const std::string& name) {
  const std::string label =
      signer::Base32HexEncode(signer::Nsec3Hash(W(name), "", 0));
  return std::string(1, static_cast<char>(label.size())) + label + zone.origin;
}

// Edits the RRset's first RDATA: views into the zone's arena are read-only,
// so the changed copy goes into the arena and replaces it (SetRdatas keeps
// the set in canonical order).
template <typename Edit>
void EditFirstRdata(const Zone& zone, RRset* rrset, Edit edit) {
  std::string rdata(rrset->rdatas.front());
  edit(&rdata);
  std::vector<absl::string_view> rdatas(rrset->rdatas.begin(),
                                        rrset->rdatas.end());
  rdatas.front() = rdata;
  zone.SetRdatas(rrset, std::move(rdatas));
}

// Rewrites the types in an NSEC/NSEC3 RDATA bitmap (tail after `bitmap_at`).
void SetBitmap(std::string* rdata, size_t bitmap_at,
               std::vector<uint16_t> types) {
  rdata->resize(bitmap_at);
  signer::AppendTypeBitmap(std::move(types), rdata);
}

size_t Nsec3BitmapOffset(const std::string& rdata) {
  const size_t salt = static_cast<uint8_t>(rdata[4]);
  return 5 + salt + 1 + static_cast<uint8_t>(rdata[5 + salt]);
}

// Verifier names for exemptions.
enum Checker { kOurs = 1, kBind = 2, kLdns = 4, kKnot = 8 };

struct Corruption {
  std::string name;
  Base base;
  std::function<void(Zone&)> mutate;  // on the loaded signed zone
  // Checkers that provably do not check this property (documented per case).
  int exempt = 0;
  // Replaces the whole text instead (for cases made by signing differently).
  std::function<std::string()> make_text;
};

std::vector<Corruption> Corpus() {
  std::vector<Corruption> c;
  c.push_back(
      {"ExpiredRrsig", Base::kHostingNsec, [](Zone& z) {
         Node& n = NodeAt(z, "host0.hosting.example.");
         // Valid signature, window 20 to 10 days ago.
         ResignZsk(z, n, n.Find(signer::kTypeA), {-40 * 86400, -40 * 86400});
       }});
  c.push_back({"RrsigNotYetValid", Base::kHostingNsec, [](Zone& z) {
                 Node& n = NodeAt(z, "host1.hosting.example.");
                 ResignZsk(z, n, n.Find(signer::kTypeA), {+5 * 86400, 0});
               }});
  c.push_back({"RrsigByKeyNotInDnskeySet", Base::kHostingNsec, [](Zone& z) {
                 static const dnssec::ZoneKey* foreign = [] {
                   auto k = dnssec::MakeTestKey(kAlg, dnssec::KeyRole::kZsk);
                   if (!k.ok()) abort();
                   return new dnssec::ZoneKey(*std::move(k));
                 }();
                 Node& n = NodeAt(z, "mail.hosting.example.");
                 Resign(z, n, n.Find(signer::kTypeA), *foreign);
               }});
  c.push_back(
      {"MissingRrsig", Base::kHostingNsec, [](Zone& z) {
         RRsetAt(z, "ns1.hosting.example.", signer::kTypeAaaa).sigs.clear();
       }});
  c.push_back({"SignatureOverAlteredData", Base::kHostingNsec, [](Zone& z) {
                 RRset& a =
                     RRsetAt(z, "host2.hosting.example.", signer::kTypeA);
                 EditFirstRdata(z, &a, [](std::string* rd) { (*rd)[3] ^= 1; });
               }});
  c.push_back({"RrsigLabelsAboveOwnerLabels", Base::kHostingNsec,
               [](Zone& z) {
                 Node& n = NodeAt(z, "host3.hosting.example.");
                 ResignZsk(z, n, n.Find(signer::kTypeA), {0, 0, +1});
               },
               // RFC 4035 5.3.1 says such an RRSIG must not be used, but
               // ldns-verify-zone 1.8.3 and kzonecheck 3.2 do not compare the
               // labels field with the owner (they accept this file); BIND
               // and our self-verify must reject it.
               kLdns | kKnot});
  c.push_back({"RemovedZskDnskey", Base::kHostingNsec, [](Zone& z) {
                 Node& apex = z.apex();
                 RRset* dnskey = apex.Find(signer::kTypeDnskey);
                 const dnssec::ZoneKey& zsk =
                     ActiveKey(KeysFor(kAlg), dnssec::KeyRole::kZsk);
                 const std::string rdata(zsk.dnskey_rdata.begin(),
                                         zsk.dnskey_rdata.end());
                 std::vector<absl::string_view> kept;
                 for (const absl::string_view r : dnskey->rdatas) {
                   if (r != rdata) kept.push_back(r);
                 }
                 ASSERT_EQ(kept.size() + 1, dnskey->rdatas.size());
                 z.SetRdatas(dnskey, std::move(kept));
                 Resign(z, apex, dnskey,
                        ActiveKey(KeysFor(kAlg), dnssec::KeyRole::kKsk));
               }});
  c.push_back({"BrokenNsecChainSkipsName", Base::kHostingNsec, [](Zone& z) {
                 // host0's NSEC jumps over host1 (which keeps its own NSEC).
                 Node& n = NodeAt(z, "host0.hosting.example.");
                 RRset* nsec = n.Find(signer::kTypeNsec);
                 EditFirstRdata(z, nsec, [](std::string* rd) {
                   const std::string next = W("host1.hosting.example.");
                   ASSERT_EQ(rd->compare(0, next.size(), next), 0);
                   rd->replace(0, next.size(), W("host10.hosting.example."));
                 });
                 ResignZsk(z, n, nsec);
               }});
  c.push_back(
      {"NameWithoutNsec", Base::kHostingNsec, [](Zone& z) {
         // host1 loses its NSEC; host0's NSEC points past it, so the
         // chain itself stays closed and signed.
         Node& h1 = NodeAt(z, "host1.hosting.example.");
         const std::string after(h1.Find(signer::kTypeNsec)->rdatas.front());
         h1.rrsets.erase(h1.rrsets.begin() +
                         (h1.Find(signer::kTypeNsec) - &h1.rrsets[0]));
         Node& h0 = NodeAt(z, "host0.hosting.example.");
         RRset* nsec = h0.Find(signer::kTypeNsec);
         const std::string next = W("host1.hosting.example.");
         EditFirstRdata(z, nsec, [&](std::string* rd) {
           rd->replace(0, next.size(),
                       after.substr(0, W("host10.hosting.example.").size()));
         });
         ResignZsk(z, h0, nsec);
       }});
  c.push_back({"WrongNsecTypeBitmap", Base::kHostingNsec,
               [](Zone& z) {
                 // mail has A and AAAA; its NSEC claims only A.
                 Node& n = NodeAt(z, "mail.hosting.example.");
                 RRset* nsec = n.Find(signer::kTypeNsec);
                 EditFirstRdata(z, nsec, [](std::string* rd) {
                   const size_t at = W("multi.hosting.example.").size();
                   SetBitmap(
                       rd, at,
                       {signer::kTypeA, signer::kTypeRrsig, signer::kTypeNsec});
                 });
                 ResignZsk(z, n, nsec);
               },
               // ldns-verify-zone 1.8.3 checks NSEC presence, order and
               // signatures but not bitmap contents (it accepts this file).
               kLdns});
  c.push_back(
      {"BrokenNsec3Chain", Base::kHostingNsec3, [](Zone& z) {
         Node& n = NodeAt(z, "host0.hosting.example.");
         (void)n;
         Node& h = z.nodes[z.FindNode(Nsec3Owner(z, "host0.hosting.example."))];
         RRset* nsec3 = h.Find(signer::kTypeNsec3);
         EditFirstRdata(z, nsec3, [](std::string* rd) {
           (*rd)[Nsec3BitmapOffset(*rd) - 1] ^= 0x01;  // next hash
         });
         ResignZsk(z, h, nsec3);
       }});
  c.push_back({"MissingNsec3ForEmptyNonTerminal", Base::kHostingNsec3,
               [](Zone& z) {
                 // Drop the NSEC3 of ent.hosting.example. (an ENT) and close
                 // the chain around it, re-signed: only the ENT is missing.
                 const std::string ent = Nsec3Owner(z, "ent.hosting.example.");
                 const int index = z.FindNode(ent);
                 ASSERT_GE(index, 0);
                 const std::string its_next(
                     z.nodes[index].Find(signer::kTypeNsec3)->rdatas.front());
                 std::string ent_hash;
                 signer::Base32HexDecode(ent.substr(1, 32), &ent_hash);
                 for (Node& n : z.nodes) {
                   RRset* r = n.Find(signer::kTypeNsec3);
                   if (r == nullptr) continue;
                   const std::string rd(r->rdatas.front());
                   const size_t at = Nsec3BitmapOffset(rd) - 20;
                   if (rd.compare(at, 20, ent_hash) != 0) continue;
                   EditFirstRdata(z, r, [&](std::string* edited) {
                     const size_t from = Nsec3BitmapOffset(its_next) - 20;
                     edited->replace(at, 20, its_next.substr(from, 20));
                   });
                   ResignZsk(z, n, r);
                 }
                 z.nodes.erase(z.nodes.begin() + index);
               },
               // ldns-verify-zone 1.8.3 checks NSEC3 only for names that
               // hold data and never asks for NSEC3 of empty non-terminals
               // (it accepts this file).
               kLdns});
  c.push_back(
      {"WrongNsec3TypeBitmap", Base::kHostingNsec3,
       [](Zone& z) {
         Node& h = z.nodes[z.FindNode(Nsec3Owner(z, "mail.hosting.example."))];
         RRset* nsec3 = h.Find(signer::kTypeNsec3);
         EditFirstRdata(z, nsec3, [](std::string* rd) {
           SetBitmap(rd, Nsec3BitmapOffset(*rd),
                     {signer::kTypeA, signer::kTypeMx, signer::kTypeRrsig});
         });
         ResignZsk(z, h, nsec3);
       },
       // As above: ldns-verify-zone does not check bitmap contents.
       kLdns});
  c.push_back({"SignedInsecureDelegationWithoutOptOut", Base::kTldNsec3OptOut,
               [](Zone& z) {
                 // Clear the opt-out flag on every NSEC3 (re-signed): the
                 // unlisted insecure delegations are then not covered.
                 for (Node& n : z.nodes) {
                   RRset* r = n.Find(signer::kTypeNsec3);
                   if (r == nullptr) continue;
                   EditFirstRdata(z, r, [](std::string* rd) { (*rd)[1] = 0; });
                   ResignZsk(z, n, r);
                 }
               },
               // BIND 9.18 dnssec-verify does not require NSEC3 records for
               // unsigned delegations even without the opt-out flag (it
               // accepts this file); ldns and Knot must reject it.
               kBind});
  c.push_back({"MissingDnskeySignature", Base::kHostingNsec, [](Zone& z) {
                 z.apex().Find(signer::kTypeDnskey)->sigs.clear();
               }});
  return c;
}

void PrintTo(const Corruption& c, std::ostream* os) { *os << c.name; }

class SignerNegativeTest : public ::testing::TestWithParam<Corruption> {};

TEST_P(SignerNegativeTest, EveryVerifierRejects) {
  const Corruption& c = GetParam();
  const std::string origin = OriginOf(c.base);
  std::string text;
  {
    Zone zone = Load(SignedBase(c.base), origin);
    c.mutate(zone);
    if (HasFatalFailure()) return;
    text = Dump(zone);
  }
  const std::string path = WriteTempFile(c.name + ".zone", text);
  auto ours = signer::VerifySignedZone(text, origin, time(nullptr));
  if (!(c.exempt & kOurs)) {
    EXPECT_FALSE(ours.ok()) << "self-verify accepted " << c.name;
  }
  if (!ours.ok()) std::cerr << "self-verify: " << ours.status() << "\n";
  const struct {
    Checker checker;
    const char* name;
    ToolResult result;
  } tools[] = {{kBind, "dnssec-verify", DnssecVerify(origin, path)},
               {kLdns, "ldns-verify-zone", LdnsVerifyZone(path)},
               {kKnot, "kzonecheck", Kzonecheck(origin, path)}};
  int rejecting = ours.ok() ? 0 : 1;
  for (const auto& tool : tools) {
    if (tool.result.exit_code != 0) ++rejecting;
    if (c.exempt & tool.checker) {
      std::cerr << tool.name << " (exempt, documented) exit "
                << tool.result.exit_code << "\n";
      continue;
    }
    EXPECT_NE(tool.result.exit_code, 0) << tool.name << " accepted:\n"
                                        << tool.result.output;
  }
  // Even with exemptions, our check and at least one external tool reject.
  EXPECT_GE(rejecting, 2);
}

// The uncorrupted base zones pass every checker (so rejections above are due
// to the corruption, not to the harness).
TEST(SignerNegativeBaseline, BaseZonesPass) {
  for (Base base :
       {Base::kHostingNsec, Base::kHostingNsec3, Base::kTldNsec3OptOut}) {
    const std::string origin = OriginOf(base);
    const std::string text = Dump(Load(SignedBase(base), origin));
    const std::string path = WriteTempFile("baseline.zone", text);
    auto ours = signer::VerifySignedZone(text, origin, time(nullptr));
    EXPECT_TRUE(ours.ok()) << ours.status();
    EXPECT_EQ(DnssecVerify(origin, path).exit_code, 0);
    EXPECT_EQ(LdnsVerifyZone(path).exit_code, 0);
    EXPECT_EQ(Kzonecheck(origin, path).exit_code, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Corruptions, SignerNegativeTest,
                         ::testing::ValuesIn(Corpus()),
                         [](const ::testing::TestParamInfo<Corruption>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace interop
}  // namespace zonekeep
