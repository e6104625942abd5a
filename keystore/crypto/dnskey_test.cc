// Unit tests for dnskey.h with fixed vectors; interop with dnssec-dsfromkey
// and ldns-key2ds on freshly generated keys is in bind_key_files_test.
#include "keystore/crypto/dnskey.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace {

using ::testing::HasSubstr;

std::vector<uint8_t> FromBase64(const std::string& b64) {
  std::string raw;
  EXPECT_TRUE(absl::Base64Unescape(b64, &raw));
  return std::vector<uint8_t>(raw.begin(), raw.end());
}

// RFC 6605 section 6.1 example (ECDSAP256SHA256 KSK of example.net.).
constexpr char kRfc6605Key[] =
    "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+"
    "e+MAnLr+Wi9xMWyQLc8NAA==";

std::vector<uint8_t> Rfc6605Rdata() {
  return BuildDnskeyRdata(kKskFlags, Algorithm::kEcdsaP256Sha256,
                          FromBase64(kRfc6605Key));
}

TEST(DnskeyTest, BuildsRdata) {
  const std::vector<uint8_t> rdata =
      BuildDnskeyRdata(kZskFlags, Algorithm::kEd25519, {1, 2, 3});
  EXPECT_EQ(rdata, (std::vector<uint8_t>{0x01, 0x00, 3, 15, 1, 2, 3}));
  EXPECT_EQ(Rfc6605Rdata()[1], 0x01);  // SEP bit
}

TEST(DnskeyTest, KeyTagMatchesRfc6605) {
  EXPECT_EQ(ComputeKeyTag(Rfc6605Rdata()), 55648);
}

TEST(DnskeyTest, DsMatchesRfc6605) {
  absl::StatusOr<std::string> ds =
      FormatDsRecord("example.net.", 3600, Rfc6605Rdata(), DigestType::kSha256);
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(*ds,
            "example.net. 3600 IN DS 55648 13 2 "
            "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17");
  // Owner case and missing final dot do not change the digest.
  absl::StatusOr<std::vector<uint8_t>> a =
      ComputeDsDigest("EXAMPLE.Net", Rfc6605Rdata(), DigestType::kSha256);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(absl::BytesToHexString(std::string(a->begin(), a->end())),
            "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17");
  absl::StatusOr<std::vector<uint8_t>> sha1 =
      ComputeDsDigest("example.net.", Rfc6605Rdata(), DigestType::kSha1);
  ASSERT_TRUE(sha1.ok());
  EXPECT_EQ(sha1->size(), 20u);
  absl::StatusOr<std::vector<uint8_t>> sha384 =
      ComputeDsDigest("example.net.", Rfc6605Rdata(), DigestType::kSha384);
  ASSERT_TRUE(sha384.ok());
  EXPECT_EQ(sha384->size(), 48u);
}

TEST(DnskeyTest, FormatsDnskeyOnOneLine) {
  absl::StatusOr<std::string> text =
      FormatDnskeyRecord("Example.NET", 300, Rfc6605Rdata());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            std::string("example.net. 300 IN DNSKEY 257 3 13 ") + kRfc6605Key);
}

TEST(DnskeyTest, RejectsShortRdata) {
  EXPECT_FALSE(FormatDnskeyRecord("a.", 1, {1, 1, 3, 13}).ok());
  EXPECT_FALSE(ComputeDsDigest("a.", {1, 1, 3}, DigestType::kSha256).ok());
  EXPECT_FALSE(FormatDsRecord("a.", 1, {1, 1, 2, 13, 5}, DigestType::kSha1)
                   .ok());  // protocol 2
}

TEST(DnskeyTest, ParsesDigestTypes) {
  EXPECT_EQ(*ParseDigestType("SHA-256"), DigestType::kSha256);
  EXPECT_EQ(*ParseDigestType("sha256"), DigestType::kSha256);
  EXPECT_EQ(*ParseDigestType("2"), DigestType::kSha256);
  EXPECT_EQ(*ParseDigestType("SHA-1"), DigestType::kSha1);
  EXPECT_EQ(*ParseDigestType("1"), DigestType::kSha1);
  EXPECT_EQ(*ParseDigestType("Sha-384"), DigestType::kSha384);
  EXPECT_EQ(*ParseDigestType("4"), DigestType::kSha384);
  for (const char* bad : {"3", "SHA-512", "GOST", "", "0"}) {
    absl::StatusOr<DigestType> d = ParseDigestType(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_THAT(d.status().message(), HasSubstr("SHA-256"));
  }
}

TEST(DnskeyTest, CanonicalNames) {
  EXPECT_EQ(*NormalizeZoneName("Example.COM"), "example.com.");
  EXPECT_EQ(*NormalizeZoneName("example.com."), "example.com.");
  EXPECT_EQ(*NormalizeZoneName("."), ".");
  absl::StatusOr<std::vector<uint8_t>> wire = CanonicalNameWire("A.b.");
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(*wire, (std::vector<uint8_t>{1, 'a', 1, 'b', 0}));
}

TEST(DnskeyTest, RejectsInvalidNames) {
  const std::string long_label(64, 'a');
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'b') + ".";
  for (const std::string& bad :
       {std::string(""), std::string("a..b"), std::string(".a"),
        std::string("a.."), long_label + ".com", long_name}) {
    absl::StatusOr<std::string> n = NormalizeZoneName(bad);
    EXPECT_FALSE(n.ok()) << bad;
    if (!n.ok()) {
      EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
    }
    EXPECT_FALSE(CanonicalNameWire(bad).ok()) << bad;
  }
  // 63 is the longest label allowed.
  EXPECT_TRUE(NormalizeZoneName(std::string(63, 'a') + ".com").ok());
}

TEST(DnskeyTest, KeyTagOddLengthAndCarry) {
  // RFC 4034 appendix B by hand: 0x0101 + 0x030d + 0xff00 = 0x1030e,
  // carry folded in: 0x030e + 1.
  EXPECT_EQ(ComputeKeyTag({0x01, 0x01, 0x03, 0x0d, 0xff}), 0x030f);
}

}  // namespace
}  // namespace zonekeep
