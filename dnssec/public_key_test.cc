#include "dnssec/public_key.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "dnssec/openssl_ptr.h"
#include "dnssec/test_keys.h"
#include "dnssec/test_verify.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

// Fresh test keys: their DNSKEY public key field (DnskeyPublicKeyOf) rebuilt
// into an EVP key (PublicKeyFromDnskey) verifies their signatures.
TEST(PublicKeyTest, RoundTripVerifiesTheKeysSignatures) {
  for (Algorithm algorithm :
       {Algorithm::kRsaSha256, Algorithm::kRsaSha512,
        Algorithm::kEcdsaP256Sha256, Algorithm::kEcdsaP384Sha384,
        Algorithm::kEd25519, Algorithm::kEd448}) {
    absl::StatusOr<ZoneKey> key =
        MakeTestKey(algorithm, KeyRole::kZsk, KeyState::kActive);
    ASSERT_TRUE(key.ok()) << key.status();
    const std::vector<uint8_t> pub(key->dnskey_rdata.begin() + 4,
                                   key->dnskey_rdata.end());
    const std::vector<uint8_t> data = {'s', 'i', 'g', 'n', 'e', 'd'};
    absl::StatusOr<std::vector<uint8_t>> sig = key->signer->Sign(data);
    ASSERT_TRUE(sig.ok()) << sig.status();
    EXPECT_TRUE(VerifyDnssec(algorithm, pub, data, *sig))
        << AlgorithmName(algorithm);
    std::vector<uint8_t> other = data;
    other[0] ^= 1;
    EXPECT_FALSE(VerifyDnssec(algorithm, pub, other, *sig))
        << AlgorithmName(algorithm);
  }
}

TEST(PublicKeyTest, RefusesAKeyOfAnotherAlgorithm) {
  EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_TRUE(absl::IsInvalidArgument(
      DnskeyPublicKeyOf(ed.get(), Algorithm::kEcdsaP256Sha256).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      DnskeyPublicKeyOf(ed.get(), Algorithm::kEd448).status()));
  EXPECT_EQ(DnskeyPublicKeyOf(ed.get(), Algorithm::kEd25519)->size(), 32u);
}

TEST(PublicKeyTest, RefusesMalformedKeys) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      PublicKeyFromDnskey(Algorithm::kEcdsaP256Sha256, std::string(63, 'x'))
          .status()));
  // 64 octets that are not a point on P-256.
  EXPECT_FALSE(
      PublicKeyFromDnskey(Algorithm::kEcdsaP256Sha256, std::string(64, '\x01'))
          .ok());
  EXPECT_FALSE(
      PublicKeyFromDnskey(Algorithm::kEd25519, std::string(31, 'x')).ok());
  EXPECT_FALSE(PublicKeyFromDnskey(Algorithm::kRsaSha256, "").ok());
  EXPECT_FALSE(
      PublicKeyFromDnskey(Algorithm::kRsaSha256, std::string("\x03\x01", 2))
          .ok());
  EXPECT_TRUE(absl::IsUnimplemented(
      PublicKeyFromDnskey(static_cast<Algorithm>(1), "abc").status()));
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
