// DNSKEY public key fields taken from fresh key pairs (made here, in
// memory) and rebuilt into EVP keys verify the pairs' signatures.
#include "dnssec/public_key.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "dnssec/openssl_ptr.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

EvpPkeyPtr Generate(const AlgorithmSpec& spec) {
  switch (spec.family) {
    case KeyFamily::kRsa:
      return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
    case KeyFamily::kEcdsa:
      return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.group));
    case KeyFamily::kEddsa:
      return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, spec.key_type));
  }
  return nullptr;
}

std::string SignWith(EVP_PKEY* pkey, const AlgorithmSpec& spec,
                     const std::string& data) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EXPECT_EQ(EVP_DigestSignInit_ex(ctx.get(), nullptr, spec.digest, nullptr,
                                  nullptr, pkey, nullptr),
            1);
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size());
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx.get(),
                           reinterpret_cast<unsigned char*>(sig.data()), &len,
                           in, data.size()),
            1);
  sig.resize(len);
  return sig;
}

bool VerifyWith(EVP_PKEY* pkey, const AlgorithmSpec& spec,
                const std::string& data, const std::string& sig) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit_ex(ctx.get(), nullptr, spec.digest, nullptr,
                                 nullptr, pkey, nullptr) == 1 &&
         EVP_DigestVerify(ctx.get(),
                          reinterpret_cast<const unsigned char*>(sig.data()),
                          sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

TEST(PublicKeyTest, RebuiltKeysVerifyTheOriginalsSignatures) {
  for (Algorithm algorithm :
       {Algorithm::kRsaSha256, Algorithm::kRsaSha512,
        Algorithm::kEcdsaP256Sha256, Algorithm::kEcdsaP384Sha384,
        Algorithm::kEd25519, Algorithm::kEd448}) {
    const AlgorithmSpec spec = *SpecOf(algorithm);
    EvpPkeyPtr key = Generate(spec);
    ASSERT_NE(key, nullptr) << spec.mnemonic;
    const std::string data = "signed data";
    const std::string sig = SignWith(key.get(), spec, data);
    absl::StatusOr<EvpPkeyPtr> rebuilt =
        PublicKeyFromDnskey(algorithm, *DnskeyPublicKeyOf(key.get(), algorithm));
    ASSERT_TRUE(rebuilt.ok()) << spec.mnemonic << ": " << rebuilt.status();
    EXPECT_TRUE(VerifyWith(rebuilt->get(), spec, data, sig)) << spec.mnemonic;
    EXPECT_FALSE(VerifyWith(rebuilt->get(), spec, data + "!", sig))
        << spec.mnemonic;
  }
}

TEST(PublicKeyTest, RefusesAKeyOfAnotherAlgorithm) {
  EvpPkeyPtr ed = Generate(*SpecOf(Algorithm::kEd25519));
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
