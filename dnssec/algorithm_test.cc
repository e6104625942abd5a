#include "dnssec/algorithm.h"

#include <optional>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

using ::testing::HasSubstr;

TEST(AlgorithmTest, ParsesNamesAnyCase) {
  EXPECT_EQ(*ParseAlgorithm("ECDSAP256SHA256"), Algorithm::kEcdsaP256Sha256);
  EXPECT_EQ(*ParseAlgorithm("ecdsap384sha384"), Algorithm::kEcdsaP384Sha384);
  EXPECT_EQ(*ParseAlgorithm("RsaSha256"), Algorithm::kRsaSha256);
  EXPECT_EQ(*ParseAlgorithm("rsasha512"), Algorithm::kRsaSha512);
  EXPECT_EQ(*ParseAlgorithm("Ed25519"), Algorithm::kEd25519);
  EXPECT_EQ(*ParseAlgorithm("ED448"), Algorithm::kEd448);
  EXPECT_EQ(*ParseAlgorithm("rsasha1"), Algorithm::kRsaSha1);
  EXPECT_EQ(*ParseAlgorithm("NSEC3RSASHA1"), Algorithm::kNsec3RsaSha1);
  EXPECT_EQ(*ParseAlgorithm("RSASHA1-NSEC3-SHA1"), Algorithm::kNsec3RsaSha1);
}

TEST(AlgorithmTest, ParsesNumbers) {
  EXPECT_EQ(*ParseAlgorithm("5"), Algorithm::kRsaSha1);
  EXPECT_EQ(*ParseAlgorithm("7"), Algorithm::kNsec3RsaSha1);
  EXPECT_EQ(*ParseAlgorithm("8"), Algorithm::kRsaSha256);
  EXPECT_EQ(*ParseAlgorithm("10"), Algorithm::kRsaSha512);
  EXPECT_EQ(*ParseAlgorithm("13"), Algorithm::kEcdsaP256Sha256);
  EXPECT_EQ(*ParseAlgorithm("14"), Algorithm::kEcdsaP384Sha384);
  EXPECT_EQ(*ParseAlgorithm("15"), Algorithm::kEd25519);
  EXPECT_EQ(*ParseAlgorithm("16"), Algorithm::kEd448);
}

TEST(AlgorithmTest, NameRoundTrips) {
  for (Algorithm a :
       {Algorithm::kRsaSha1, Algorithm::kNsec3RsaSha1, Algorithm::kRsaSha256,
        Algorithm::kRsaSha512, Algorithm::kEcdsaP256Sha256,
        Algorithm::kEcdsaP384Sha384, Algorithm::kEd25519, Algorithm::kEd448}) {
    absl::StatusOr<Algorithm> parsed = ParseAlgorithm(AlgorithmName(a));
    ASSERT_TRUE(parsed.ok()) << AlgorithmName(a);
    EXPECT_EQ(*parsed, a);
  }
  EXPECT_EQ(AlgorithmName(Algorithm::kEcdsaP256Sha256), "ECDSAP256SHA256");
}

TEST(AlgorithmTest, UnknownListsAcceptedNames) {
  for (const char* bad :
       {"RSAMD5", "1", "3", "6", "12", "17", "", "ECDSA", "13x", "-13"}) {
    absl::StatusOr<Algorithm> parsed = ParseAlgorithm(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(), HasSubstr("ECDSAP256SHA256"));
    EXPECT_THAT(parsed.status().message(), HasSubstr("ED448"));
    EXPECT_THAT(parsed.status().message(), HasSubstr("RSASHA256"));
  }
}

TEST(AlgorithmTest, LegacyOnlyForImport) {
  EXPECT_FALSE(IsAllowedForNewKeys(Algorithm::kRsaSha1));
  EXPECT_FALSE(IsAllowedForNewKeys(Algorithm::kNsec3RsaSha1));
  EXPECT_TRUE(IsAllowedForNewKeys(Algorithm::kRsaSha256));
  EXPECT_TRUE(IsAllowedForNewKeys(Algorithm::kEd448));
  EXPECT_TRUE(IsRsa(Algorithm::kNsec3RsaSha1));
  EXPECT_TRUE(IsRsa(Algorithm::kRsaSha512));
  EXPECT_FALSE(IsRsa(Algorithm::kEcdsaP256Sha256));
  EXPECT_FALSE(IsRsa(Algorithm::kEd25519));
}

TEST(AlgorithmTest, RsaNeedsBitsInRange) {
  absl::StatusOr<int> none =
      ResolveKeyBits(Algorithm::kRsaSha256, std::nullopt);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(none.status().message(),
            "RSASHA256 needs a key size in bits (1024-4096)");
  EXPECT_FALSE(ResolveKeyBits(Algorithm::kRsaSha256, 1023).ok());
  EXPECT_FALSE(ResolveKeyBits(Algorithm::kRsaSha512, 4097).ok());
  EXPECT_FALSE(ResolveKeyBits(Algorithm::kRsaSha512, 0).ok());
  EXPECT_EQ(*ResolveKeyBits(Algorithm::kRsaSha256, 1024), 1024);
  EXPECT_EQ(*ResolveKeyBits(Algorithm::kRsaSha512, 4096), 4096);
  EXPECT_EQ(*ResolveKeyBits(Algorithm::kRsaSha256, 2048), 2048);
}

TEST(AlgorithmTest, FixedSizesIgnoreBits) {
  EXPECT_EQ(*ResolveKeyBits(Algorithm::kEcdsaP256Sha256, std::nullopt), 256);
  EXPECT_EQ(*ResolveKeyBits(Algorithm::kEcdsaP256Sha256, 2048), 256);
  EXPECT_EQ(*ResolveKeyBits(Algorithm::kEcdsaP384Sha384, 1), 384);
  EXPECT_EQ(*ResolveKeyBits(Algorithm::kEd25519, std::nullopt), 256);
  EXPECT_EQ(*ResolveKeyBits(Algorithm::kEd448, 99999), 456);
}

TEST(AlgorithmTest, SpecsSayWhatOpensslNeeds) {
  const std::optional<AlgorithmSpec> p256 = SpecOf(Algorithm::kEcdsaP256Sha256);
  ASSERT_TRUE(p256.has_value());
  EXPECT_EQ(p256->family, KeyFamily::kEcdsa);
  EXPECT_STREQ(p256->digest, "SHA256");
  EXPECT_STREQ(p256->group, "P-256");
  EXPECT_EQ(p256->component_size, 32u);
  const std::optional<AlgorithmSpec> p384 = SpecOfNumber(14);
  ASSERT_TRUE(p384.has_value());
  EXPECT_STREQ(p384->digest, "SHA384");
  EXPECT_EQ(p384->component_size, 48u);
  EXPECT_EQ(SpecOf(Algorithm::kEd448)->digest, nullptr);
  EXPECT_EQ(SpecOf(Algorithm::kEd448)->component_size, 57u);
  EXPECT_STREQ(SpecOf(Algorithm::kRsaSha512)->digest, "SHA512");
  EXPECT_STREQ(SpecOf(Algorithm::kNsec3RsaSha1)->digest, "SHA1");
  EXPECT_FALSE(SpecOfNumber(1).has_value());    // RSAMD5
  EXPECT_FALSE(SpecOfNumber(253).has_value());  // PRIVATEDNS
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
