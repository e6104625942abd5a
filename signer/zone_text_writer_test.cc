// The writer's presentation forms (signer/rdata_text.h): each case is
// formatted as expected, and a zone holding it signs (self-verify reads the
// text back with ldns) and is read with the same RDATA bytes by BIND
// (named-compilezone prints it, dnssec-verify checks the signatures over what
// BIND read) and Knot (kzonecheck with DNSSEC checks on).
#include "signer/zone_text_writer.h"

#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dnssec/algorithm.h"
#include "dnssec/name.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "signer/rdata_text.h"
#include "signer/zone_signer.h"

namespace zonekeep {
namespace signer {
namespace {

std::string Hex(absl::string_view hex) {
  std::string clean;
  for (char c : hex) {
    if (c != ' ') clean.push_back(c);
  }
  return absl::HexStringToBytes(clean);
}

std::string Wire(absl::string_view name) {
  auto wire = dnssec::ParseName(name, "");
  EXPECT_TRUE(wire.ok()) << wire.status();
  return wire.ok() ? *wire : std::string();
}

// The RDATA part of the line AppendRecordLine writes for x.example.
std::string Rdata(uint16_t type, absl::string_view rdata) {
  std::string line;
  absl::Status s = AppendRecordLine("x.example.", Wire("x.example."), type,
                                    3600, rdata, &line);
  EXPECT_TRUE(s.ok()) << s;
  const std::string prefix = absl::StrCat("x.example.\t3600\tIN\t");
  EXPECT_TRUE(absl::StartsWith(line, prefix)) << line;
  EXPECT_TRUE(absl::EndsWith(line, "\n")) << line;
  return line.substr(prefix.size(), line.size() - prefix.size() - 1);
}

TEST(ZoneTextWriterTest, SvcbKeyAboveSixIsGeneric) {
  // HTTPS 1 . key667="a;b": unquoted, ';' starts a comment.
  EXPECT_EQ(Rdata(65, Hex("0001 00 029b 0003 613b62")),
            "HTTPS\t\\# 10 000100029b0003613b62");
}

TEST(ZoneTextWriterTest, SvcbAlpnWithCommaOrBackslashIsGeneric) {
  EXPECT_EQ(Rdata(64, Hex("0001 00 0001 0007 03612c62 026833")),
            "SVCB\t\\# 14 0001000001000703612c62026833");
  EXPECT_EQ(Rdata(64, Hex("0001 00 0001 0004 03615c62")),
            "SVCB\t\\# 11 0001000001000403615c62");
}

TEST(ZoneTextWriterTest, SvcbNamedKeysArePresentation) {
  // mandatory=alpn alpn=h2,h3 no-default-alpn port=443 ipv4hint ech ipv6hint
  const std::string rd =
      Hex("0001 036e7331 076578616d706c65 00"
          "0000 0002 0001"
          "0001 0006 026832 026833"
          "0002 0000"
          "0003 0002 01bb"
          "0004 0008 c0000201 c0000202"
          "0005 0003 616263"
          "0006 0010 20010db8000000000000000000000001");
  EXPECT_EQ(Rdata(64, rd),
            "SVCB\t1 ns1.example. mandatory=alpn alpn=\"h2,h3\" "
            "no-default-alpn port=443 ipv4hint=192.0.2.1,192.0.2.2 "
            "ech=YWJj ipv6hint=2001:db8::1");
}

TEST(ZoneTextWriterTest, SvcbMalformedOrUnorderedIsGeneric) {
  // Keys out of order (port before alpn).
  EXPECT_EQ(Rdata(64, Hex("0001 00 0003 0002 01bb 0001 0003 026832")),
            "SVCB\t\\# 16 0001000003000201bb00010003026832");
}

TEST(ZoneTextWriterTest, EmptyRdataIsGeneric) {
  EXPECT_EQ(Rdata(65000, ""), "TYPE65000\t\\# 0");
  EXPECT_EQ(Rdata(42, ""), "APL\t\\# 0");
}

TEST(ZoneTextWriterTest, CaaEmptyValueIsQuoted) {
  EXPECT_EQ(Rdata(257, Hex("00 05 6973737565")), "CAA\t0 issue \"\"");
  EXPECT_EQ(Rdata(257, absl::StrCat(Hex("80 05 6973737565"), "a;b\" \\")),
            "CAA\t128 issue \"a;b\\\" \\\\\"");
  // A tag that is not letters and digits.
  EXPECT_EQ(Rdata(257, Hex("00 02 612d 78")), "CAA\t\\# 5 0002612d78");
}

TEST(ZoneTextWriterTest, NullIsType10Generic) {
  EXPECT_EQ(Rdata(10, Hex("abcd")), "TYPE10\t\\# 2 abcd");
  EXPECT_EQ(Rdata(10, ""), "TYPE10\t\\# 0");
}

TEST(ZoneTextWriterTest, TypesKnotCannotNameAreGeneric) {
  // HIP (55) and A6 (38): mnemonics ldns and BIND know, Knot 3.2 does not.
  EXPECT_EQ(TypeName(55), "TYPE55");
  EXPECT_EQ(Rdata(38, Hex("00 20010db8000000000000000000000001")),
            "TYPE38\t\\# 17 0020010db8000000000000000000000001");
  EXPECT_EQ(TypeName(64), "SVCB");
}

TEST(ZoneTextWriterTest, NamesInRdataAreEscaped) {
  // MX 10 a\.b\"c\@d\032e\\.example.
  std::string name = std::string("\x0a", 1) + "a.b\"c@d e\\" + Wire("example.");
  EXPECT_EQ(Rdata(15, absl::StrCat(Hex("000a"), name)),
            "MX\t10 a\\.b\\\"c\\@d\\032e\\\\.example.");
  // SRV goes through ldns's field decoder, the name through ours.
  EXPECT_EQ(Rdata(33, absl::StrCat(Hex("0001 0002 0050"), name)),
            "SRV\t1 2 80 a\\.b\\\"c\\@d\\032e\\\\.example.");
}

TEST(ZoneTextWriterTest, CharacterStringsEscapeQuotesBackslashAndBinary) {
  const std::string s = std::string("a\"b\\c\0\xff d;e\t", 12);
  EXPECT_EQ(Rdata(16, absl::StrCat(std::string(1, static_cast<char>(s.size())),
                                   s, std::string(1, '\0'))),
            "TXT\t\"a\\\"b\\\\c\\000\\255 d;e\\009\" \"\"");
  // NAPTR's character-strings through the ldns field decoder.
  const std::string naptr = absl::StrCat(Hex("0064 000a"), "\x01u",
                                         "\x07"
                                         "E2U+sip",
                                         "\x03;(\"", std::string(1, '\0'));
  EXPECT_EQ(Rdata(35, naptr), "NAPTR\t100 10 \"u\" \"E2U+sip\" \";(\\\"\" .");
}

// --- Signed zones read back by BIND and Knot ---------------------------------

struct Tool {
  int exit_code = -1;
  std::string output;
};

Tool RunTool(const std::string& command) {
  Tool t;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return t;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) t.output.append(buf, n);
  const int status = pclose(p);
  t.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return t;
}

std::string TempPath(const std::string& name) {
  const char* dir = getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

constexpr char kHead[] = R"($ORIGIN example.
$TTL 3600
@    SOA ns1 hostmaster 1 7200 3600 1209600 300
@    NS  ns1
ns1  A   192.0.2.1
)";

struct SignedCase {
  const char* name;
  const char* records;  // input lines, as our parser reads them
  const char* written;  // expected in our output
  const char* bind;     // expected in named-compilezone's output
};

class SignedReadBackTest : public ::testing::TestWithParam<SignedCase> {};

// Signs kHead + the case, then: named-compilezone loads the text and prints
// the case's RDATA as expected; dnssec-verify (BIND) and kzonecheck -d on
// (Knot) check every signature over the bytes they read, so a record read
// with other bytes than we signed fails them.
TEST_P(SignedReadBackTest, SignsAndReadsBackAlike) {
  const SignedCase& c = GetParam();
  auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
  ASSERT_TRUE(keys.ok()) << keys.status();
  SignOptions o;
  o.origin = "example.";
  std::string out;
  auto report =
      SignZone(absl::StrCat(kHead, c.records), "case.zone", *keys, o, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->verified);
  EXPECT_TRUE(absl::StrContains(out, c.written)) << out;
  const std::string path = TempPath(absl::StrCat(c.name, ".signed"));
  std::ofstream(path) << out;

  const Tool bind = RunTool(
      absl::StrCat("named-compilezone -i none -k ignore -o - example. ", path));
  EXPECT_EQ(bind.exit_code, 0) << bind.output;
  EXPECT_TRUE(absl::StrContains(bind.output, c.bind)) << bind.output;
  const Tool verify = RunTool(absl::StrCat("dnssec-verify -o example. ", path));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  const Tool knot =
      RunTool(absl::StrCat("kzonecheck -o example. -d on ", path));
  EXPECT_EQ(knot.exit_code, 0) << knot.output;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SignedReadBackTest,
    ::testing::Values(
        SignedCase{"https_key667", "x HTTPS 1 . key667=\"a;b\"\n",
                   "x.example.\t3600\tIN\tHTTPS\t\\# 10 000100029b0003613b62",
                   "HTTPS\t1 . key667=\"a;b\""},
        SignedCase{"svcb_alpn_comma",
                   "x SVCB \\# 14 0001 00 0001 0007 03612c62 026833\n",
                   "SVCB\t\\# 14 0001000001000703612c62026833",
                   "SVCB\t1 . alpn=\"a\\\\,b,h3\""},
        SignedCase{"svcb_named", "x SVCB 1 ns1 alpn=h2,h3 port=8443\n",
                   "SVCB\t1 ns1.example. alpn=\"h2,h3\" port=8443",
                   "SVCB\t1 ns1.example. alpn=\"h2,h3\" port=8443"},
        SignedCase{"caa_empty", "x CAA 0 issue \"\"\n", "CAA\t0 issue \"\"",
                   "CAA\t0 issue \"\""},
        SignedCase{"unknown_empty", "x TYPE65000 \\# 0\n", "TYPE65000\t\\# 0",
                   "TYPE65000\t\\# 0"},
        SignedCase{"null", "x TYPE10 \\# 2 abcd\n", "TYPE10\t\\# 2 abcd",
                   "NULL\t\\# 2 ABCD"},
        SignedCase{"name_escapes", "x MX 10 a\\.b\\\"c\\@d\\032e\\\\\n",
                   "MX\t10 a\\.b\\\"c\\@d\\032e\\\\.example.",
                   "MX\t10 a\\.b\\\"c\\@d\\032e\\\\.example."},
        SignedCase{"txt_escapes", "x TXT \"a\\\"b\\\\c\\000\\255 d;e\"\n",
                   "TXT\t\"a\\\"b\\\\c\\000\\255 d;e\"",
                   "TXT\t\"a\\\"b\\\\c\\000\\255 d;e\""}),
    [](const ::testing::TestParamInfo<SignedCase>& info) {
      return std::string(info.param.name);
    });

}  // namespace
}  // namespace signer
}  // namespace zonekeep
