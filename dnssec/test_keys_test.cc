#include "dnssec/test_keys.h"

#include <string>
#include <vector>

#include "dnssec/key_tag.h"
#include "dnssec/test_verify.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

bool Verifies(const ZoneKey& key, const std::vector<uint8_t>& data,
              const std::vector<uint8_t>& sig) {
  return VerifyDnssec(key.algorithm,
                      std::vector<uint8_t>(key.dnskey_rdata.begin() + 4,
                                           key.dnskey_rdata.end()),
                      data, sig);
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
