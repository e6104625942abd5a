// CheckZone reads a zone as SignZone does: canonical order, DNSSEC records
// dropped, the signer's errors with their lines, and the SOA owner as the
// default origin.
#include "signer/zone_check.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr char kZone[] = R"($ORIGIN example.
$TTL 3600
@     SOA ns1 hostmaster 7 7200 3600 1209600 300
@     NS  ns1
zz    A   192.0.2.9
b     TXT "a;b"
ns1   A   192.0.2.1
@     RRSIG SOA 13 1 3600 20300101000000 20200101000000 1 example. AAAA
B     A   192.0.2.2
)";

std::vector<std::string> Owners(const std::string& text) {
  std::vector<std::string> owners;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    owners.emplace_back(line.substr(0, line.find('\t')));
  }
  return owners;
}

TEST(ZoneCheckTest, WritesRecordsInCanonicalOrder) {
  std::string out;
  auto report =
      CheckZone(kZone, "example.zone", {}, [&out](absl::string_view piece) {
        out.append(piece.data(), piece.size());
        return absl::OkStatus();
      });
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->origin, "example.");
  EXPECT_EQ(report->records, 6u);
  EXPECT_EQ(report->dnssec_records_dropped, 1u);
  EXPECT_EQ(Owners(out), (std::vector<std::string>{
                             "example.", "example.", "b.example.", "b.example.",
                             "ns1.example.", "zz.example."}))
      << out;
  EXPECT_TRUE(absl::StrContains(
      out, "example.\t3600\tIN\tSOA\tns1.example. hostmaster.example. 7 "))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "b.example.\t3600\tIN\tTXT\t\"a;b\""));
  EXPECT_FALSE(absl::StrContains(out, "RRSIG"));
}

TEST(ZoneCheckTest, ExplicitOriginAndRelativeOwners) {
  auto out = CheckZoneText(
      "@ 300 IN SOA ns1 h 1 2 3 4 5\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n",
      "z", {"example.org"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(absl::StartsWith(*out, "example.org.\t300\tIN\tSOA\t")) << *out;
}

TEST(ZoneCheckTest, ParseErrorNamesFileAndLine) {
  std::string bytes;
  auto report = CheckZone(
      "$ORIGIN example.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\nx A 999.1.1.1\n",
      "bad.zone", {}, [&bytes](absl::string_view piece) {
        bytes.append(piece.data(), piece.size());
        return absl::OkStatus();
      });
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(report.status().message(), "bad.zone:4: "))
      << report.status();
  EXPECT_TRUE(bytes.empty());
}

TEST(ZoneCheckTest, EveryParseErrorWithMaxErrors) {
  const std::string text =
      "$ORIGIN example.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\n"
      "x A 999.1.1.1\nns1 A 192.0.2.1\ny FOOBAR 1\nz ( A\n192.0.2.1 ) )\n"
      "w A 192.0.2.2\n";
  CheckOptions options;
  options.max_errors = 100;
  auto out = CheckZoneText(text, "bad.zone", options);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  const std::vector<std::string> lines =
      absl::StrSplit(out.status().message(), '\n');
  ASSERT_EQ(lines.size(), 3u) << out.status();
  EXPECT_TRUE(absl::StartsWith(lines[0], "bad.zone:5: ")) << lines[0];
  EXPECT_TRUE(absl::StartsWith(lines[1], "bad.zone:7: ")) << lines[1];
  EXPECT_TRUE(absl::StartsWith(lines[2], "bad.zone:9: ")) << lines[2];
  // The default: the first error only, as SignZone reports it.
  auto first = CheckZoneText(text, "bad.zone");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().message(), lines[0]);
}

TEST(ZoneCheckTest, ModelErrorNamesFileAndLine) {
  // CNAME beside other data: BuildZone's check, as the signer makes it.
  auto out = CheckZoneText(
      "$ORIGIN example.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\n"
      "ns1 A 192.0.2.1\nw CNAME ns1\nw A 192.0.2.2\n",
      "cname.zone");
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(absl::StartsWith(out.status().message(), "cname.zone:"))
      << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(),
                                "CNAME at w.example. beside other data (A)"))
      << out.status();
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
