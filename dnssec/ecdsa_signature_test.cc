#include "dnssec/ecdsa_signature.h"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <cstdint>
#include <random>
#include <vector>

#include "dnssec/openssl_ptr.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

// OpenSSL's encoder as the reference for the hand-written one.
std::vector<uint8_t> OpensslDer(const std::vector<uint8_t>& raw) {
  const size_t half = raw.size() / 2;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  ECDSA_SIG_set0(sig.get(), BN_bin2bn(raw.data(), half, nullptr),
                 BN_bin2bn(raw.data() + half, half, nullptr));
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

TEST(EcdsaSignatureTest, RoundTripsAgainstOpenssl) {
  std::mt19937 rng(7);
  for (size_t size : {32, 48}) {
    for (int i = 0; i < 500; ++i) {
      std::vector<uint8_t> raw(2 * size);
      for (uint8_t& b : raw) b = static_cast<uint8_t>(rng());
      // Leading zeros and high bits, the cases DER pads or strips.
      if (i % 5 == 0) raw[0] = 0;
      if (i % 7 == 0) raw[size] = 0x80;
      if (i % 11 == 0) std::fill(raw.begin(), raw.begin() + size - 1, 0);
      uint8_t der[kMaxEcdsaDerSize];
      const size_t der_len = EcdsaRawToDer(raw.data(), size, der);
      EXPECT_EQ(std::vector<uint8_t>(der, der + der_len), OpensslDer(raw));
      absl::StatusOr<std::vector<uint8_t>> back =
          EcdsaDerToRaw(der, der_len, size);
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(*back, raw);
    }
  }
}

TEST(EcdsaSignatureTest, RejectsMalformedDer) {
  const std::vector<uint8_t> garbage = {0x30, 0x03, 0x02, 0x01};
  EXPECT_FALSE(EcdsaDerToRaw(garbage.data(), garbage.size(), 32).ok());
  // A component longer than the curve allows.
  std::vector<uint8_t> raw(2 * 48, 0x7f);
  uint8_t der[kMaxEcdsaDerSize];
  const size_t der_len = EcdsaRawToDer(raw.data(), 48, der);
  EXPECT_FALSE(EcdsaDerToRaw(der, der_len, 32).ok());
  EXPECT_FALSE(EcdsaDerToRaw(der, der_len - 1, 48).ok());
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
