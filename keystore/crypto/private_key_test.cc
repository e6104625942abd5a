#include "keystore/crypto/private_key.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "dnssec/algorithm.h"
#include "dnssec/openssl_ptr.h"
#include "dnssec/public_key.h"
#include "dnssec/test_verify.h"
#include "dnssec/zone_key.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace keystore {
namespace {

struct Case {
  dnssec::Algorithm algorithm;
  int bits;
  size_t public_key_size;  // 0: RSA, checked separately
  size_t signature_size;
};

const Case kCases[] = {
    {dnssec::Algorithm::kRsaSha256, 1024, 0, 128},
    {dnssec::Algorithm::kRsaSha256, 2048, 0, 256},
    {dnssec::Algorithm::kRsaSha512, 2048, 0, 256},
    {dnssec::Algorithm::kEcdsaP256Sha256, 256, 64, 64},
    {dnssec::Algorithm::kEcdsaP384Sha384, 384, 96, 96},
    {dnssec::Algorithm::kEd25519, 256, 32, 64},
    {dnssec::Algorithm::kEd448, 456, 57, 114},
};

std::vector<uint8_t> RandomBytes(size_t n) {
  std::vector<uint8_t> out(n);
  EXPECT_EQ(RAND_bytes(out.data(), static_cast<int>(n)), 1);
  return out;
}

class PrivateKeyTest : public ::testing::TestWithParam<Case> {};

TEST_P(PrivateKeyTest, SignaturesVerifyWithDnskeyPublicKey) {
  const Case& c = GetParam();
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(c.algorithm, c.bits);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->algorithm(), c.algorithm);
  EXPECT_EQ(key->bits(), c.bits);
  const std::vector<uint8_t> pub = key->DnskeyPublicKey();
  if (c.public_key_size != 0) {
    EXPECT_EQ(pub.size(), c.public_key_size);
  } else {
    // RFC 3110: 1-byte exponent length, e = 65537, then the modulus.
    ASSERT_GT(pub.size(), 4u);
    EXPECT_EQ(pub[0], 3);
    EXPECT_EQ(std::vector<uint8_t>(pub.begin() + 1, pub.begin() + 4),
              (std::vector<uint8_t>{0x01, 0x00, 0x01}));
    EXPECT_EQ(pub.size(), 4u + c.bits / 8);
  }
  for (size_t size : {0, 1, 100, 5000}) {
    std::vector<uint8_t> data = RandomBytes(size);
    absl::StatusOr<std::vector<uint8_t>> sig = key->Sign(data);
    ASSERT_TRUE(sig.ok()) << sig.status();
    EXPECT_EQ(sig->size(), c.signature_size);
    EXPECT_TRUE(dnssec::VerifyDnssec(c.algorithm, pub, data, *sig)) << size;
    if (size > 0) {
      data[size / 2] ^= 0x01;
      EXPECT_FALSE(dnssec::VerifyDnssec(c.algorithm, pub, data, *sig)) << size;
      data[size / 2] ^= 0x01;
    }
    std::vector<uint8_t> bad_sig = *sig;
    bad_sig[bad_sig.size() - 1] ^= 0x80;
    EXPECT_FALSE(dnssec::VerifyDnssec(c.algorithm, pub, data, bad_sig));
  }
}

TEST_P(PrivateKeyTest, Pkcs8RoundTrip) {
  const Case& c = GetParam();
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(c.algorithm, c.bits);
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<SecretBytes> der = key->ExportPkcs8ForSealing();
  ASSERT_TRUE(der.ok()) << der.status();
  absl::StatusOr<PrivateKey> back = PrivateKey::FromPkcs8(c.algorithm, *der);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->DnskeyPublicKey(), key->DnskeyPublicKey());
  const std::vector<uint8_t> data = RandomBytes(64);
  absl::StatusOr<std::vector<uint8_t>> sig = back->Sign(data);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(
      dnssec::VerifyDnssec(c.algorithm, key->DnskeyPublicKey(), data, *sig));

  // The wrong algorithm for this key type or curve is refused.
  for (dnssec::Algorithm other :
       {dnssec::Algorithm::kRsaSha256, dnssec::Algorithm::kEcdsaP256Sha256,
        dnssec::Algorithm::kEcdsaP384Sha384, dnssec::Algorithm::kEd25519,
        dnssec::Algorithm::kEd448}) {
    if (other == c.algorithm ||
        (dnssec::IsRsa(other) && dnssec::IsRsa(c.algorithm)))
      continue;
    absl::StatusOr<PrivateKey> wrong = PrivateKey::FromPkcs8(other, *der);
    EXPECT_FALSE(wrong.ok()) << dnssec::AlgorithmName(other);
    if (!wrong.ok()) {
      EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST_P(PrivateKeyTest, SigningHandleSignsFromTwoThreads) {
  const Case& c = GetParam();
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(c.algorithm, c.bits);
  ASSERT_TRUE(key.ok()) << key.status();
  const std::vector<uint8_t> pub = key->DnskeyPublicKey();
  std::shared_ptr<const dnssec::SigningHandle> handle =
      PrivateKey::IntoSigningHandle(*std::move(key));
  ASSERT_NE(handle, nullptr);
  constexpr int kPerThread = 20;
  std::vector<std::vector<uint8_t>> data(2 * kPerThread);
  std::vector<absl::StatusOr<std::vector<uint8_t>>> sigs(2 * kPerThread);
  for (auto& d : data) d = RandomBytes(200);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t * kPerThread; i < (t + 1) * kPerThread; ++i) {
        sigs[i] = handle->Sign(data[i]);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < data.size(); ++i) {
    ASSERT_TRUE(sigs[i].ok()) << sigs[i].status();
    EXPECT_TRUE(dnssec::VerifyDnssec(c.algorithm, pub, data[i], *sigs[i])) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, PrivateKeyTest,
                         ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return dnssec::AlgorithmName(info.param.algorithm) +
                                  "_" + std::to_string(info.param.bits);
                         });

TEST(PrivateKeyLegacyTest, GenerateRefusesImportOnlyAlgorithms) {
  EXPECT_FALSE(PrivateKey::Generate(dnssec::Algorithm::kRsaSha1, 2048).ok());
  EXPECT_FALSE(
      PrivateKey::Generate(dnssec::Algorithm::kNsec3RsaSha1, 2048).ok());
}

TEST(PrivateKeyLegacyTest, ImportedRsaSha1SignsWithSha1) {
  absl::StatusOr<PrivateKey> key =
      PrivateKey::Generate(dnssec::Algorithm::kRsaSha256, 1024);
  ASSERT_TRUE(key.ok());
  absl::StatusOr<SecretBytes> der = key->ExportPkcs8ForSealing();
  ASSERT_TRUE(der.ok());
  for (dnssec::Algorithm legacy :
       {dnssec::Algorithm::kRsaSha1, dnssec::Algorithm::kNsec3RsaSha1}) {
    absl::StatusOr<PrivateKey> sha1 = PrivateKey::FromPkcs8(legacy, *der);
    ASSERT_TRUE(sha1.ok()) << sha1.status();
    const std::vector<uint8_t> data = RandomBytes(99);
    absl::StatusOr<std::vector<uint8_t>> sig = sha1->Sign(data);
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(
        dnssec::VerifyDnssec(legacy, sha1->DnskeyPublicKey(), data, *sig));
    // Not a SHA-256 signature.
    EXPECT_FALSE(dnssec::VerifyDnssec(dnssec::Algorithm::kRsaSha256,
                                      sha1->DnskeyPublicKey(), data, *sig));
  }
}

TEST(PrivateKeyErrorsTest, RejectsBadInput) {
  EXPECT_FALSE(PrivateKey::Generate(dnssec::Algorithm::kRsaSha256, 512).ok());
  EXPECT_FALSE(PrivateKey::Generate(dnssec::Algorithm::kRsaSha256, 8192).ok());
  SecretBytes garbage = {0x30, 0x03, 0x02, 0x01, 0x00};
  absl::StatusOr<PrivateKey> bad =
      PrivateKey::FromPkcs8(dnssec::Algorithm::kEd25519, garbage);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(
      PrivateKey::FromPkcs8(dnssec::Algorithm::kEd25519, SecretBytes()).ok());
  EXPECT_FALSE(
      PrivateKey::FromEvpPkey(dnssec::Algorithm::kEd25519, dnssec::EvpPkeyPtr())
          .ok());
  // A public-only key is not a private key.
  absl::StatusOr<PrivateKey> key =
      PrivateKey::Generate(dnssec::Algorithm::kEd25519, 256);
  ASSERT_TRUE(key.ok());
  const std::vector<uint8_t> pub = key->DnskeyPublicKey();
  EXPECT_FALSE(PrivateKey::FromEvpPkey(dnssec::Algorithm::kEd25519,
                                       *dnssec::PublicKeyFromDnskey(
                                           dnssec::Algorithm::kEd25519,
                                           std::string(pub.begin(), pub.end())))
                   .ok());
  // Trailing bytes after the PKCS#8 structure are refused.
  absl::StatusOr<SecretBytes> der = key->ExportPkcs8ForSealing();
  ASSERT_TRUE(der.ok());
  der->push_back(0);
  EXPECT_FALSE(PrivateKey::FromPkcs8(dnssec::Algorithm::kEd25519, *der).ok());
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
