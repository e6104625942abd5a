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

using Bytes = std::vector<uint8_t>;

// OpenSSL's encoder as the reference for the hand-written one.
Bytes OpensslDer(const Bytes& raw) {
  const size_t half = raw.size() / 2;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  ECDSA_SIG_set0(sig.get(), BN_bin2bn(raw.data(), half, nullptr),
                 BN_bin2bn(raw.data() + half, half, nullptr));
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

bool Decodes(const Bytes& der, size_t size = 4) {
  return EcdsaDerToRaw(der.data(), der.size(), size).ok();
}

TEST(EcdsaSignatureTest, RoundTripsAgainstOpenssl) {
  std::mt19937 rng(7);
  // P-256, P-384 and a P-521-sized component (long-form SEQUENCE length).
  for (size_t size : {32, 48, 66}) {
    for (int i = 0; i < 500; ++i) {
      Bytes raw(2 * size);
      for (uint8_t& b : raw) b = static_cast<uint8_t>(rng());
      // Leading zeros and high bits, the cases DER pads or strips.
      if (i % 5 == 0) raw[0] = 0;
      if (i % 7 == 0) raw[size] = 0x80;
      if (i % 11 == 0) std::fill(raw.begin(), raw.begin() + size - 1, 0);
      if (raw[size - 1] == 0) raw[size - 1] = 1;  // r and s are non-zero
      if (raw[2 * size - 1] == 0) raw[2 * size - 1] = 1;
      uint8_t der[kMaxEcdsaDerSize];
      const size_t der_len = EcdsaRawToDer(raw.data(), size, der);
      ASSERT_LE(der_len, kMaxEcdsaDerSize);
      EXPECT_EQ(Bytes(der, der + der_len), OpensslDer(raw));
      absl::StatusOr<Bytes> back = EcdsaDerToRaw(der, der_len, size);
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(*back, raw);
    }
  }
}

TEST(EcdsaSignatureTest, DecodesWellFormedSmallCases) {
  // r = 1, s = 0x80 (needs the zero pad), components of 4 octets.
  absl::StatusOr<Bytes> raw = EcdsaDerToRaw(
      Bytes{0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80}.data(), 9, 4);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(*raw, (Bytes{0, 0, 0, 1, 0, 0, 0, 0x80}));
  // Full-width components: 4 octets, and 0x00 + 4 octets with the high bit.
  EXPECT_TRUE(Decodes({0x30, 0x0d, 0x02, 0x04, 0x7f, 1, 2, 3, 0x02, 0x05, 0x00,
                       0xff, 1, 2, 3}));
}

TEST(EcdsaSignatureTest, RefusesMalformedDer) {
  // The well-formed base: r = 1, s = 0x80.
  const Bytes good = {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80};
  ASSERT_TRUE(Decodes(good));
  struct Case {
    const char* what;
    Bytes der;
  };
  const Case cases[] = {
      {"empty", {}},
      {"one octet", {0x30}},
      {"not a SEQUENCE",
       {0x31, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80}},
      {"SEQUENCE length too long",
       {0x30, 0x08, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80}},
      {"SEQUENCE length too short",
       {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80}},
      {"indefinite SEQUENCE length",
       {0x30, 0x80, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80, 0x00, 0x00}},
      {"long-form SEQUENCE length below 128",
       {0x30, 0x81, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80}},
      {"two-octet SEQUENCE length",
       {0x30, 0x82, 0x00, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80}},
      {"octet after the SEQUENCE",
       {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80, 0x00}},
      {"third INTEGER in the SEQUENCE",
       {0x30, 0x0a, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01,
        0x01}},
      {"s missing", {0x30, 0x03, 0x02, 0x01, 0x01}},
      {"r not an INTEGER",
       {0x30, 0x07, 0x03, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80}},
      {"INTEGER of length 0", {0x30, 0x06, 0x02, 0x00, 0x02, 0x02, 0x00, 0x80}},
      {"long-form INTEGER length",
       {0x30, 0x08, 0x02, 0x81, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80}},
      {"INTEGER runs past the SEQUENCE",
       {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x03, 0x00, 0x80}},
      {"negative s (pad dropped)",
       {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x80}},
      {"negative r", {0x30, 0x06, 0x02, 0x01, 0xff, 0x02, 0x01, 0x01}},
      {"leading zero octet on r",
       {0x30, 0x08, 0x02, 0x02, 0x00, 0x01, 0x02, 0x02, 0x00, 0x80}},
      {"two zero octets before s",
       {0x30, 0x08, 0x02, 0x01, 0x01, 0x02, 0x03, 0x00, 0x00, 0x80}},
      {"r is zero", {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01}},
      {"s is zero", {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00}},
      {"r longer than the component",
       {0x30, 0x0a, 0x02, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05, 0x02, 0x01,
        0x01}},
      {"padded s longer than the component",
       {0x30, 0x0b, 0x02, 0x01, 0x01, 0x02, 0x06, 0x00, 0x80, 0x02, 0x03, 0x04,
        0x05}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Bytes> raw = EcdsaDerToRaw(c.der.data(), c.der.size(), 4);
    EXPECT_FALSE(raw.ok()) << c.what;
    EXPECT_EQ(raw.status().code(), absl::StatusCode::kInvalidArgument)
        << c.what;
  }
}

TEST(EcdsaSignatureTest, RefusesEveryTruncationAndExtensionOfARealSignature) {
  std::mt19937 rng(11);
  Bytes raw(64);
  for (uint8_t& b : raw) b = static_cast<uint8_t>(rng());
  raw[0] |= 0x80;  // r needs the zero pad
  const Bytes der = OpensslDer(raw);
  ASSERT_TRUE(Decodes(der, 32));
  for (size_t len = 0; len < der.size(); ++len) {
    EXPECT_FALSE(EcdsaDerToRaw(der.data(), len, 32).ok()) << len;
  }
  Bytes longer = der;
  longer.push_back(0);
  EXPECT_FALSE(Decodes(longer, 32));
  // A P-384-sized signature for a P-256 key.
  Bytes wide(96, 0x7f);
  uint8_t wide_der[kMaxEcdsaDerSize];
  const size_t wide_len = EcdsaRawToDer(wide.data(), 48, wide_der);
  EXPECT_FALSE(EcdsaDerToRaw(wide_der, wide_len, 32).ok());
  EXPECT_TRUE(EcdsaDerToRaw(wide_der, wide_len, 48).ok());
}

TEST(EcdsaSignatureTest, RefusesUnsupportedComponentSizes) {
  const Bytes good = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
  EXPECT_FALSE(Decodes(good, 0));
  EXPECT_FALSE(Decodes(good, kMaxEcdsaComponentSize + 1));
  EXPECT_TRUE(Decodes(good, kMaxEcdsaComponentSize));
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
