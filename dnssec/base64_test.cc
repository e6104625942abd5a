#include "dnssec/base64.h"

#include <string>

#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

TEST(Base64Test, EveryDigitHasItsValue) {
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < alphabet.size(); ++i) {
    EXPECT_EQ(Base64DigitValue(alphabet[i]), static_cast<int>(i)) << i;
  }
}

TEST(Base64Test, NothingElseIsADigit) {
  int digits = 0;
  for (int c = 0; c < 256; ++c) {
    if (Base64DigitValue(static_cast<char>(c)) >= 0) ++digits;
  }
  EXPECT_EQ(digits, 64);
  for (const char c : {'=', '-', '_', ' ', '\0', '.'}) {
    EXPECT_EQ(Base64DigitValue(c), -1) << c;
  }
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
