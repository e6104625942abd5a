// Differential test of zone reading: generated zones (every RR type BIND 9.18
// and Knot 3.2 both read, escapes, relative names, directives, odd TTLs,
// multi-line records) and broken inputs, read by zonekeep's parser, BIND
// (named-compilezone) and Knot (kzonecheck). Where BIND or Knot refuses, we
// refuse with "file:line: reason"; where both read it, our records equal
// BIND's record for record.
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/test_interop.h"
#include "tests/test_zone_readers.h"
#include "tests/zone_text_generator.h"

namespace zonekeep {
namespace interop {
namespace {

constexpr char kOrigin[] = "example.";
const char* const kHead = kGeneratedZoneHead;

bool HasFileLineReason(const std::string& message, const std::string& path) {
  return std::regex_search(
      message,
      std::regex("^" + std::regex_replace(path, std::regex("[.]"), "\\.") +
                 ":[0-9]+: ."));
}

// True when every error Knot reports is a gap of Knot 3.2 rather than of
// the zone: a type it lacks (X25, ISDN, PX; AMTRELAY is judged apart) or a
// relative $ORIGIN (RFC 1035 5.1 allows it; BIND reads it). Knot stops at
// the latter, so BIND alone judges such zones.
bool OnlyKnotGaps(const std::string& knot_message, const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  static const std::regex kError(", line ([0-9]+) \\(");
  bool any = false;
  for (auto it = std::sregex_iterator(knot_message.begin(), knot_message.end(),
                                      kError);
       it != std::sregex_iterator(); ++it) {
    const size_t n = std::stoul((*it)[1]);
    if (n == 0 || n > lines.size()) return false;
    const std::string& line = lines[n - 1];
    const bool gap = line.find(" X25 ") != std::string::npos ||
                     line.find(" ISDN ") != std::string::npos ||
                     line.find(" PX ") != std::string::npos ||
                     (line.rfind("$ORIGIN ", 0) == 0 && line.back() != '.');
    if (!gap) return false;
    any = true;
  }
  return any;
}

// The verdicts on one zone text; `name` is the file name.
void ExpectReadAsBindAndKnot(const std::string& name, const std::string& text) {
  SCOPED_TRACE(name);
  const std::string path = WriteTempFile(name, text);
  const ZoneReading ours = ReadWithZonekeep(kOrigin, path);
  const ZoneReading bind = ReadWithBind(kOrigin, path);
  ZoneReading knot = ReadWithKnot(kOrigin, path);
  if (!knot.ok && OnlyKnotGaps(knot.message, text)) knot.ok = true;
  if (!bind.ok || !knot.ok) {
    EXPECT_FALSE(ours.ok) << "BIND: " << (bind.ok ? "ok" : bind.message)
                          << "\nKnot: " << (knot.ok ? "ok" : knot.message);
    if (!ours.ok) {
      EXPECT_TRUE(HasFileLineReason(ours.message, path)) << ours.message;
    }
    return;
  }
  ASSERT_TRUE(ours.ok) << ours.message;
  EXPECT_EQ(DiffRecords(ours.records, bind.records), "");
}

TEST(ZoneReadingDifferentialTest, GeneratedZonesReadAsBindReadsThem) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    ExpectReadAsBindAndKnot(absl::StrCat("gen", seed, ".zone"),
                            GenerateZoneText(seed, 150));
  }
}

TEST(ZoneReadingDifferentialTest, EveryFormAlone) {
  int n = 0;
  for (const TypeForm& form : ZoneTextForms()) {
    for (std::string rdata : form.rdata) {
      for (size_t p; (p = rdata.find('%')) != std::string::npos;) {
        rdata.replace(p, 1, "7");
      }
      ExpectReadAsBindAndKnot(
          absl::StrCat("form", n++, ".zone"),
          absl::StrCat(kHead, "x ", form.type, " ", rdata, "\n"));
    }
  }
}

// Inputs BIND or Knot refuse: we must refuse them too, with file:line.
TEST(ZoneReadingDifferentialTest, BrokenInputsAreRefused) {
  const std::string label(63, 'a');
  const std::vector<std::string> broken = {
      "x TXT ( \"a\"\ny A 192.0.2.9\n", "x TXT \"a\" )\ny A 192.0.2.9\n",
      "x TXT \"abc\ny A 192.0.2.9\n", "$TTL 4294967296\nx A 192.0.2.9\n",
      "x 4294967296 A 192.0.2.9\n",
      absl::StrCat(label, ".", label, ".", label, ".", label, " A 192.0.2.9\n"),
      "x A \\# 3 c00002\n", "x APL \\# 8 00011004c0a80000\n",
      "x TYPE255 \\# 0\n", "x ANY \\# 0\n", "x FOOBAR 1 2 3\n", "*.w NS ns1\n",
      absl::StrCat("x TXT \"", std::string(300, 'a'), "\"\n"),
      "x A 192.0.2.300\n", "x MX mail\n", "$INCLUDE /etc/passwd\n",
      // ldns 1.8.3 alone reads numbers modulo the field's size (MX 1 and MX
      // 65535, SSHFP 0) and TYPEnnn with atoi (TYPE-65534 was an NS).
      "x MX 65537 mail\n", "x MX -1 mail\n", "x SSHFP 256 1 abcd\n",
      "x SSHFP 1 1 abc\n", "x HTTPS 1 . alpn=h2 port=8443 alpn=h3\n",
      "@ SOA ns hm 1 4294967296 3 4 5\n", "x TYPE-65534 \\# 0\n",
      "x TYPE65538 \\# 3 014100\n",
      // "CNAME and other data" is refused by the zone model when signing
      // (signer/zone_model.cc), not by the reader.
  };
  int n = 0;
  for (const std::string& body : broken) {
    const std::string name = absl::StrCat("broken", n++, ".zone");
    SCOPED_TRACE(body);
    const std::string path = WriteTempFile(name, absl::StrCat(kHead, body));
    const ZoneReading bind = ReadWithBind(kOrigin, path);
    const ZoneReading knot = ReadWithKnot(kOrigin, path);
    EXPECT_TRUE(!bind.ok || !knot.ok) << "both tools read it";
    ExpectReadAsBindAndKnot(name, absl::StrCat(kHead, body));
  }
}

// Knot 3.2.6 does not know the AMTRELAY mnemonic (its TYPE260 form it
// reads): BIND alone judges the mnemonic.
TEST(ZoneReadingDifferentialTest, AmtrelayReadsAsBindReadsIt) {
  const std::string path = WriteTempFile(
      "amtrelay.zone", absl::StrCat(kHead,
                                    "a AMTRELAY 10 0 3 relay\n"
                                    "b AMTRELAY 0 1 1 192.0.2.1\n"
                                    "c AMTRELAY 0 0 2 2001:db8::1\n"
                                    "d AMTRELAY 5 0 0 .\n"));
  const ZoneReading ours = ReadWithZonekeep(kOrigin, path);
  const ZoneReading bind = ReadWithBind(kOrigin, path);
  ASSERT_TRUE(ours.ok) << ours.message;
  ASSERT_TRUE(bind.ok) << bind.message;
  EXPECT_EQ(DiffRecords(ours.records, bind.records), "");
}

// The comparison can fail: BIND's reading of a zone against ours of a zone
// that differs in one TTL.
TEST(ZoneReadingDifferentialTest, ComparisonCatchesADifference) {
  const std::string a =
      WriteTempFile("diff-a.zone", absl::StrCat(kHead, "x 300 TXT \"same\"\n"));
  const std::string b =
      WriteTempFile("diff-b.zone", absl::StrCat(kHead, "x 301 TXT \"same\"\n"));
  const ZoneReading ours = ReadWithZonekeep(kOrigin, a);
  const ZoneReading bind = ReadWithBind(kOrigin, b);
  ASSERT_TRUE(ours.ok && bind.ok);
  EXPECT_NE(DiffRecords(ours.records, bind.records), "");
  EXPECT_EQ(DiffRecords(ours.records, ReadWithBind(kOrigin, a).records), "");
}

}  // namespace
}  // namespace interop
}  // namespace zonekeep
