#include "signer/master_file_test_util.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace signer {
namespace testing {

const char kHead[] =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n";
absl::StatusOr<ParsedZone> Parse(const std::string& body, bool fast) {
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

}  // namespace testing
}  // namespace signer
}  // namespace zonekeep
