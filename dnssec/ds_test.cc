// Fixed vectors from RFC 6605; interop with dnssec-dsfromkey and ldns-key2ds
// on freshly generated keys is in keystore/crypto/bind_key_files_test.
#include "dnssec/ds.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "dnssec/name.h"
#include "dnssec/test_rfc6605_key.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

TEST(DsTest, MatchesRfc6605) {
  absl::StatusOr<std::string> ds = FormatDsRecord(
      "example.net.", 3600, Rfc6605DnskeyRdata(), DigestType::kSha256);
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(*ds,
            "example.net. 3600 IN DS 55648 13 2 "
            "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17");
}

TEST(DsTest, OwnerCaseDoesNotChangeTheDigest) {
  const std::string rdata = Rfc6605DnskeyRdataString();
  absl::StatusOr<std::string> upper =
      ComputeDsDigest(*ParseName("EXAMPLE.Net."), rdata, DigestType::kSha256);
  ASSERT_TRUE(upper.ok()) << upper.status();
  EXPECT_EQ(absl::BytesToHexString(*upper),
            "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17");
  const std::string owner = *ParseName("example.net.");
  EXPECT_EQ(ComputeDsDigest(owner, rdata, DigestType::kSha1)->size(), 20u);
  EXPECT_EQ(ComputeDsDigest(owner, rdata, DigestType::kSha384)->size(), 48u);
}

TEST(DsTest, BuildsRdata) {
  absl::StatusOr<std::string> rdata =
      BuildDsRdata(*ParseName("example.net."), Rfc6605DnskeyRdataString(),
                   DigestType::kSha256);
  ASSERT_TRUE(rdata.ok()) << rdata.status();
  EXPECT_EQ(absl::BytesToHexString(*rdata),
            "d9600d02"
            "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17");
}

TEST(DsTest, RejectsBadInput) {
  const std::string owner = *ParseName("a.");
  EXPECT_FALSE(ComputeDsDigest(owner, std::string("\x01\x01\x03", 3),
                               DigestType::kSha256)
                   .ok());
  EXPECT_FALSE(FormatDsRecord("a.", 1, {1, 1, 2, 13, 5}, DigestType::kSha1)
                   .ok());  // protocol 2
  EXPECT_FALSE(
      FormatDsRecord("a..b", 1, Rfc6605DnskeyRdata(), DigestType::kSha1).ok());
  EXPECT_FALSE(ComputeDsDigest(std::string("\x05"
                                           "ab",
                                           3),
                               Rfc6605DnskeyRdataString(), DigestType::kSha1)
                   .ok());
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
