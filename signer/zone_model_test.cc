// Zone ingest, zone model, NSEC3 hashing, bitmaps and serials.
#include "signer/zone_model.h"

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dnssec/name.h"
#include "gtest/gtest.h"
#include "signer/denial_chain.h"
#include "signer/nsec3_hash.h"
#include "signer/soa_serial.h"
#include "signer/type_bitmap.h"
#include "signer/zone_parser.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr char kHead[] =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
    "  IN NS ns1\n"
    "ns1 IN A 192.0.2.1\n";

absl::StatusOr<Zone> Build(const std::string& text) {
  auto parsed = ParseZoneText(text, "test.zone", "example.");
  if (!parsed.ok()) return parsed.status();
  return BuildZone(parsed->origin, std::move(parsed->records), "test.zone");
}

std::vector<std::string> Names(const Zone& zone) {
  std::vector<std::string> out;
  for (const Node& n : zone.nodes) out.push_back(dnssec::NameToText(n.name));
  return out;
}

TEST(ZoneParserTest, SyntaxErrorHasFileAndLine) {
  auto z = ParseZoneText(absl::StrCat(kHead, "www IN A 999.1.1.1\n"),
                         "bad.zone", "example.");
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(z.status().message(), "bad.zone:6: "))
      << z.status();
}

TEST(ZoneParserTest, IncludeRefused) {
  auto z = ParseZoneText(absl::StrCat(kHead, "$INCLUDE /etc/passwd\n"),
                         "inc.zone", "example.");
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.status().message().find("inc.zone:6: $INCLUDE"),
            std::string::npos)
      << z.status();
}

TEST(ZoneParserTest, OutsideOriginRefused) {
  auto z = ParseZoneText(absl::StrCat(kHead, "www.example.org. IN A 1.2.3.4\n"),
                         "o.zone", "example.");
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.status().message().find("o.zone:6: owner www.example.org."),
            std::string::npos)
      << z.status();
}

TEST(ZoneParserTest, EscapesUnknownTypesAndDnssecDropped) {
  auto z = ParseZoneText(
      absl::StrCat(kHead,
                   "a\\.b IN TXT \"x\"\n"
                   "\\065bc IN TXT \"y\"\n"
                   "u IN TYPE65280 \\# 4 0a000001\n"
                   "@ IN DNSKEY 256 3 13 "
                   "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8g"
                   "d29ybGQgaGVsbG8gd29ybGQgaGVsbA==\n"),
      "e.zone", "example.");
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ(z->dnssec_records_dropped, 1u);
  std::vector<std::string> owners;
  for (const Record& r : z->records)
    owners.push_back(dnssec::NameToText(r.owner));
  EXPECT_EQ(owners[3], "a\\.b.example.");
  EXPECT_EQ(owners[4], "abc.example.");  // \065 = 'A', lower-cased
  EXPECT_EQ(z->records[5].type, 65280);
  EXPECT_EQ(z->records[5].rdata, std::string("\x0a\x00\x00\x01", 4));
}

TEST(ZoneModelTest, CanonicalOrderDedupAndTtl) {
  auto z = Build(absl::StrCat(kHead,
                              "b 100 IN A 192.0.2.2\n"
                              "B 200 IN A 192.0.2.1\n"
                              "b 300 IN A 192.0.2.2\n"
                              "a IN TXT \"t\"\n"));
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ(Names(*z),
            (std::vector<std::string>{"example.", "a.example.", "b.example.",
                                      "ns1.example."}));
  const RRset* a = z->nodes[2].Find(kTypeA);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->ttl, 100u);
  ASSERT_EQ(a->rdatas.size(), 2u);
  EXPECT_LT(a->rdatas[0], a->rdatas[1]);
  EXPECT_EQ(z->soa_minimum, 300u);
}

TEST(ZoneModelTest, RdataOrderIsUnsignedByteOrder) {
  // \128 (decimal: 0x80) sorts after \127 and \001 as an unsigned byte (as a
  // signed char it would sort first); the repeated record is dropped.
  auto z = Build(absl::StrCat(kHead,
                              "t IN TXT \"\\128\"\n"
                              "t IN TXT \"\\001\"\n"
                              "t IN TXT \"\\128\"\n"
                              "t IN TXT \"\\127\"\n"));
  ASSERT_TRUE(z.ok()) << z.status();
  const int t = z->FindNode(dnssec::ParseName("t.example.").value());
  ASSERT_GE(t, 0);
  const RRset* txt = z->nodes[t].Find(kTypeTxt);
  ASSERT_NE(txt, nullptr);
  ASSERT_EQ(txt->rdatas.size(), 3u);
  EXPECT_EQ(txt->rdatas[0], absl::string_view("\x01\x01", 2));
  EXPECT_EQ(txt->rdatas[1], absl::string_view("\x01\x7f", 2));
  EXPECT_EQ(txt->rdatas[2], absl::string_view("\x01\x80", 2));
}

TEST(ZoneModelTest, SetRdatasCopiesSortsAndDropsDuplicates) {
  Zone zone;
  RRset rrset;
  std::vector<std::string> input = {std::string("\x80", 1), "\x01", "",
                                    std::string("\x80", 1), "\x7f\xff"};
  zone.SetRdatas(&rrset, {input.begin(), input.end()});
  for (std::string& s : input) s.assign(s.size(), 'x');  // the copies stay
  ASSERT_EQ(rrset.rdatas.size(), 4u);
  EXPECT_EQ(rrset.rdatas[0], "");
  EXPECT_EQ(rrset.rdatas[1], "\x01");
  EXPECT_EQ(rrset.rdatas[2], "\x7f\xff");
  EXPECT_EQ(rrset.rdatas[3], absl::string_view("\x80", 1));
  // Setting again replaces the set; empty empties it.
  zone.SetRdatas(&rrset, {"b", "a"});
  ASSERT_EQ(rrset.rdatas.size(), 2u);
  EXPECT_EQ(rrset.rdatas[0], "a");
  zone.SetRdatas(&rrset, {});
  EXPECT_TRUE(rrset.rdatas.empty());
}

// The text of every RRset's RDATA and RRSIGs, to compare zones by value.
std::vector<std::string> AllRdata(const Zone& zone) {
  std::vector<std::string> out;
  for (const Node& node : zone.nodes) {
    for (const RRset& rrset : node.rrsets) {
      for (const absl::string_view r : rrset.rdatas) out.emplace_back(r);
      for (const absl::string_view r : rrset.sigs) out.emplace_back(r);
    }
  }
  return out;
}

TEST(ZoneModelTest, CopiedAndMovedZonesKeepTheirViewsValid) {
  std::vector<std::string> want;
  Zone copy;
  {
    auto z = Build(absl::StrCat(kHead, "www IN A 192.0.2.7\n",
                                "www IN TXT \"some text\"\n"));
    ASSERT_TRUE(z.ok()) << z.status();
    RRset* a =
        z->nodes[z->FindNode(dnssec::ParseName("www.example.").value())].Find(
            kTypeA);
    ASSERT_NE(a, nullptr);
    z->AddSig(a, std::string(40, 's'));
    want = AllRdata(*z);
    copy = *z;
    // The built zone dies here: the copy shares its arena.
  }
  // Memory the old zone freed is reused; the copy's views must not see it.
  std::vector<std::string> noise(1000, std::string(64, 'n'));
  EXPECT_EQ(AllRdata(copy), want);
  const Zone moved = std::move(copy);
  EXPECT_EQ(AllRdata(moved), want);
  ASSERT_GE(want.size(), 5u);
  EXPECT_TRUE(std::find(want.begin(), want.end(), std::string(40, 's')) !=
              want.end());
}

TEST(ZoneModelTest, CutsGlueAndEmptyNonTerminals) {
  auto z = Build(absl::StrCat(kHead,
                              "sub IN NS ns.sub\n"
                              "sub IN DS 1 13 2 "
                              "AABBCCDDEEFF00112233445566778899AABBCCDDEEFF0011"
                              "2233445566778899\n"
                              "ns.sub IN A 192.0.2.9\n"
                              "deep.x.y IN A 192.0.2.3\n"
                              "*.w IN A 192.0.2.4\n"));
  ASSERT_TRUE(z.ok()) << z.status();
  const Node& sub = z->nodes[z->FindNode(std::string("\3sub\7example\0", 14))];
  EXPECT_TRUE(sub.delegation);
  EXPECT_FALSE(sub.IsInsecureDelegation());
  const Node& glue =
      z->nodes[z->FindNode(std::string("\2ns\3sub\7example\0", 17))];
  EXPECT_TRUE(glue.occluded);
  const Node& ent = z->nodes[z->FindNode(std::string("\1y\7example\0", 11))];
  EXPECT_TRUE(ent.ent);
  const Node& ent2 =
      z->nodes[z->FindNode(std::string("\1x\1y\7example\0", 13))];
  EXPECT_TRUE(ent2.ent);
  EXPECT_GE(z->FindNode(std::string("\1w\7example\0", 11)), 0);
  // Bitmaps: delegation lists NS DS (+NSEC RRSIG); glue gets no NSEC.
  EXPECT_EQ(ChainTypes(sub, false),
            (std::vector<uint16_t>{kTypeNs, kTypeDs, kTypeRrsig, kTypeNsec}));
  EXPECT_FALSE(NeedsNsec(glue));
  EXPECT_FALSE(NeedsNsec(ent));
  EXPECT_TRUE(NeedsNsec3(ent, true));
}

// Many random names, several levels deep, in an order unrelated to the
// canonical one: the nodes must be exactly the names and all their ancestors
// below the origin (the empty non-terminals), each once, in canonical order.
TEST(ZoneModelTest, EmptyNonTerminalsOfRandomNamesMatchBruteForce) {
  std::mt19937 rng(20261123);
  const char* labels[] = {"a", "b", "c", "ab", "b-1", "z", "_x", "0"};
  std::string text = kHead;
  std::set<std::string> expected = {"example.", "ns1.example."};
  for (int i = 0; i < 3000; ++i) {
    const int depth = 1 + static_cast<int>(rng() % 5);
    std::string name;
    for (int d = 0; d < depth; ++d) {
      absl::StrAppend(&name, labels[rng() % 8], ".");
      // Every suffix ending at a label boundary, below the origin.
    }
    absl::StrAppend(&text, name, "example. IN A 192.0.2.9\n");
    for (size_t pos = 0; pos < name.size(); pos = name.find('.', pos) + 1) {
      expected.insert(absl::StrCat(name.substr(pos), "example."));
    }
  }
  auto zone = Build(text);
  ASSERT_TRUE(zone.ok()) << zone.status();
  const std::vector<std::string> names = Names(*zone);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected);
  EXPECT_EQ(names.size(), expected.size());  // each once
  for (size_t i = 1; i < zone->nodes.size(); ++i) {
    EXPECT_LT(
        dnssec::CompareCanonical(zone->nodes[i - 1].name, zone->nodes[i].name),
        0)
        << names[i - 1] << " before " << names[i];
  }
}

TEST(ZoneModelTest, Errors) {
  struct Case {
    std::string text;
    std::string want;
  } cases[] = {
      {"a IN CNAME b\na IN A 192.0.2.1\n", "test.zone:6: CNAME at a.example."},
      {"a IN CNAME b\nb IN CNAME a\n", "loops"},
      {"a IN DNAME b.example.\nb IN DNAME a.example.\n",
       "DNAME chain from a.example. loops"},
      {"x IN CNAME y.a\na IN DNAME b.example.\nb IN DNAME a.example.\n",
       "loops"},
      {"x IN CNAME x.d\nd IN DNAME example.\n", "CNAME chain from x.example."},
      {"sub IN SOA ns1 h 1 2 3 4 5\n", "not at the zone apex"},
      {"d IN DNAME d.d.example.\n", "own subtree"},
      {"d IN DNAME other.\nx.d IN A 192.0.2.1\n", "below the DNAME"},
      {"x IN DS 1 13 2 00112233\n", "without a delegation"},
  };
  for (const Case& c : cases) {
    auto z = Build(absl::StrCat(kHead, c.text));
    ASSERT_FALSE(z.ok()) << c.text;
    EXPECT_NE(z.status().message().find(c.want), std::string::npos)
        << z.status();
  }
  auto no_soa = Build("$ORIGIN example.\n@ 3600 IN NS ns1\n");
  ASSERT_FALSE(no_soa.ok());
  EXPECT_NE(no_soa.status().message().find("no SOA"), std::string::npos);
  auto two_soa = Build(absl::StrCat(kHead, "@ IN SOA ns2 h 1 2 3 4 5\n"));
  ASSERT_FALSE(two_soa.ok());
  EXPECT_NE(two_soa.status().message().find("more than one SOA"),
            std::string::npos);
}

// RFC 5155 appendix A: salt aabbccdd, 12 iterations.
TEST(Nsec3HashTest, Rfc5155AppendixA) {
  const std::string salt("\xaa\xbb\xcc\xdd", 4);
  struct {
    std::string name;
    const char* hash;
  } cases[] = {
      {std::string("\7example\0", 9), "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
      {std::string("\1a\7example\0", 11), "35mthgpgcu1qg68fab165klnsnk3dpvl"},
      {std::string("\3ns1\7example\0", 13), "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
      {std::string("\1*\1w\7example\0", 13),
       "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
      {std::string("\1x\1y\1w\7example\0", 15),
       "2vptu5timamqttgl4luu9kg21e0aor3s"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Base32HexEncode(Nsec3Hash(c.name, salt, 12)), c.hash);
  }
  std::string back;
  ASSERT_TRUE(Base32HexDecode("0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM", &back));
  EXPECT_EQ(back, Nsec3Hash(cases[0].name, salt, 12));
}

TEST(TypeBitmapTest, RoundTripAndRfc4034Example) {
  // RFC 4034 4.3: A MX RRSIG NSEC TYPE1234.
  std::string bitmap;
  AppendTypeBitmap({1, 15, 46, 47, 1234}, &bitmap);
  const std::string want(
      "\x00\x06\x40\x01\x00\x00\x00\x03"
      "\x04\x1b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x20",
      37);
  EXPECT_EQ(bitmap, want);
  auto types = DecodeTypeBitmap(bitmap);
  ASSERT_TRUE(types.ok());
  EXPECT_EQ(*types, (std::vector<uint16_t>{1, 15, 46, 47, 1234}));
  EXPECT_FALSE(DecodeTypeBitmap(std::string("\x00\x00", 2)).ok());
}

TEST(SoaSerialTest, Modes) {
  const int64_t now = 1700000000;  // 2023-11-14 22:13:20 UTC
  EXPECT_EQ(NextSerial(5, SerialMode::kKeep, now), 5u);
  EXPECT_EQ(NextSerial(5, SerialMode::kIncrement, now), 6u);
  EXPECT_EQ(NextSerial(0xffffffff, SerialMode::kIncrement, now), 1u);
  EXPECT_EQ(NextSerial(5, SerialMode::kUnixTime, now), 1700000000u);
  EXPECT_EQ(NextSerial(1800000000, SerialMode::kUnixTime, now), 1800000001u);
  EXPECT_EQ(NextSerial(2023010105, SerialMode::kDate, now), 2023111400u);
  EXPECT_EQ(NextSerial(2023111400, SerialMode::kDate, now), 2023111401u);
  EXPECT_FALSE(ParseSerialMode("sometimes").ok());
  EXPECT_EQ(*ParseSerialMode("UnixTime"), SerialMode::kUnixTime);
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
