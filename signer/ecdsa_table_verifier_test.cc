// EcdsaTableVerifier must give OpenSSL's verdicts (EVP_DigestVerify) for
// keys made at test time: valid signatures, one-bit corruptions of r, s and
// the data, edge values of r and s, other keys' signatures, wrong lengths,
// and batches that mix them.
#include "signer/ecdsa_table_verifier.h"

#include <openssl/bn.h>

#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "signer/test_ecdsa_key.h"

namespace zonekeep {
namespace signer {
namespace {

using Verdict = EcdsaTableVerifier::Verdict;

constexpr int kMessages = 520;

struct Case {
  std::string data;
  std::string signature;
  bool valid;         // the expected verdict, checked against EVP too
  std::string label;  // for failure messages
};

std::string FlipBit(std::string s, size_t bit) {
  s[bit / 8] = static_cast<char>(s[bit / 8] ^ (1 << (bit % 8)));
  return s;
}

// n - s, as `size` big-endian bytes: (r, n - s) is as valid as (r, s).
std::string Negate(absl::string_view s, const std::string& order) {
  const auto* n_bytes = reinterpret_cast<const unsigned char*>(order.data());
  const auto* s_bytes = reinterpret_cast<const unsigned char*>(s.data());
  BIGNUM* n = BN_bin2bn(n_bytes, static_cast<int>(order.size()), nullptr);
  BIGNUM* v = BN_bin2bn(s_bytes, static_cast<int>(s.size()), nullptr);
  std::string out(order.size(), '\0');
  if (n != nullptr && v != nullptr && BN_sub(v, n, v) == 1) {
    BN_bn2binpad(v, reinterpret_cast<unsigned char*>(&out[0]),
                 static_cast<int>(out.size()));
  }
  BN_free(n);
  BN_free(v);
  return out;
}

class EcdsaTableVerifierTest : public ::testing::TestWithParam<uint8_t> {
 protected:
  void SetUp() override {
    auto key =
        EcdsaTestKey::Generate(static_cast<dnssec::Algorithm>(GetParam()));
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::make_unique<EcdsaTestKey>(*std::move(key));
    auto verifier = EcdsaTableVerifier::Create(curve(), key_->public_key());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = std::make_unique<EcdsaTableVerifier>(*std::move(verifier));
    ASSERT_EQ(verifier_->size(), key_->size());
  }

  EcdsaTableVerifier::Curve curve() const {
    return GetParam() == 13 ? EcdsaTableVerifier::Curve::kP256
                            : EcdsaTableVerifier::Curve::kP384;
  }

  // EVP must give each case its expected verdict (so the cases mean what
  // they say), and the table verifier must agree, one at a time and in
  // batches of several sizes.
  void ExpectAgreement(const std::vector<Case>& cases) {
    std::vector<std::string> digests;
    for (const Case& c : cases) {
      ASSERT_EQ(key_->EvpVerify(c.data, c.signature), c.valid) << c.label;
      digests.push_back(key_->Digest(c.data));
    }
    for (size_t i = 0; i < cases.size(); ++i) {
      EXPECT_EQ(verifier_->Verify(digests[i], cases[i].signature),
                cases[i].valid ? Verdict::kValid : Verdict::kInvalid)
          << cases[i].label;
    }
    const size_t batch_sizes[] = {1, 2, 7, 64, 200};
    size_t pos = 0;
    for (int round = 0; pos < cases.size(); ++round) {
      const size_t end = std::min(cases.size(), pos + batch_sizes[round % 5]);
      std::vector<EcdsaTableVerifier::Item> items;
      for (size_t i = pos; i < end; ++i) {
        items.push_back({digests[i], cases[i].signature});
      }
      const std::vector<Verdict> verdicts = verifier_->VerifyBatch(items);
      ASSERT_EQ(verdicts.size(), items.size());
      for (size_t i = pos; i < end; ++i) {
        EXPECT_EQ(verdicts[i - pos],
                  cases[i].valid ? Verdict::kValid : Verdict::kInvalid)
            << cases[i].label << " in batch [" << pos << ", " << end << ")";
      }
      pos = end;
    }
  }

  std::unique_ptr<EcdsaTestKey> key_;
  std::unique_ptr<EcdsaTableVerifier> verifier_;
};

TEST_P(EcdsaTableVerifierTest, RandomMessagesAndOneBitCorruptions) {
  std::mt19937_64 rng(GetParam());
  const size_t bits = 8 * key_->size();
  std::vector<Case> cases;
  for (int m = 0; m < kMessages; ++m) {
    std::string data(rng() % 300, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    const std::string sig = key_->Sign(data);
    ASSERT_EQ(sig.size(), 2 * key_->size());
    const std::string id = absl::StrCat("message ", m);
    cases.push_back({data, sig, true, id + " valid"});
    cases.push_back(
        {data, FlipBit(sig, rng() % bits), false, id + " bit of r flipped"});
    cases.push_back({data, FlipBit(sig, bits + rng() % bits), false,
                     id + " bit of s flipped"});
    cases.push_back({data.empty() ? std::string(1, '\0')
                                  : FlipBit(data, rng() % (8 * data.size())),
                     sig, false, id + " bit of data flipped"});
    const std::string r = sig.substr(0, key_->size());
    cases.push_back({data, r + Negate(sig.substr(key_->size()), key_->order()),
                     true, id + " s replaced by n - s"});
  }
  ExpectAgreement(cases);
}

TEST_P(EcdsaTableVerifierTest, EdgeValuesOfRAndS) {
  const std::string data = "edge values";
  const std::string sig = key_->Sign(data);
  ASSERT_FALSE(sig.empty());
  const size_t size = key_->size();
  const std::string r = sig.substr(0, size);
  const std::string s = sig.substr(size);
  const std::string zero(size, '\0');
  const std::string ones(size, '\xff');
  const std::string& n = key_->order();
  std::string n_minus_1 = n;
  n_minus_1.back() = static_cast<char>(n_minus_1.back() - 1);  // n is odd
  ExpectAgreement({
      {data, r + s, true, "valid"},
      {data, zero + s, false, "r = 0"},
      {data, r + zero, false, "s = 0"},
      {data, zero + zero, false, "r = s = 0"},
      {data, n + s, false, "r = n"},
      {data, r + n, false, "s = n"},
      {data, ones + s, false, "r all ones"},
      {data, r + ones, false, "s all ones"},
      {data, n_minus_1 + s, false, "r = n - 1"},
      {data, r + n_minus_1, false, "s = n - 1"},
      {data, s + r, false, "r and s swapped"},
  });
}

TEST_P(EcdsaTableVerifierTest, OtherKeysSignatureIsInvalid) {
  auto other =
      EcdsaTestKey::Generate(static_cast<dnssec::Algorithm>(GetParam()));
  ASSERT_TRUE(other.ok()) << other.status();
  const std::string data = "signed by someone else";
  ExpectAgreement({{data, other->Sign(data), false, "other key"},
                   {data, key_->Sign(data), true, "this key"}});
}

TEST_P(EcdsaTableVerifierTest, WrongLengths) {
  const std::string data = "lengths";
  const std::string sig = key_->Sign(data);
  const std::string digest = key_->Digest(data);
  ASSERT_EQ(verifier_->Verify(digest, sig), Verdict::kValid);
  EXPECT_EQ(verifier_->Verify(digest, sig.substr(1)), Verdict::kInvalid);
  EXPECT_EQ(verifier_->Verify(digest, sig + '\0'), Verdict::kInvalid);
  EXPECT_EQ(verifier_->Verify(digest, '\0' + sig), Verdict::kInvalid);
  EXPECT_EQ(verifier_->Verify(digest, ""), Verdict::kInvalid);
  // A digest of the wrong size is the caller's bug: undecided, not valid.
  EXPECT_EQ(verifier_->Verify(digest.substr(1), sig), Verdict::kError);
  EXPECT_EQ(verifier_->Verify(digest + 'x', sig), Verdict::kError);
  EXPECT_EQ(verifier_->Verify("", sig), Verdict::kError);
}

TEST_P(EcdsaTableVerifierTest, BatchFlagsExactlyTheBadItems) {
  std::vector<std::string> data, digests, sigs;
  for (int i = 0; i < 64; ++i) {
    data.push_back(absl::StrCat("rrset ", i));
    digests.push_back(key_->Digest(data.back()));
    sigs.push_back(key_->Sign(data.back()));
  }
  const size_t size = key_->size();
  // Bad items of every kind, at the ends and in between.
  std::vector<bool> bad(64, false);
  sigs[0] = FlipBit(sigs[0], 3);
  sigs[5] = sigs[5].substr(0, size) + std::string(size, '\0');
  sigs[17] = sigs[18];  // another message's signature
  sigs[31] = key_->order() + sigs[31].substr(size);
  digests[40] = key_->Digest("not what was signed");
  sigs[63] = FlipBit(sigs[63], 8 * size + 100);
  for (int i : {0, 5, 17, 31, 40, 63}) bad[i] = true;
  std::vector<EcdsaTableVerifier::Item> items;
  for (int i = 0; i < 64; ++i) items.push_back({digests[i], sigs[i]});
  const std::vector<Verdict> verdicts = verifier_->VerifyBatch(items);
  ASSERT_EQ(verdicts.size(), 64u);
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(verdicts[i], bad[i] ? Verdict::kInvalid : Verdict::kValid)
        << "item " << i;
  }
  // All bad, and a single good item among bad ones.
  std::vector<EcdsaTableVerifier::Item> all_bad, one_good;
  for (int i : {0, 5, 17, 31, 40, 63}) all_bad.push_back(items[i]);
  one_good = all_bad;
  one_good.insert(one_good.begin() + 3, items[9]);
  EXPECT_EQ(verifier_->VerifyBatch(all_bad),
            std::vector<Verdict>(6, Verdict::kInvalid));
  std::vector<Verdict> want(7, Verdict::kInvalid);
  want[3] = Verdict::kValid;
  EXPECT_EQ(verifier_->VerifyBatch(one_good), want);
  EXPECT_TRUE(verifier_->VerifyBatch({}).empty());
}

TEST_P(EcdsaTableVerifierTest, RefusesPublicKeysOffTheCurve) {
  const std::string& key = key_->public_key();
  std::string off_curve = FlipBit(key, 8 * key.size() - 1);  // low bit of y
  EXPECT_TRUE(absl::IsInvalidArgument(
      EcdsaTableVerifier::Create(curve(), off_curve).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      EcdsaTableVerifier::Create(curve(), std::string(key.size(), '\0'))
          .status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      EcdsaTableVerifier::Create(curve(), key.substr(1)).status()));
}

INSTANTIATE_TEST_SUITE_P(Curves, EcdsaTableVerifierTest,
                         ::testing::Values(13, 14),
                         [](const ::testing::TestParamInfo<uint8_t>& info) {
                           return info.param == 13 ? "P256" : "P384";
                         });

}  // namespace
}  // namespace signer
}  // namespace zonekeep
