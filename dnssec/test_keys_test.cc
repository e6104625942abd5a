#include "dnssec/test_keys.h"

#include <string>
#include <vector>

#include "dnssec/ecdsa_signature.h"
#include "dnssec/key_tag.h"
#include "dnssec/openssl_ptr.h"
#include "dnssec/public_key.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

// The handle's signature verifies with the key rebuilt from the DNSKEY.
bool Verifies(const ZoneKey& key, const std::vector<uint8_t>& data,
              std::vector<uint8_t> sig) {
  const AlgorithmSpec spec = *SpecOf(key.algorithm);
  const std::string rdata(key.dnskey_rdata.begin(), key.dnskey_rdata.end());
  absl::StatusOr<EvpPkeyPtr> pkey =
      PublicKeyFromDnskey(key.algorithm, rdata.substr(4));
  if (!pkey.ok()) return false;
  if (spec.family == KeyFamily::kEcdsa) {
    uint8_t der[kMaxEcdsaDerSize];
    const size_t len = EcdsaRawToDer(sig.data(), spec.component_size, der);
    sig.assign(der, der + len);
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit_ex(ctx.get(), nullptr, spec.digest, nullptr,
                                 nullptr, pkey->get(), nullptr) == 1 &&
         EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(),
                          data.size()) == 1;
}

TEST(TestKeysTest, KeySetsSignAndVerify) {
  for (Algorithm algorithm :
       {Algorithm::kRsaSha256, Algorithm::kEcdsaP256Sha256,
        Algorithm::kEcdsaP384Sha384, Algorithm::kEd25519, Algorithm::kEd448}) {
    absl::StatusOr<std::vector<ZoneKey>> keys = MakeTestKeySet(algorithm);
    ASSERT_TRUE(keys.ok()) << keys.status();
    ASSERT_EQ(keys->size(), 3u);
    EXPECT_EQ((*keys)[0].flags, 257);
    EXPECT_EQ((*keys)[2].signer, nullptr);  // published
    for (int i = 0; i < 2; ++i) {
      const ZoneKey& key = (*keys)[i];
      EXPECT_EQ(key.key_tag, KeyTag(absl::MakeConstSpan(key.dnskey_rdata)));
      const std::vector<uint8_t> data = {1, 2, 3};
      absl::StatusOr<std::vector<uint8_t>> sig = key.signer->Sign(data);
      ASSERT_TRUE(sig.ok()) << sig.status();
      EXPECT_TRUE(Verifies(key, data, *sig)) << AlgorithmName(algorithm);
      EXPECT_FALSE(Verifies(key, {1, 2, 4}, *sig)) << AlgorithmName(algorithm);
    }
  }
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
