// The entry reader (signer/master_entry_reader.h) through ParseZoneText, the
// API the signer uses, with the fast path on and off.
#include "signer/master_entry_reader.h"

#include <cstdint>
#include <string>

#include "dnssec/name.h"
#include "gtest/gtest.h"
#include "signer/master_file_test_util.h"
#include "signer/record.h"

namespace zonekeep {
namespace signer {
namespace {

using testing::ExpectRefused;
using testing::Hex;
using testing::kHeadLines;
using testing::Last;

TEST(MasterEntryReaderTest, RelativeOriginIsRelativeToTheCurrentOne) {
  EXPECT_EQ(dnssec::NameToText(Last("$ORIGIN sub\nfoo A 192.0.2.2\n").owner),
            "foo.sub.example.");
}

TEST(MasterEntryReaderTest, TtlZeroAndBounds) {
  EXPECT_EQ(Last("$TTL 0\nx A 192.0.2.2\n").ttl, 0u);
  EXPECT_EQ(Last("x 2147483647 A 192.0.2.2\n").ttl, 2147483647u);
  EXPECT_EQ(Last("x 2147483648 A 192.0.2.2\n").ttl, 0u);
  EXPECT_EQ(Last("$TTL 4294967295\nx A 192.0.2.2\n").ttl, 0u);
  EXPECT_EQ(Last("x 1h30m A 192.0.2.2\n").ttl, 5400u);
  ExpectRefused("x 4294967296 A 192.0.2.2\n", kHeadLines + 1, "invalid TTL");
  ExpectRefused("$TTL 4294967296\n", kHeadLines + 1, "invalid $TTL");
}

TEST(MasterEntryReaderTest, ClassBeforeTtl) {
  const Record r = Last("www IN 300 A 192.0.2.2\n");
  EXPECT_EQ(r.ttl, 300u);
  EXPECT_EQ(Hex(r.rdata), "c0000202");
}

TEST(MasterEntryReaderTest, UnbalancedParenthesesAndQuotes) {
  ExpectRefused("x TXT ( \"a\"\ny A 192.0.2.9\n", kHeadLines + 1,
                "'(' not closed");
  ExpectRefused("x TXT \"a\" )\n", kHeadLines + 1, "')' without");
  ExpectRefused("y A 192.0.2.9\nx TXT \"abc\ny A 192.0.2.9\n", kHeadLines + 2,
                "quoted string not closed");
}

// A quoted owner reached ldns as one line it split again at the blanks: the
// fuzzer's `" IPSECKEY " A A 6` became an IPSECKEY record that leaked in ldns.
// Knot refuses such an owner; so do we. An escaped quote is a name octet.
TEST(MasterEntryReaderTest, QuotedOwnerOrOriginRefused) {
  ExpectRefused("\" IPSECKEY \" A A 6\n", kHeadLines + 1,
                "holds a quoted string");
  ExpectRefused("a\"b c\" A 192.0.2.2\n", kHeadLines + 1,
                "holds a quoted string");
  ExpectRefused("$ORIGIN \"a b\".\n", kHeadLines + 1, "holds a quoted string");
  EXPECT_EQ(Hex(Last("a\\\"b A 192.0.2.2\n").owner.substr(0, 4)), "03612262");
}

TEST(MasterEntryReaderTest, IncludeAndUnknownDirectivesRefused) {
  ExpectRefused("$INCLUDE other.zone\n", kHeadLines + 1, "$INCLUDE");
  ExpectRefused("$GENERATE 1-2 x$ A 192.0.2.$\n", kHeadLines + 1,
                "unknown directive");
}

TEST(MasterEntryReaderTest, ParseTtl) {
  uint32_t ttl = 1;
  EXPECT_TRUE(ParseTtl("1w", &ttl));
  EXPECT_EQ(ttl, 604800u);
  EXPECT_FALSE(ParseTtl("", &ttl));
  EXPECT_FALSE(ParseTtl("h", &ttl));
  EXPECT_FALSE(ParseTtl("1x", &ttl));
  EXPECT_FALSE(ParseTtl("7102w", &ttl));
}

TEST(MasterEntryReaderTest, SkipBrokenEntryGoesPastTheEntry) {
  // A stray ')': to the end of its line.
  EXPECT_EQ(SkipBrokenEntry("x A 1 )\ny A 2\n"), 8u);
  // Blank and comment lines first, then a quote open at the end of its line
  // inside parentheses: to the line that closes them.
  EXPECT_EQ(SkipBrokenEntry("\n; c\nx TXT ( \"a\n\"b\" )\ny A 2\n"), 22u);
  // An open '(' runs to the end.
  EXPECT_EQ(SkipBrokenEntry("x MX ( 1\ny A 2\n"), 15u);
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
