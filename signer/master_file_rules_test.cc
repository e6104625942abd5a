// The rules of signer/master_file_rules.h, through ParseZoneText (the API the
// signer uses), with the fast path on and off.
#include "signer/master_file_rules.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "dnssec/name.h"
#include "gtest/gtest.h"
#include "signer/record.h"
#include "signer/zone_parser.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr char kHead[] =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n";
constexpr int kHeadLines = 5;

absl::StatusOr<ParsedZone> Parse(const std::string& body, bool fast = true) {
  ParseOptions options;
  options.threads = 1;
  options.fast_path = fast;
  return ParseZoneText(absl::StrCat(kHead, body), "t.zone", "example.",
                       options);
}

// The one record after the head.
Record Last(const std::string& body) {
  for (const bool fast : {true, false}) {
    absl::StatusOr<ParsedZone> zone = Parse(body, fast);
    EXPECT_TRUE(zone.ok()) << zone.status();
    if (!zone.ok() || !fast) return zone.ok() ? zone->records.back() : Record();
  }
  return Record();
}

std::string Hex(const std::string& s) {
  std::string out;
  for (unsigned char c : s)
    absl::StrAppend(&out, absl::Hex(c, absl::kZeroPad2));
  return out;
}

// Refused with "t.zone:LINE: ..." containing `reason`, on both paths.
void ExpectRefused(const std::string& body, int line,
                   const std::string& reason) {
  for (const bool fast : {true, false}) {
    absl::StatusOr<ParsedZone> zone = Parse(body, fast);
    ASSERT_FALSE(zone.ok()) << body;
    EXPECT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(zone.status().message());
    EXPECT_EQ(message.rfind(absl::StrCat("t.zone:", line, ": "), 0), 0u)
        << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }
}

TEST(MasterFileRulesTest, RelativeOriginIsRelativeToTheCurrentOne) {
  EXPECT_EQ(dnssec::NameToText(Last("$ORIGIN sub\nfoo A 192.0.2.2\n").owner),
            "foo.sub.example.");
}

TEST(MasterFileRulesTest, TtlZeroAndBounds) {
  EXPECT_EQ(Last("$TTL 0\nx A 192.0.2.2\n").ttl, 0u);
  EXPECT_EQ(Last("x 2147483647 A 192.0.2.2\n").ttl, 2147483647u);
  EXPECT_EQ(Last("x 2147483648 A 192.0.2.2\n").ttl, 0u);
  EXPECT_EQ(Last("$TTL 4294967295\nx A 192.0.2.2\n").ttl, 0u);
  EXPECT_EQ(Last("x 1h30m A 192.0.2.2\n").ttl, 5400u);
  ExpectRefused("x 4294967296 A 192.0.2.2\n", kHeadLines + 1, "invalid TTL");
  ExpectRefused("$TTL 4294967296\n", kHeadLines + 1, "invalid $TTL");
}

TEST(MasterFileRulesTest, ClassBeforeTtl) {
  const Record r = Last("www IN 300 A 192.0.2.2\n");
  EXPECT_EQ(r.ttl, 300u);
  EXPECT_EQ(Hex(r.rdata), "c0000202");
}

TEST(MasterFileRulesTest, UnbalancedParenthesesAndQuotes) {
  ExpectRefused("x TXT ( \"a\"\ny A 192.0.2.9\n", kHeadLines + 1,
                "'(' not closed");
  ExpectRefused("x TXT \"a\" )\n", kHeadLines + 1, "')' without");
  ExpectRefused("y A 192.0.2.9\nx TXT \"abc\ny A 192.0.2.9\n", kHeadLines + 2,
                "quoted string not closed");
}

TEST(MasterFileRulesTest, RelativeNamesInRdata) {
  EXPECT_EQ(
      Hex(Last("ipk IPSECKEY 10 3 2 gw AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGv"
               "gqt4AQ==\n")
              .rdata.substr(3, 12)),
      "026777076578616d706c6500");
  EXPECT_EQ(Hex(Last("s SRV 1 2 3 Tgt\n").rdata),
            "000100020003037467740765"
            "78616d706c6500");
}

TEST(MasterFileRulesTest, AlpnReadInTwoLevels) {
  EXPECT_EQ(Hex(Last("x SVCB 1 . alpn=h2\\,h3\n").rdata),
            "0001000001000602683202683"
            "3");
  EXPECT_EQ(Hex(Last("x SVCB 1 . alpn=\"h2,h3\"\n").rdata),
            "00010000010006026832026833");
}

TEST(MasterFileRulesTest, GenericRdataMustBeValidAndIsCanonical) {
  ExpectRefused("x A \\# 3 c00002\n", kHeadLines + 1, "");
  ExpectRefused("x APL \\# 8 00011004c0a80000\n", kHeadLines + 1,
                "not valid APL data");
  EXPECT_EQ(Hex(Last("x APL \\# 6 00011002c0a8\n").rdata), "00011002c0a8");
  EXPECT_EQ(Hex(Last("x NS \\# 3 014100\n").rdata), "016100");
  EXPECT_EQ(Hex(Last("x TYPE65000 \\# 3 010203\n").rdata), "010203");
}

// ldns prints these so that they do not read back (a ';' in an SvcParam
// value unquoted, an empty CAA value as nothing); in "\#" form they are
// still valid data, and are what the writer prints for them.
TEST(MasterFileRulesTest, GenericRdataThatLdnsCannotPrintIsAccepted) {
  // HTTPS 1 . key667="a;b"
  EXPECT_EQ(Hex(Last("x HTTPS \\# 10 0001 00 029b 0003 613b62\n").rdata),
            "000100029b0003613b62");
  // CAA 0 issue ""
  EXPECT_EQ(Hex(Last("x CAA \\# 7 00056973737565\n").rdata), "00056973737565");
  ExpectRefused("x HTTPS \\# 2 0001\n", kHeadLines + 1,
                "not valid HTTPS data");  // no target
  // Keys out of order; a length past the end.
  ExpectRefused("x SVCB \\# 11 0001 00 0003 0000 0001 0000\n", kHeadLines + 1,
                "not valid SVCB data");
  ExpectRefused("x SVCB \\# 8 0001 00 0003 0002 01\n", kHeadLines + 1,
                "not valid SVCB data");
}

TEST(MasterFileRulesTest, UnknownAndMetaTypesRefused) {
  ExpectRefused("x FOOBAR 1 2 3\n", kHeadLines + 1, "unknown RR type");
  ExpectRefused("x ANY \\# 0\n", kHeadLines + 1, "meta type");
  ExpectRefused("x TYPE255 \\# 0\n", kHeadLines + 1, "meta type");
  ExpectRefused("x OPT \\# 0\n", kHeadLines + 1, "meta type");
  ExpectRefused("x TSIG \\# 0\n", kHeadLines + 1, "meta type");
  ExpectRefused("x AXFR \\# 0\n", kHeadLines + 1, "meta type");
}

TEST(MasterFileRulesTest, LongNamesWildcardNsBigRrsetsLongText) {
  std::string label(63, 'a');
  ExpectRefused(
      absl::StrCat(label, ".", label, ".", label, ".", label, " A 192.0.2.1\n"),
      kHeadLines + 1, "");
  ExpectRefused("*.w NS ns1\n", kHeadLines + 1, "wildcard");
  ExpectRefused(absl::StrCat("x TXT \"", std::string(256, 'a'), "\"\n"),
                kHeadLines + 1, "");
  std::string big;
  for (int i = 0; i < 300; ++i) {
    absl::StrAppend(&big, "big TXT \"", i, std::string(250, 'b'), "\"\n");
  }
  ExpectRefused(big, kHeadLines + 1, "does not fit a DNS message");
}

TEST(MasterFileRulesTest, Amtrelay) {
  const Record r = Last("x AMTRELAY 10 1 3 relay\n");
  EXPECT_EQ(r.type, 260);
  EXPECT_EQ(Hex(r.rdata), "0a830572656c6179076578616d706c6500");
  EXPECT_EQ(Hex(Last("x AMTRELAY 0 0 1 192.0.2.1\n").rdata), "0001c0000201");
  EXPECT_EQ(Hex(Last("x AMTRELAY 0 0 0 .\n").rdata), "0000");
}

TEST(MasterFileRulesTest, IncludeAndUnknownDirectivesRefused) {
  ExpectRefused("$INCLUDE other.zone\n", kHeadLines + 1, "$INCLUDE");
  ExpectRefused("$GENERATE 1-2 x$ A 192.0.2.$\n", kHeadLines + 1,
                "unknown directive");
}

TEST(MasterFileRulesTest, ParseTtl) {
  uint32_t ttl = 1;
  EXPECT_TRUE(ParseTtl("1w", &ttl));
  EXPECT_EQ(ttl, 604800u);
  EXPECT_FALSE(ParseTtl("", &ttl));
  EXPECT_FALSE(ParseTtl("h", &ttl));
  EXPECT_FALSE(ParseTtl("1x", &ttl));
  EXPECT_FALSE(ParseTtl("7102w", &ttl));
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
