// DnskeyVerifier: the same verdicts before and after the ECDSA table is in
// use, one at a time and in batches, and the EVP path for EdDSA. Keys are
// made at test time, in memory only.
#include "signer/dnskey_verifier.h"

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "signer/test_ecdsa_key.h"

namespace zonekeep {
namespace signer {
namespace {

struct Signed {
  std::string data;
  std::string signature;
  bool valid;
};

// Valid and invalid items in a fixed pattern: item i is bad if i % 3 == 1
// (corrupted r) or i % 7 == 2 (signature over other data).
std::vector<Signed> MakeItems(const EcdsaTestKey& key, int count) {
  std::vector<Signed> items;
  for (int i = 0; i < count; ++i) {
    Signed item{absl::StrCat("data ", i), "", true};
    item.signature = key.Sign(item.data);
    if (i % 3 == 1) {
      item.signature[4] = static_cast<char>(item.signature[4] ^ 0x10);
      item.valid = false;
    } else if (i % 7 == 2) {
      item.data += "!";
      item.valid = false;
    }
    items.push_back(std::move(item));
  }
  return items;
}

// Checks items[begin, end) as one batch and one by one.
void ExpectVerdicts(const DnskeyVerifier& verifier,
                    const std::vector<Signed>& items, size_t begin,
                    size_t end) {
  std::vector<DnskeyVerifier::Item> batch;
  for (size_t i = begin; i < end; ++i) {
    batch.push_back({items[i].data, items[i].signature});
  }
  const std::vector<bool> verdicts = verifier.VerifyBatch(batch);
  ASSERT_EQ(verdicts.size(), end - begin);
  for (size_t i = begin; i < end; ++i) {
    EXPECT_EQ(verdicts[i - begin], items[i].valid) << "batch item " << i;
    EXPECT_EQ(verifier.Verify(items[i].data, items[i].signature),
              items[i].valid)
        << "item " << i;
  }
}

class DnskeyVerifierEcdsaTest : public ::testing::TestWithParam<uint8_t> {
 protected:
  void SetUp() override {
    auto key =
        EcdsaTestKey::Generate(static_cast<dnssec::Algorithm>(GetParam()));
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::make_unique<EcdsaTestKey>(*std::move(key));
  }
  std::unique_ptr<EcdsaTestKey> key_;
};

TEST_P(DnskeyVerifierEcdsaTest, SameVerdictsBeforeAndAfterTheLazyTable) {
  auto verifier = DnskeyVerifier::Create(key_->DnskeyRdata());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ(static_cast<int>(verifier->algorithm()), GetParam());
  const std::vector<Signed> items = MakeItems(*key_, 700);
  // Batch and single verifies both count: 2 * 200 signatures, no table yet.
  ExpectVerdicts(*verifier, items, 0, 200);
  EXPECT_FALSE(verifier->ecdsa_table_ready());
  // Past 512: the table gets built and used.
  ExpectVerdicts(*verifier, items, 200, 400);
  EXPECT_TRUE(verifier->ecdsa_table_ready());
  ExpectVerdicts(*verifier, items, 400, 700);
}

TEST_P(DnskeyVerifierEcdsaTest, CopiesShareTheTable) {
  auto verifier = DnskeyVerifier::Create(key_->DnskeyRdata());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  const DnskeyVerifier copy = *verifier;
  EXPECT_FALSE(copy.ecdsa_table_ready());
  ASSERT_TRUE(verifier->PrepareEcdsaTable());
  EXPECT_TRUE(copy.ecdsa_table_ready());
  ExpectVerdicts(copy, MakeItems(*key_, 64), 0, 64);
}

TEST_P(DnskeyVerifierEcdsaTest, WrongLengthsAndOtherKeys) {
  auto verifier = DnskeyVerifier::Create(key_->DnskeyRdata());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  auto other =
      EcdsaTestKey::Generate(static_cast<dnssec::Algorithm>(GetParam()));
  ASSERT_TRUE(other.ok()) << other.status();
  const std::string data = "data";
  const std::string sig = key_->Sign(data);
  for (bool table : {false, true}) {
    if (table) ASSERT_TRUE(verifier->PrepareEcdsaTable());
    EXPECT_TRUE(verifier->Verify(data, sig));
    EXPECT_FALSE(verifier->Verify(data, sig.substr(1)));
    EXPECT_FALSE(verifier->Verify(data, sig + '\0'));
    EXPECT_FALSE(verifier->Verify(data, ""));
    EXPECT_FALSE(verifier->Verify(data, other->Sign(data)));
  }
}

INSTANTIATE_TEST_SUITE_P(Curves, DnskeyVerifierEcdsaTest,
                         ::testing::Values(13, 14),
                         [](const ::testing::TestParamInfo<uint8_t>& info) {
                           return info.param == 13 ? "P256" : "P384";
                         });

TEST(DnskeyVerifierTest, Ed25519StaysOnEvp) {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> pkey(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
  ASSERT_NE(pkey, nullptr);
  unsigned char pub[32];
  size_t pub_len = sizeof(pub);
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(pkey.get(), pub, &pub_len), 1);
  const std::string rdata =
      std::string("\x01\x00\x03\x0f", 4) +
      std::string(reinterpret_cast<const char*>(pub), pub_len);
  auto verifier = DnskeyVerifier::Create(rdata);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_FALSE(verifier->PrepareEcdsaTable());
  std::vector<Signed> items;
  for (int i = 0; i < 20; ++i) {
    Signed item{absl::StrCat("data ", i), std::string(64, '\0'), i % 4 != 3};
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(),
                                                           EVP_MD_CTX_free);
    size_t sig_len = item.signature.size();
    ASSERT_EQ(
        EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()),
        1);
    ASSERT_EQ(
        EVP_DigestSign(
            ctx.get(), reinterpret_cast<unsigned char*>(&item.signature[0]),
            &sig_len, reinterpret_cast<const unsigned char*>(item.data.data()),
            item.data.size()),
        1);
    if (!item.valid) item.signature[10] ^= 1;
    items.push_back(std::move(item));
  }
  ExpectVerdicts(*verifier, items, 0, items.size());
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
