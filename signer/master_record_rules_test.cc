// The record rules (signer/master_record_rules.h) through ParseZoneText, the
// API the signer uses, with the fast path on and off.
#include "signer/master_record_rules.h"

#include <string>

#include "absl/strings/str_cat.h"
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

TEST(MasterRecordRulesTest, RelativeNamesInRdata) {
  EXPECT_EQ(
      Hex(Last("ipk IPSECKEY 10 3 2 gw AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGv"
               "gqt4AQ==\n")
              .rdata.substr(3, 12)),
      "026777076578616d706c6500");
  EXPECT_EQ(Hex(Last("s SRV 1 2 3 Tgt\n").rdata),
            "000100020003037467740765"
            "78616d706c6500");
}

// ldns 1.8.3 leaks the gateway when an IPSECKEY key is not base64, and both
// fields when the key is split by blanks: the rules check and join it first.
TEST(MasterRecordRulesTest, IpseckeyKeyMustBeBase64AndMayBeSplit) {
  const std::string whole =
      Last(
          "ipk IPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6"
          "BSGvgqt4AQ==\n")
          .rdata;
  EXPECT_EQ(Last("ipk IPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2Bk "
                 "R47usntb102uFJtugbo6 BSGvgqt4AQ==\n")
                .rdata,
            whole);
  ExpectRefused("ipk IPSECKEY 10 3 2 gw AQNR-U3mG\n", kHeadLines + 1,
                "IPSECKEY public key is not valid base64");
  ExpectRefused("ipk IPSECKEY 10 1 2 192.0.2.38 AQN\n", kHeadLines + 1,
                "not valid base64");
  ExpectRefused("ipk IPSECKEY 10 2 2 2001:db8::1 AQ=R\n", kHeadLines + 1,
                "not valid base64");
  ExpectRefused("ipk IPSECKEY 10 1 2 192.0.2.38 AR==\n", kHeadLines + 1,
                "not valid base64");  // padding bits not zero
  // ldns would split a quoted gateway at its blank and leak it (fuzzer).
  ExpectRefused("gw IPSECKEY 10 3 2 g\"part two\"\n", kHeadLines + 1,
                "IPSECKEY field holds a blank or a quote");
  ExpectRefused("gw IPSECKEY 10 3 /\" # gratptwo\"\n", kHeadLines + 1,
                "IPSECKEY field holds a blank or a quote");
}

TEST(MasterRecordRulesTest, AlpnReadInTwoLevels) {
  EXPECT_EQ(Hex(Last("x SVCB 1 . alpn=h2\\,h3\n").rdata),
            "0001000001000602683202683"
            "3");
  EXPECT_EQ(Hex(Last("x SVCB 1 . alpn=\"h2,h3\"\n").rdata),
            "00010000010006026832026833");
}

// Found by the fuzzer: ldns encoded a repeated key, which then did not read
// back from the writer's "\#" form.
TEST(MasterRecordRulesTest, SvcbKeysAppearOnce) {
  ExpectRefused("x HTTPS 1 . alpn=h2,h3 alpn=h2 port=8443\n", kHeadLines + 1,
                "HTTPS repeats a SvcParam key");
  ExpectRefused("x SVCB 1 . port=53 port=54\n", kHeadLines + 1,
                "SVCB repeats a SvcParam key");
  EXPECT_EQ(Last("x HTTPS 1 . port=8443 alpn=h2\n").type, 65);
}

TEST(MasterRecordRulesTest, GenericRdataMustBeValidAndIsCanonical) {
  ExpectRefused("x A \\# 3 c00002\n", kHeadLines + 1, "");
  ExpectRefused("x APL \\# 8 00011004c0a80000\n", kHeadLines + 1,
                "not valid APL data");
  EXPECT_EQ(Hex(Last("x APL \\# 6 00011002c0a8\n").rdata), "00011002c0a8");
  EXPECT_EQ(Hex(Last("x NS \\# 3 014100\n").rdata), "016100");
  EXPECT_EQ(Hex(Last("x TYPE65000 \\# 3 010203\n").rdata), "010203");
  // ISDN with its optional subaddress, as the writer prints it (TYPE20 \#):
  // ldns could not read back its own text of it with the line end.
  EXPECT_EQ(Hex(Last("x ISDN \"a\" \"b\"\n").rdata), "01610162");
  EXPECT_EQ(Hex(Last("x TYPE20 \\# 4 01610162\n").rdata), "01610162");
}

// ldns prints these so that they do not read back (a ';' in an SvcParam
// value unquoted, an empty CAA value as nothing); in "\#" form they are
// still valid data, and are what the writer prints for them.
TEST(MasterRecordRulesTest, GenericRdataThatLdnsCannotPrintIsAccepted) {
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

// Found by the fuzzer: ldns reads TYPEnnn with atoi, so TYPE-65534 was an
// NS (2) with empty RDATA; and CERT type 0 made ldns leak.
TEST(MasterRecordRulesTest, TypeNumbersAndCertTypesAreStrict) {
  ExpectRefused("x TYPE-65534 \\# 0\n", kHeadLines + 1, "unknown RR type");
  ExpectRefused("x TYPE65538 \\# 3 014100\n", kHeadLines + 1,
                "unknown RR type");
  ExpectRefused("x TYPE+2 \\# 3 014100\n", kHeadLines + 1, "unknown RR type");
  EXPECT_EQ(Last("x TYPE0002 \\# 3 014100\n").type, 2);
  EXPECT_EQ(Last("x type65535 \\# 0\n").type, 65535);
  ExpectRefused("x CERT 0 1 2 AAAA\n", kHeadLines + 1,
                "must be a number from 1 to 65535");
  ExpectRefused("x CERT 65537 1 2 AAAA\n", kHeadLines + 1,
                "must be a number from 1 to 65535");
  ExpectRefused("x CERT 00 1 2 AAAA\n", kHeadLines + 1,
                "must be a number from 1 to 65535");
  EXPECT_EQ(Hex(Last("x CERT 1 2 3 AAAA\n").rdata), "0001000203000000");
  // ldns read 16-bit fields modulo 65536 and 8-bit ones modulo 256.
  ExpectRefused("x MX 65536 mail\n", kHeadLines + 1,
                "field 1 of MX ('65536') must be a number from 0 to 65535");
  ExpectRefused("x MX -1 mail\n", kHeadLines + 1, "must be a number");
  ExpectRefused("x SRV 1 2 65537 t\n", kHeadLines + 1, "field 3 of SRV");
  ExpectRefused("x SSHFP 256 1 ab\n", kHeadLines + 1, "from 0 to 255");
  ExpectRefused("x DS 1 300 2 ab\n", kHeadLines + 1, "field 2 of DS");
  ExpectRefused("x TLSA 3 1 256 ab\n", kHeadLines + 1, "field 3 of TLSA");
  ExpectRefused("@ SOA ns hm 4294967296 2 3 4 5\n", kHeadLines + 1,
                "field 3 of SOA");
  EXPECT_EQ(Hex(Last("x MX 65535 mail\n").rdata).substr(0, 4), "ffff");
  EXPECT_EQ(Hex(Last("x MX 0010 mail\n").rdata).substr(0, 4), "000a");
  EXPECT_EQ(Hex(Last("x DS 1 ECDSAP256SHA256 2 ab\n").rdata), "00010d02ab");
  // SOA timers wrapped as well; units stay allowed.
  ExpectRefused("@ SOA ns hm 1 4294967296 3 4 5\n", kHeadLines + 1,
                "field 4 of SOA ('4294967296') must be seconds");
  ExpectRefused("@ SOA ns hm 1 -1 3 4 5\n", kHeadLines + 1, "field 4 of SOA");
  ExpectRefused("@ SOA ns hm 1 2 3 4 1x\n", kHeadLines + 1, "field 7 of SOA");
  // ldns padded an odd number of hex digits with a zero nibble.
  ExpectRefused("x SSHFP 1 1 abc\n", kHeadLines + 1,
                "hex data of SSHFP has an odd number of digits");
  ExpectRefused("x DS 1 13 2 ab c\n", kHeadLines + 1, "odd number");
  EXPECT_EQ(Hex(Last("x SSHFP 1 1 ab cd\n").rdata), "0101abcd");
  EXPECT_EQ(Hex(Last("x CERT PKIX 2 3 AAAA\n").rdata), "0001000203000000");
}

TEST(MasterRecordRulesTest, UnknownAndMetaTypesRefused) {
  ExpectRefused("x FOOBAR 1 2 3\n", kHeadLines + 1, "unknown RR type");
  ExpectRefused("x ANY \\# 0\n", kHeadLines + 1, "meta type");
  ExpectRefused("x TYPE255 \\# 0\n", kHeadLines + 1, "meta type");
  ExpectRefused("x OPT \\# 0\n", kHeadLines + 1, "meta type");
  ExpectRefused("x TSIG \\# 0\n", kHeadLines + 1, "meta type");
  ExpectRefused("x AXFR \\# 0\n", kHeadLines + 1, "meta type");
}

TEST(MasterRecordRulesTest, LongNamesWildcardNsBigRrsetsLongText) {
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

TEST(MasterRecordRulesTest, Amtrelay) {
  const Record r = Last("x AMTRELAY 10 1 3 relay\n");
  EXPECT_EQ(r.type, 260);
  EXPECT_EQ(Hex(r.rdata), "0a830572656c6179076578616d706c6500");
  EXPECT_EQ(Hex(Last("x AMTRELAY 0 0 1 192.0.2.1\n").rdata), "0001c0000201");
  EXPECT_EQ(Hex(Last("x AMTRELAY 0 0 0 .\n").rdata), "0000");
}

// ldns reads names only from text of at most 255 characters; "\DDD" escapes
// of a valid name (as our writer prints them) are longer. Found by fuzzing.
TEST(MasterRecordRulesTest, LongEscapedNamesReadLikeTheirBytes) {
  std::string escaped = "a.b.c.d.e.f.g.h.i.j.k.l";
  std::string raw = escaped;
  for (int i = 0; i < 60; ++i) {  // label "l" + 60 + 2 = 63 octets
    escaped += "\\255";
    raw += '\xff';
  }
  escaped += "\\046\\000.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f";
  raw += "\\.\\000.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f";
  ASSERT_GT(escaped.size(), 255u);
  const Record by_bytes = Last(raw + " A 192.0.2.6\n");
  EXPECT_EQ(by_bytes.owner.size(), 11 * 2 + 64 + 20 * 2 + 9);
  EXPECT_EQ(Last(escaped + " A 192.0.2.6\n").owner, by_bytes.owner);
  EXPECT_EQ(Last("x CNAME " + escaped + "\n").rdata,
            Last("x CNAME " + raw + "\n").rdata);
}

// Control bytes stay escaped: a name near 255 octets with a few of them has
// text over 255 characters however it is written; our parser reads it, and
// the next blank owner is that name.
TEST(MasterRecordRulesTest, LongOwnerTextNearTheLimitIsReadByOurParser) {
  std::string near_limit;
  for (int i = 0; i < 4; ++i) {
    near_limit += std::string(50, 'x') + "\\001\\001\\001.";
  }
  near_limit += std::string(20, 'y');
  ASSERT_GT(near_limit.size(), 255u);
  const Record last = Last(near_limit + " A 192.0.2.6\n  TXT \"t\"\n");
  EXPECT_EQ(last.type, 16);
  EXPECT_EQ(last.owner.size(), 4 * 54 + 21 + 9);
  // "\#" RDATA at such an owner: its check prints and re-reads the RDATA
  // alone (the owner's text would not read back; found by the fuzzer).
  EXPECT_EQ(Hex(Last(near_limit + " ISDN \\# 4 01610162\n").rdata), "01610162");
  ExpectRefused(std::string(64, 'z') + std::string(200, 'w') + " A 192.0.2.6\n",
                kHeadLines + 1, "");
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
