#include "dnssec/dnskey.h"

#include <string>
#include <vector>

#include "dnssec/test_rfc6605_key.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

TEST(DnskeyTest, BuildsRdata) {
  const std::vector<uint8_t> rdata =
      BuildDnskeyRdata(kZskFlags, Algorithm::kEd25519, {1, 2, 3});
  EXPECT_EQ(rdata, (std::vector<uint8_t>{0x01, 0x00, 3, 15, 1, 2, 3}));
  EXPECT_EQ(Rfc6605DnskeyRdata()[1], 0x01);  // SEP bit
}

TEST(DnskeyTest, ParsesFields) {
  const std::string rdata = Rfc6605DnskeyRdataString();
  absl::StatusOr<DnskeyFields> fields = ParseDnskeyRdata(rdata);
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_EQ(fields->flags, kKskFlags);
  EXPECT_EQ(fields->protocol, 3);
  EXPECT_EQ(fields->algorithm, 13);
  EXPECT_EQ(fields->public_key.size(), 64u);
}

TEST(DnskeyTest, FormatsDnskeyOnOneLine) {
  absl::StatusOr<std::string> text =
      FormatDnskeyRecord("Example.NET", 300, Rfc6605DnskeyRdata());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, std::string("example.net. 300 IN DNSKEY 257 3 13 ") +
                       kRfc6605PublicKey);
}

TEST(DnskeyTest, RejectsShortRdataAndWrongProtocol) {
  EXPECT_FALSE(FormatDnskeyRecord("a.", 1, {1, 1, 3, 13}).ok());
  EXPECT_FALSE(ParseDnskeyRdata(std::string("\x01\x01\x03", 3)).ok());
  EXPECT_FALSE(ParseDnskeyRdata(std::string("\x01\x01\x02\x0d\x05", 5)).ok());
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
