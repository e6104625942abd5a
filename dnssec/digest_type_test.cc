#include "dnssec/digest_type.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

using ::testing::HasSubstr;

TEST(DigestTypeTest, ParsesNamesAndNumbers) {
  EXPECT_EQ(*ParseDigestType("SHA-256"), DigestType::kSha256);
  EXPECT_EQ(*ParseDigestType("sha256"), DigestType::kSha256);
  EXPECT_EQ(*ParseDigestType("2"), DigestType::kSha256);
  EXPECT_EQ(*ParseDigestType("SHA-1"), DigestType::kSha1);
  EXPECT_EQ(*ParseDigestType("1"), DigestType::kSha1);
  EXPECT_EQ(*ParseDigestType("Sha-384"), DigestType::kSha384);
  EXPECT_EQ(*ParseDigestType("4"), DigestType::kSha384);
  EXPECT_STREQ(DigestName(DigestType::kSha384), "SHA384");
}

TEST(DigestTypeTest, RefusesOthersListingTheAccepted) {
  for (const char* bad : {"3", "SHA-512", "GOST", "", "0"}) {
    absl::StatusOr<DigestType> d = ParseDigestType(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_THAT(d.status().message(), HasSubstr("SHA-256"));
  }
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
