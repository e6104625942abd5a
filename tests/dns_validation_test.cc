// DNS in the loop (issue 12, last "Must show"; issue 15's harness): a zone
// with HTTPS, SVCB, IPSECKEY, TLSA, CAA, NAPTR, LOC, APL, CSYNC, an unknown
// type, A/AAAA/MX/TXT, a delegation with glue and a wildcard, signed by
// //signer:zone_signer (ECDSAP256SHA256, NSEC and NSEC3), served by a real
// knotd and validated by a real unbound that trusts only the zone's DS
// (tests/test_dns_harness.h). Every RRset must come back with AD and the
// RDATA we signed; NXDOMAIN and NODATA must validate too. Two negative
// controls show the harness can fail: a corrupted signature and a wrong DS.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dnssec/algorithm.h"
#include "dnssec/digest_type.h"
#include "dnssec/ds.h"
#include "dnssec/name.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "signer/record.h"
#include "signer/zone_parser.h"
#include "signer/zone_signer.h"
#include "tests/test_dns_harness.h"

namespace zonekeep {
namespace interop {
namespace {

constexpr char kOrigin[] = "example.";

// Lower-case names only: answers carry the case of the zone file, our parser
// gives canonical (lower-cased) RDATA.
constexpr char kZone[] =
    "$ORIGIN example.\n"
    "$TTL 300\n"
    "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
    "@ IN NS ns1\n"
    "@ IN MX 10 mail\n"
    "@ IN TXT \"v=spf1 mx -all\"\n"
    "@ IN CAA 0 issue \"letsencrypt.org\"\n"
    "@ IN CSYNC 2024010101 3 A NS AAAA\n"
    "@ IN HTTPS 1 . alpn=h2,h3 ipv4hint=192.0.2.80\n"
    "ns1 IN A 192.0.2.1\n"
    "ns1 IN AAAA 2001:db8::1\n"
    "mail IN A 192.0.2.25\n"
    "mail IN AAAA 2001:db8::25\n"
    "www IN A 192.0.2.80\n"
    "www IN AAAA 2001:db8::80\n"
    "_443._tcp.www IN TLSA 3 1 1 "
    "0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6\n"
    "svc IN SVCB 1 svc-target alpn=h2 port=8443\n"
    "svc-target IN A 192.0.2.81\n"
    "vpn IN IPSECKEY 10 1 2 192.0.2.38 "
    "AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==\n"
    "sip IN NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.net!\" "
    ".\n"
    "loc IN LOC 52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m\n"
    "apl IN APL 1:192.168.32.0/21 !1:192.168.38.0/28 2:2001:db8::/32\n"
    "unknown IN TYPE65000 \\# 4 0A000001\n"
    "*.wild IN A 192.0.2.99\n"
    "*.wild IN TXT \"wildcard\"\n"
    "sub IN NS ns.sub\n"
    "ns.sub IN A 192.0.2.53\n";

enum class Denial { kNsec, kNsec3 };

std::string TypeName(uint16_t type) {
  static const auto* names = new std::map<uint16_t, std::string>{
      {1, "A"},     {2, "NS"},      {6, "SOA"},       {15, "MX"},
      {16, "TXT"},  {28, "AAAA"},   {29, "LOC"},      {35, "NAPTR"},
      {42, "APL"},  {43, "DS"},     {45, "IPSECKEY"}, {46, "RRSIG"},
      {47, "NSEC"}, {48, "DNSKEY"}, {50, "NSEC3"},    {51, "NSEC3PARAM"},
      {52, "TLSA"}, {59, "CDS"},    {60, "CDNSKEY"},  {62, "CSYNC"},
      {64, "SVCB"}, {65, "HTTPS"},  {257, "CAA"}};
  auto it = names->find(type);
  return it != names->end() ? it->second : absl::StrCat("TYPE", type);
}

struct SignedZone {
  std::string text;
  std::string ds;  // "example. 3600 IN DS ..." of the KSK
  // (owner text, type) -> RDATA (wire) of every authoritative RRset.
  std::map<std::pair<std::string, uint16_t>, std::multiset<std::string>> rrsets;
};

SignedZone Sign(Denial denial) {
  SignedZone z;
  auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
  EXPECT_TRUE(keys.ok()) << keys.status();
  if (!keys.ok()) return z;
  signer::SignOptions options;
  options.origin = kOrigin;
  options.add_cds = true;
  options.nsec3.enabled = denial == Denial::kNsec3;
  auto report = signer::SignZone(kZone, "dns_validation.zone", *keys, options,
                                 [&](absl::string_view piece) {
                                   z.text.append(piece.data(), piece.size());
                                   return absl::OkStatus();
                                 });
  EXPECT_TRUE(report.ok()) << report.status();
  if (!report.ok()) return z;
  for (const dnssec::ZoneKey& k : *keys) {
    if (k.role != dnssec::KeyRole::kKsk) continue;
    auto ds = dnssec::FormatDsRecord(kOrigin, 3600, k.dnskey_rdata,
                                     dnssec::DigestType::kSha256);
    EXPECT_TRUE(ds.ok()) << ds.status();
    if (ds.ok()) z.ds = *ds;
  }
  // What we signed: the written text, read back by our parser (self-verify's
  // read-back guarantees it reads as the signed records).
  signer::ParseOptions parse;
  parse.keep_dnssec = true;
  auto parsed = signer::ParseZoneText(z.text, "signed", kOrigin, parse);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (!parsed.ok()) return z;
  const std::string delegation = *dnssec::CanonicalNameWire("sub.example.");
  for (const signer::Record& r : parsed->records) {
    if (r.type == signer::kTypeRrsig || r.type == signer::kTypeNsec ||
        r.type == signer::kTypeNsec3) {
      continue;  // asked for through the answers they prove, not directly
    }
    // The delegation's NS and glue are not authoritative; its (absent) DS is
    // asked for in the NODATA test.
    if (dnssec::IsSubdomainOf(r.owner, delegation)) continue;
    z.rrsets[{dnssec::NameToText(r.owner), r.type}].insert(r.rdata);
  }
  return z;
}

std::string Hex(const std::multiset<std::string>& rdatas) {
  std::vector<std::string> out;
  for (const auto& r : rdatas) out.push_back(absl::BytesToHexString(r));
  return absl::StrJoin(out, " | ");
}

// The answer's RDATA of `type` at `owner` (0: every type but RRSIG).
std::multiset<std::string> AnswerRdata(const DnsAnswer& a,
                                       const std::string& owner,
                                       uint16_t type = 0) {
  std::multiset<std::string> out;
  for (const DnsRecord& r : a.answer) {
    if (r.owner != owner) continue;
    if (type == 0 ? r.type != signer::kTypeRrsig : r.type == type) {
      out.insert(r.rdata);
    }
  }
  return out;
}

class DnsValidationTest : public ::testing::TestWithParam<Denial> {};

TEST_P(DnsValidationTest, EveryRrsetValidatesWithTheSignedRdata) {
  const SignedZone z = Sign(GetParam());
  ASSERT_FALSE(z.rrsets.empty());
  auto loop = DnsLoop::Start(kOrigin, z.text, z.ds);
  ASSERT_TRUE(loop.ok()) << loop.status();
  std::vector<std::string> validated, failed;
  for (const auto& [key, rdatas] : z.rrsets) {
    const auto& [owner, type] = key;
    const std::string what = absl::StrCat(owner, " ", TypeName(type));
    auto a = loop->Ask(owner, absl::StrCat("TYPE", type));
    ASSERT_TRUE(a.ok()) << a.status();
    const bool ok = a->rcode == "NOERROR" && a->ad &&
                    AnswerRdata(*a, owner, type) == rdatas;
    (ok ? validated : failed).push_back(what);
    EXPECT_EQ(a->rcode, "NOERROR") << what << "\n" << a->raw;
    EXPECT_TRUE(a->ad) << what << ": no AD\n" << a->raw;
    EXPECT_EQ(Hex(AnswerRdata(*a, owner, type)), Hex(rdatas))
        << what << ": RDATA differs from what we signed\n"
        << a->raw;
  }
  if (!failed.empty()) {
    ADD_FAILURE() << "validated: " << absl::StrJoin(validated, ", ")
                  << "\nfailed: " << absl::StrJoin(failed, ", ") << "\n"
                  << loop->Logs();
  }
}

TEST_P(DnsValidationTest, WildcardAnswersValidate) {
  const SignedZone z = Sign(GetParam());
  auto loop = DnsLoop::Start(kOrigin, z.text, z.ds);
  ASSERT_TRUE(loop.ok()) << loop.status();
  for (const std::string name : {"host.wild.example.", "a.b.wild.example."}) {
    for (const uint16_t type : {signer::kTypeA, signer::kTypeTxt}) {
      auto a = loop->Ask(name, TypeName(type));
      ASSERT_TRUE(a.ok()) << a.status();
      EXPECT_EQ(a->rcode, "NOERROR") << a->raw;
      EXPECT_TRUE(a->ad) << name << " " << TypeName(type) << "\n" << a->raw;
      EXPECT_EQ(Hex(AnswerRdata(*a, name, type)),
                Hex(z.rrsets.at({"*.wild.example.", type})))
          << a->raw;
    }
  }
}

TEST_P(DnsValidationTest, NxdomainAndNodataValidate) {
  const SignedZone z = Sign(GetParam());
  auto loop = DnsLoop::Start(kOrigin, z.text, z.ds);
  ASSERT_TRUE(loop.ok()) << loop.status();
  struct Case {
    const char* name;
    const char* type;
    const char* rcode;
  };
  const Case cases[] = {
      {"nonexistent.example.", "A", "NXDOMAIN"},
      {"deep.nonexistent.www.example.", "AAAA", "NXDOMAIN"},
      {"www.example.", "TXT", "NOERROR"},       // NODATA
      {"example.", "A", "NOERROR"},             // NODATA at the apex
      {"_tcp.www.example.", "A", "NOERROR"},    // empty non-terminal
      {"host.wild.example.", "MX", "NOERROR"},  // NODATA via the wildcard
      {"sub.example.", "DS", "NOERROR"},        // insecure delegation
  };
  for (const Case& c : cases) {
    auto a = loop->Ask(c.name, c.type);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->rcode, c.rcode) << c.name << " " << c.type << "\n" << a->raw;
    EXPECT_TRUE(a->ad) << c.name << " " << c.type << ": no AD\n" << a->raw;
    EXPECT_TRUE(AnswerRdata(*a, c.name).empty()) << a->raw;
  }
}

// Negative control: one signature corrupted in the served text must make the
// resolver refuse that RRset (SERVFAIL, no AD) while the rest validates.
TEST_P(DnsValidationTest, CorruptedSignatureIsBogus) {
  SignedZone z = Sign(GetParam());
  // The RRSIG over www.example. A: flip one base64 character of the
  // signature (the last field of the line).
  std::vector<std::string> lines = absl::StrSplit(z.text, '\n');
  bool corrupted = false;
  for (std::string& line : lines) {
    std::vector<std::string> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f.size() > 6 && f[0] == "www.example." && f[3] == "RRSIG" &&
        f[4] == "A") {
      const size_t p = line.size() - 10;
      line[p] = line[p] == 'A' ? 'B' : 'A';
      corrupted = true;
      break;
    }
  }
  ASSERT_TRUE(corrupted) << z.text;
  auto loop = DnsLoop::Start(kOrigin, absl::StrJoin(lines, "\n"), z.ds);
  ASSERT_TRUE(loop.ok()) << loop.status();
  auto bad = loop->Ask("www.example.", "A");
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_EQ(bad->rcode, "SERVFAIL") << bad->raw;
  EXPECT_FALSE(bad->ad) << bad->raw;
  auto good = loop->Ask("www.example.", "AAAA");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->rcode, "NOERROR") << good->raw;
  EXPECT_TRUE(good->ad) << good->raw;
}

// Negative control: a DS that matches no DNSKEY as the trust anchor makes
// everything bogus.
TEST_P(DnsValidationTest, WrongTrustAnchorIsBogus) {
  SignedZone z = Sign(GetParam());
  ASSERT_GT(z.ds.size(), 8u);
  std::string wrong = z.ds;
  char& last = wrong.back();
  last = last == '0' ? '1' : '0';
  auto loop = DnsLoop::Start(kOrigin, z.text, wrong);
  ASSERT_TRUE(loop.ok()) << loop.status();
  auto a = loop->Ask("example.", "SOA");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->rcode, "SERVFAIL") << a->raw;
  EXPECT_FALSE(a->ad) << a->raw;
}

// Presentation forms that issue 12 found read differently by ldns and by
// Knot/BIND/resolvers. Each is valid input: it must sign and its answer must
// validate with RDATA holding `wire` (when given); nothing may be refused or
// served bogus. One zone per case, so one failure does not hide the others.
struct TrickyCase {
  const char* record;  // owner x.example.
  const char* type;
  std::string wire;  // expected somewhere in the answer's RDATA; "" = any
};

TEST(DnsValidationTrickyFormsTest, EachSignsAndValidates) {
  auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
  ASSERT_TRUE(keys.ok()) << keys.status();
  std::string ds;
  for (const dnssec::ZoneKey& k : *keys) {
    if (k.role != dnssec::KeyRole::kKsk) continue;
    auto d = dnssec::FormatDsRecord(kOrigin, 3600, k.dnskey_rdata,
                                    dnssec::DigestType::kSha256);
    ASSERT_TRUE(d.ok()) << d.status();
    ds = *d;
  }
  const TrickyCase cases[] = {
      // One SvcParam key667 with value "a;b" (3 octets).
      {"x IN HTTPS 1 . key667=\"a;b\"", "HTTPS",
       std::string("\x02\x9b\x00\x03"
                   "a;b",
                   7)},
      // RFC 9460 A.1: "\," is a comma after character-string unescaping, so
      // this is two ALPN ids, h2 and h3.
      {"x IN SVCB 1 . alpn=h2\\,h3", "SVCB",
       std::string("\x00\x01\x00\x06\x02h2\x02h3", 10)},
      {"x IN SVCB 1 . alpn=\"h2,h3\" mandatory=alpn", "SVCB",
       std::string("\x00\x01\x00\x06\x02h2\x02h3", 10)},
      {"x IN APL 1:192.168.32.0/21 !1:192.168.38.0/28", "APL", ""},
      {"x IN APL", "APL", ""},
      // The relative gateway is gw.example. (RFC 4025 with RFC 1035 names).
      {"x IN IPSECKEY 10 3 2 gw "
       "AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
       "IPSECKEY",
       std::string("\x02gw\x07"
                   "example\x00",
                   12)},
      {"x IN CAA 0 issue \"\"", "CAA", std::string("\x00\x05issue", 7)},
      {"x IN NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:a\\\\;b@example.net!\" "
       ".",
       "NAPTR", ""},
      {"x IN TXT \"a;b\" \"c\\\"d\"", "TXT",
       std::string("\x03"
                   "a;b\x03"
                   "c\"d",
                   8)},
  };
  for (const TrickyCase& c : cases) {
    SCOPED_TRACE(c.record);
    const std::string zone = absl::StrCat(
        "$ORIGIN example.\n$TTL 300\n"
        "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
        "@ IN NS ns1\nns1 IN A 192.0.2.1\n",
        c.record, "\n");
    signer::SignOptions options;
    options.origin = kOrigin;
    std::string out;
    auto report = signer::SignZone(zone, "tricky.zone", *keys, options,
                                   [&](absl::string_view piece) {
                                     out.append(piece.data(), piece.size());
                                     return absl::OkStatus();
                                   });
    EXPECT_TRUE(report.ok()) << c.record << ": refused: " << report.status();
    if (!report.ok()) continue;
    std::string written;
    for (absl::string_view line : absl::StrSplit(out, '\n')) {
      if (absl::StartsWith(line, "x.example.") &&
          absl::StrContains(line, absl::StrCat("\t", c.type, "\t"))) {
        written = std::string(line);
      }
    }
    auto loop = DnsLoop::Start(kOrigin, out, ds);
    EXPECT_TRUE(loop.ok()) << c.record << " written as: " << written << "\n"
                           << loop.status();
    if (!loop.ok()) continue;
    auto a = loop->Ask("x.example.", c.type);
    ASSERT_TRUE(a.ok()) << a.status();
    std::string rdata;
    for (const DnsRecord& r : a->answer) {
      if (r.type != signer::kTypeRrsig) rdata += r.rdata;
    }
    const bool ok =
        a->rcode == "NOERROR" && a->ad &&
        (c.wire.empty() ? !rdata.empty() || c.type == std::string("APL")
                        : absl::StrContains(rdata, c.wire));
    // What knotd itself serves, to tell a reading difference from a signing
    // one.
    auto served = DigQuery(loop->knot->port(), "x.example.", c.type,
                           /*norec=*/true);
    const std::string served_text =
        served.ok() ? served->raw : served.status().ToString();
    EXPECT_TRUE(ok) << c.record << " written as: " << written
                    << "\nanswer RDATA " << absl::BytesToHexString(rdata)
                    << ", expected to hold " << absl::BytesToHexString(c.wire)
                    << "\n--- unbound's answer ---\n"
                    << a->raw << "--- knotd's answer ---\n"
                    << served_text << loop->Logs();
  }
}

INSTANTIATE_TEST_SUITE_P(EcdsaP256, DnsValidationTest,
                         ::testing::Values(Denial::kNsec, Denial::kNsec3),
                         [](const ::testing::TestParamInfo<Denial>& info) {
                           return info.param == Denial::kNsec ? "Nsec"
                                                              : "Nsec3";
                         });

}  // namespace
}  // namespace interop
}  // namespace zonekeep
