#include "signer/dnssec_record_line.h"

#include <string>

#include "gtest/gtest.h"
#include "signer/fast_path_test_util.h"
#include "signer/record.h"
#include "signer/record_line_fields.h"

namespace zonekeep {
namespace signer {
namespace {

using std::string_literals::operator""s;

// The RDATA read from `fields`, or "declined".
std::string Read(uint16_t type, absl::string_view fields) {
  LineTokens tokens(fields);
  std::string rdata;
  if (!AppendDnssecRdata(type, ExampleOrigin(), &tokens, &rdata))
    return "declined";
  return rdata;
}

TEST(DnssecRecordLineTest, TypeNamesAsLdnsReadsThem) {
  EXPECT_EQ(TypeFromLineToken("A"), 1);
  EXPECT_EQ(TypeFromLineToken("rrsig"), 46);
  EXPECT_EQ(TypeFromLineToken("NSEC3PARAM"), 51);
  EXPECT_EQ(TypeFromLineToken("Caa"), 257);
  EXPECT_EQ(TypeFromLineToken("type12"), 12);
  EXPECT_EQ(TypeFromLineToken("TYPE65535"), 65535);
  EXPECT_EQ(TypeFromLineToken("TYPE00065"), 65);
  for (const char* declined : {"", "TYPE", "TYPE0", "TYPE65536", "TYPE1x",
                               "TYPE+1", "BOGUS", "ANY", "AXFR", "A1"}) {
    EXPECT_EQ(TypeFromLineToken(declined), 0) << declined;
  }
}

TEST(DnssecRecordLineTest, Dnskey) {
  EXPECT_EQ(Read(kTypeDnskey, "257 3 13 AQID"),
            "\x01\x01\x03\x0d\x01\x02\x03"s);
  EXPECT_EQ(Read(kTypeDnskey, "256 3 8 AQ =="), "\x01\x00\x03\x08\x01"s);
  EXPECT_EQ(Read(kTypeDnskey, "256 3 8 A QI="), "\x01\x00\x03\x08\x01\x02"s);
  for (const char* declined :
       {"256 3 8", "256 3 8 AR==", "256 3 8 AQ=", "256 3 8 AQ==AQID",
        "256 3 8 AQI", "256 3 8 A===", "256 3 8 AQ*D", "256 3 8 -",
        "256 3 ECDSAP256SHA256 AQID", "65536 3 8 AQID", "256 3 256 AQID"}) {
    EXPECT_EQ(Read(kTypeDnskey, declined), "declined") << declined;
  }
}

TEST(DnssecRecordLineTest, RrsigTimes) {
  const std::string head = "\x00\x01\x0d\x02\x00\x00\x0e\x10"s;
  const std::string tail =
      "\x30\x39\x07"
      "example\x00\x01\x02\x03"s;
  EXPECT_EQ(Read(kTypeRrsig,
                 "A 13 2 3600 21060207062815 19700101000000 12345 @ AQID"),
            head + "\xff\xff\xff\xff\x00\x00\x00\x00"s + tail);
  // 2024-02-29 00:00:00 UTC is 1709164800 (0x65dfc900).
  EXPECT_EQ(Read(kTypeRrsig,
                 "A 13 2 3600 20240229000000 20240229000000 12345 EXAMPLE. "
                 "AQID"),
            head + "\x65\xdf\xc9\x00\x65\xdf\xc9\x00"s + tail);
  for (const char* time :
       {"21060207062816", "20230229000000", "20261301000000", "19691231235959",
        "20260101240000", "1700000000", "2026010100000x", "20260431000000"}) {
    EXPECT_EQ(Read(kTypeRrsig, std::string("A 13 2 3600 ") + time +
                                   " 20240229000000 1 @ AQID"),
              "declined")
        << time;
  }
}

TEST(DnssecRecordLineTest, NsecAndNsec3) {
  // The next name keeps its case (ldns_rr2canonical leaves NSEC alone).
  EXPECT_EQ(Read(kTypeNsec, "B A TYPE1 rrsig"),
            "\x01"
            "B\x07"
            "example\x00\x00\x06\x40\x00\x00\x00\x00\x02"s);
  EXPECT_EQ(Read(kTypeNsec3, "1 1 0 - 00000000"),
            "\x01\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00"s);
  EXPECT_EQ(Read(kTypeNsec3Param, "1 0 10 aBcD"),
            "\x01\x00\x00\x0a\x02\xab\xcd"s);
  for (const char* declined :
       {"1 0 10 abc", "1 0 10 xy", "1 0 10 - x", "1 0 65536 -", "1 0 10"}) {
    EXPECT_EQ(Read(kTypeNsec3Param, declined), "declined") << declined;
  }
  for (const char* declined :
       {"1 1 0 - 0000000", "1 1 0 - 0000000w", "1 1 0 - 00000000 BOGUS",
        "1 1 0 - AAAAAA==", "1 1 0 - 00000000 TYPE0"}) {
    EXPECT_EQ(Read(kTypeNsec3, declined), "declined") << declined;
  }
  EXPECT_EQ(Read(kTypeNsec, "next"), "declined");
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
