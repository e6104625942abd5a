#include "dnssec/key_tag.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "dnssec/test_rfc6605_key.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

// RFC 8080 section 6.1: the Ed25519 example key has key tag 3613.
TEST(KeyTagTest, MatchesRfc8080Example) {
  std::string key;
  ASSERT_TRUE(absl::Base64Unescape(
      "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", &key));
  const std::string rdata = std::string("\x01\x01\x03\x0f", 4) + key;
  EXPECT_EQ(KeyTag(rdata), 3613);
}

// RFC 4034 appendix B by hand: 16-bit words summed with the carry folded.
TEST(KeyTagTest, FoldsTheCarry) {
  const std::vector<uint8_t> rdata = {0xff, 0xff, 0xff, 0xff, 0x01};
  // 0xffff + 0xffff + 0x0100 = 0x200fe; fold: 0x00fe + 0x2 = 0x0100.
  EXPECT_EQ(KeyTag(absl::MakeConstSpan(rdata)), 0x0100);
}

TEST(KeyTagTest, MatchesRfc6605Example) {
  EXPECT_EQ(KeyTag(absl::MakeConstSpan(Rfc6605DnskeyRdata())), 55648);
}

TEST(KeyTagTest, OddLength) {
  // 0x0101 + 0x030d + 0xff00 = 0x1030e, carry folded in: 0x030e + 1.
  const std::vector<uint8_t> rdata = {0x01, 0x01, 0x03, 0x0d, 0xff};
  EXPECT_EQ(KeyTag(absl::MakeConstSpan(rdata)), 0x030f);
}

TEST(KeyTagTest, SpanAndStringAgree) {
  const std::vector<uint8_t> rdata = {1, 0, 3, 13, 9, 8, 7, 6, 5};
  const std::string text(rdata.begin(), rdata.end());
  EXPECT_EQ(KeyTag(absl::MakeConstSpan(rdata)), KeyTag(text));
  EXPECT_NE(KeyTag(text), KeyTag(text.substr(1)));
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
