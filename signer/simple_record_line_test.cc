#include "signer/simple_record_line.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "signer/record.h"

namespace zonekeep {
namespace signer {
namespace {

using std::string_literals::operator""s;

const std::string kOrigin =
    "\x07"
    "example\x00"s;
const std::string kPrev =
    "\x03"
    "Www\x07"
    "example\x00"s;

LineContext Context(uint32_t default_ttl = 300) {
  LineContext context;
  context.origin = kOrigin;
  context.prev_owner = kPrev;
  context.default_ttl = default_ttl;
  return context;
}

// Parses `text` and expects it handled; returns the result.
SimpleRecordLine Handled(absl::string_view text,
                         const LineContext& context = Context()) {
  SimpleRecordLine out;
  EXPECT_TRUE(ParseSimpleRecordLine(text, context, &out)) << text;
  return out;
}

bool Declined(absl::string_view text, const LineContext& context = Context()) {
  SimpleRecordLine out;
  return !ParseSimpleRecordLine(text, context, &out);
}

TEST(SimpleRecordLineTest, ReadsARecord) {
  const SimpleRecordLine line = Handled("www A 192.0.2.1\nnext A 1.2.3.4\n");
  EXPECT_EQ(line.record.owner,
            "\x03www\x07"
            "example\x00"s);
  EXPECT_EQ(line.record.type, kTypeA);
  EXPECT_EQ(line.record.rrclass, kClassIn);
  EXPECT_EQ(line.record.ttl, 300u);
  EXPECT_EQ(line.record.rdata, "\xc0\x00\x02\x01"s);
  EXPECT_EQ(line.consumed, 16u);
  EXPECT_EQ(line.prev_owner, line.record.owner);
}

TEST(SimpleRecordLineTest, OwnerForms) {
  // Absolute, upper case: the record is canonical, ldns's previous owner
  // keeps the case as written.
  SimpleRecordLine line = Handled("WWW.Example. A 192.0.2.1\n");
  EXPECT_EQ(line.record.owner,
            "\x03www\x07"
            "example\x00"s);
  EXPECT_EQ(line.prev_owner,
            "\x03WWW\x07"
            "Example\x00"s);
  // Relative with several labels, and the label characters allowed.
  line = Handled("_a-b.*.C9 A 192.0.2.1\n");
  EXPECT_EQ(line.record.owner,
            "\x04_a-b\x01*\x02"
            "c9\x07"
            "example\x00"s);
  // "@" is the origin and becomes the previous owner.
  line = Handled("@ NS ns1\n");
  EXPECT_EQ(line.record.owner, kOrigin);
  EXPECT_EQ(line.prev_owner, kOrigin);
  // A blank or tab keeps the previous owner.
  for (const char* text : {" A 192.0.2.1\n", "\tA 192.0.2.1\n"}) {
    line = Handled(text);
    EXPECT_EQ(line.record.owner,
              "\x03www\x07"
              "example\x00"s);
    EXPECT_EQ(line.prev_owner, kPrev);
  }
}

TEST(SimpleRecordLineTest, DeclinesOtherOwners) {
  const std::string label63(63, 'a');
  const std::string label64(64, 'a');
  EXPECT_FALSE(Declined(label63 + " A 192.0.2.1\n"));
  EXPECT_TRUE(Declined(label64 + " A 192.0.2.1\n"));
  // 4 labels of 63 make 256 octets with the root; relative ones get the
  // origin on top.
  const std::string long_name = absl::StrCat(
      label63, ".", label63, ".", label63, ".", std::string(61, 'b'), ".");
  EXPECT_FALSE(Declined(long_name + " A 192.0.2.1\n"));
  EXPECT_TRUE(Declined(absl::StrCat(label63, ".", label63, ".", label63, ".",
                                    std::string(62, 'b'), ". A 192.0.2.1\n")));
  EXPECT_FALSE(Declined(absl::StrCat(label63, ".", label63, ".", label63, ".",
                                     std::string(53, 'b'), " A 192.0.2.1\n")));
  EXPECT_TRUE(Declined(absl::StrCat(label63, ".", label63, ".", label63, ".",
                                    std::string(54, 'b'), " A 192.0.2.1\n")));
  for (const char* text :
       {"a..b A 192.0.2.1\n", ".a A 192.0.2.1\n", ". A 192.0.2.1\n",
        "a/b A 192.0.2.1\n", "@a A 192.0.2.1\n", "a@ A 192.0.2.1\n",
        "$ORIGIN foo.\n", "$TTL 300\n", "$INCLUDE x\n",
        "caf\xc3\xa9 A 192.0.2.1\n"}) {
    EXPECT_TRUE(Declined(text)) << text;
  }
  // A blank owner needs a previous one; nothing goes without an origin.
  LineContext no_prev = Context();
  no_prev.prev_owner = "";
  EXPECT_TRUE(Declined(" A 192.0.2.1\n", no_prev));
  LineContext no_origin = Context();
  no_origin.origin = "";
  EXPECT_TRUE(Declined("www.example. A 192.0.2.1\n", no_origin));
}

TEST(SimpleRecordLineTest, TtlAndClass) {
  EXPECT_EQ(Handled("www 60 A 192.0.2.1\n").record.ttl, 60u);
  EXPECT_EQ(Handled("www 60 IN A 192.0.2.1\n").record.ttl, 60u);
  EXPECT_EQ(Handled("www 60 in A 192.0.2.1\n").record.ttl, 60u);
  EXPECT_EQ(Handled("www IN A 192.0.2.1\n").record.ttl, 300u);
  EXPECT_EQ(Handled("www 0 A 192.0.2.1\n").record.ttl, 0u);
  EXPECT_EQ(Handled("www 0060 A 192.0.2.1\n").record.ttl, 60u);
  EXPECT_EQ(Handled("www 2147483647 A 192.0.2.1\n").record.ttl, 2147483647u);
  // Without a TTL the $TTL value, 0 included.
  EXPECT_EQ(Handled("www A 192.0.2.1\n", Context(0)).record.ttl, 0u);
  EXPECT_EQ(Handled("www A 192.0.2.1\n", Context(86400)).record.ttl, 86400u);
  for (const char* text :
       {"www 2147483648 A 192.0.2.1\n", "www 1h A 192.0.2.1\n",
        "www 1H30M A 192.0.2.1\n", "www +5 A 192.0.2.1\n",
        "www -5 A 192.0.2.1\n", "www IN 60 A 192.0.2.1\n",  // ldns: type "60"
        "www CH A 192.0.2.1\n", "www 60 HS A 192.0.2.1\n",
        "www CLASS1 A 192.0.2.1\n", "www IN IN A 192.0.2.1\n",
        "www 60 60 A 192.0.2.1\n"}) {
    EXPECT_TRUE(Declined(text)) << text;
  }
}

TEST(SimpleRecordLineTest, Types) {
  SimpleRecordLine line = Handled("www aaaa 2001:DB8::1\n");
  EXPECT_EQ(line.record.type, kTypeAaaa);
  EXPECT_EQ(
      line.record.rdata,
      "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"s);
  EXPECT_EQ(Handled("www AAAA ::ffff:192.0.2.1\n").record.rdata.size(), 16u);

  line = Handled("www Ns NS1.Example.NET.\n");
  EXPECT_EQ(line.record.type, kTypeNs);
  EXPECT_EQ(line.record.rdata,
            "\x03ns1\x07"
            "example\x03net\x00"s);
  line = Handled("www CNAME Host\n");
  EXPECT_EQ(line.record.type, kTypeCname);
  EXPECT_EQ(line.record.rdata,
            "\x04host\x07"
            "example\x00"s);
  line = Handled("www PTR @\n");
  EXPECT_EQ(line.record.type, kTypePtr);
  EXPECT_EQ(line.record.rdata, kOrigin);

  line = Handled("www MX 10 Mail\n");
  EXPECT_EQ(line.record.type, kTypeMx);
  EXPECT_EQ(line.record.rdata,
            "\x00\x0a\x04mail\x07"
            "example\x00"s);
  // A preference byte that looks like a capital letter stays as it is.
  EXPECT_EQ(Handled("www MX 65 m.\n").record.rdata,
            "\x00"
            "A\x01m\x00"s);
  EXPECT_EQ(Handled("www MX 65535 m.\n").record.rdata, "\xff\xff\x01m\x00"s);

  line = Handled("www DS 60485 13 2 D4B7D520E7BB5F0F67674A0C CEB1E3E0\n");
  EXPECT_EQ(line.record.type, kTypeDs);
  EXPECT_EQ(line.record.rdata,
            "\xec\x45\x0d\x02\xd4\xb7\xd5\x20\xe7\xbb\x5f\x0f\x67\x67\x4a\x0c"
            "\xce\xb1\xe3\xe0"s);
  EXPECT_EQ(Handled("www DS 1 255 0 ab CD  ef\n").record.rdata,
            "\x00\x01\xff\x00\xab\xcd\xef"s);
}

TEST(SimpleRecordLineTest, DeclinesOtherTypesAndBadRdata) {
  for (const char* text : {"www TXT hello\n",
                           "www SOA a b 1 2 3 4 1h\n",
                           "www SOA a b 1 2 3 4\n",
                           "www SOA a b 1 2 3 4 5 6\n",
                           "www SOA a b 4294967296 2 3 4 5\n",
                           "www TYPE1 1.2.3.4\n",
                           "www A\n",
                           "www A 1.2.3.256\n",
                           "www A 1.2.3\n",
                           "www A 01.2.3.4\n",
                           "www A 1.2.3.4 5\n",
                           "www A 1.2.3.4.5\n",
                           "www A ::1\n",
                           "www AAAA 1.2.3.4\n",
                           "www AAAA 2001:db8::g\n",
                           "www NS\n",
                           "www NS a b\n",
                           "www NS a..b\n",
                           "www NS .\n",
                           "www CNAME a/b\n",
                           "www MX 10\n",
                           "www MX mail 10\n",
                           "www MX 65536 mail\n",
                           "www MX 70000 mail\n",
                           "www MX -1 mail\n",
                           "www MX +1 mail\n",
                           "www DS 1 13 2\n",
                           "www DS 1 13 2 abc\n",
                           "www DS 1 13 2 ab c\n",
                           "www DS 1 13 2 xy\n",
                           "www DS 1 ECDSAP256SHA256 2 ab\n",
                           "www DS 1 256 2 ab\n",
                           "www DS 1 13 256 ab\n",
                           "www DS 65536 13 2 ab\n",
                           "www DS 1 13 2 0xab\n",
                           "www TYPE65534 1\n",
                           "www A TYPE1\n"}) {
    EXPECT_TRUE(Declined(text)) << text;
  }
}

TEST(SimpleRecordLineTest, DeclinesWhatTheLineReaderTreatsSpecially) {
  for (const char* text :
       {"www A 192.0.2.1",  // no line break: the last line of the input
        "www A ( 192.0.2.1 )\n", "www MX 10 ( mail )\n", "www TXT \"a\"\n",
        "www NS a\\.b\n", "www A \\# 4 c0000201\n", "www\fA 192.0.2.1\n",
        "www A 192.0.2.1\f\n", "www A 192.0.2.1\v\n", "\n", "; only\n", "   \n",
        ""}) {
    EXPECT_TRUE(Declined(text)) << text;
  }
  EXPECT_TRUE(Declined(std::string("www A 1.2.3.4\0\n", 15)));
  // Long lines go to ldns.
  EXPECT_TRUE(
      Declined(absl::StrCat("www DS 1 13 2 ", std::string(1100, 'a'), "\n")));
}

TEST(SimpleRecordLineTest, CommentsAndLineBreaks) {
  // A comment may hold anything ldns ignores there; blank lines right after
  // the record are read with it.
  std::string text =
      "www A 192.0.2.1 ; \"quoted ( paren \\ \f\n\nnext A 1.2.3.4\n";
  SimpleRecordLine line = Handled(text);
  EXPECT_EQ(line.record.rdata, "\xc0\x00\x02\x01"s);
  EXPECT_EQ(line.consumed, text.find("next"));
  // Empty and comment lines before the record as well; a line of blanks is
  // not a line break.
  text = "\n; comment (\n\nwww A 192.0.2.1\n\r\n\f\v\n  next\n";
  line = Handled(text);
  EXPECT_EQ(line.record.owner,
            "\x03www\x07"
            "example\x00"s);
  EXPECT_EQ(line.consumed, text.find("  next"));
  // '\r' is a blank, so CRLF lines work.
  text = "www\tIN\tA\t192.0.2.1 \r\n";
  line = Handled(text);
  EXPECT_EQ(line.record.rdata, "\xc0\x00\x02\x01"s);
  EXPECT_EQ(line.consumed, text.size());
  // A comment without a line break ends the input: ldns reads that
  // differently.
  EXPECT_TRUE(Declined("www A 192.0.2.1 ; end"));
  EXPECT_TRUE(Declined("; end"));
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
