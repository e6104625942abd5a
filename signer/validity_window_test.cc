// CheckValidityWindow: every refused case, and each limit at 2^31-1 (allowed)
// and 2^31 (refused), with a fixed `now`.
#include "signer/validity_window.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace signer {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1700000000;  // 20231114221320
constexpr int64_t kMax = 2147483647;  // 2^31 - 1

void ExpectRefused(int64_t inception, int64_t expiration,
                   const std::string& flag_and_value) {
  absl::Status s = CheckValidityWindow(inception, expiration, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument)
      << inception << " " << expiration << ": " << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(flag_and_value));
  EXPECT_EQ(std::string(s.message()).find('\n'), std::string::npos);
}

TEST(RrsigTimeTextTest, Utc) {
  EXPECT_EQ(RrsigTimeText(0), "19700101000000");
  EXPECT_EQ(RrsigTimeText(kNow), "20231114221320");
  EXPECT_EQ(RrsigTimeText(4102444800), "21000101000000");
}

TEST(ValidityWindowTest, DefaultWindowIsAllowed) {
  EXPECT_TRUE(
      CheckValidityWindow(kNow - 3600, kNow + 30 * 24 * 3600, kNow).ok());
}

TEST(ValidityWindowTest, EndIn2100IsRefused) {
  ExpectRefused(kNow - 3600, 4102444800, "-e 21000101000000 (4102444800)");
}

TEST(ValidityWindowTest, StartZeroOrBefore1970IsRefused) {
  ExpectRefused(0, kNow, "-s 19700101000000 (0)");
  ExpectRefused(-1, kNow, "-s 19691231235959 (-1)");
  ExpectRefused(-31536000, kNow, "-s 19690101000000 (-31536000)");
}

TEST(ValidityWindowTest, EndNotAfterStartIsRefused) {
  ExpectRefused(kNow, kNow, "-e 20231114221320 (1700000000)");
  ExpectRefused(kNow, kNow - 1, "-e 20231114221319 (1699999999)");
  EXPECT_TRUE(CheckValidityWindow(kNow, kNow + 1, kNow).ok());
}

TEST(ValidityWindowTest, ExpirationLimitFromNow) {
  EXPECT_TRUE(CheckValidityWindow(kNow, kNow + kMax, kNow).ok());
  ExpectRefused(kNow + 1, kNow + kMax + 1, "-e ");
  ExpectRefused(kNow + 1, kNow + kMax + 1, "after now");
}

TEST(ValidityWindowTest, InceptionLimitFromNow) {
  // kNow - 2^31 is before 1970: a later `now` shows this limit alone.
  const int64_t now = 3000000000;
  EXPECT_TRUE(CheckValidityWindow(now - kMax, now, now).ok());
  absl::Status s = CheckValidityWindow(now - kMax - 1, now - 1, now);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("-s "));
  EXPECT_THAT(std::string(s.message()), HasSubstr("before now"));
}

TEST(ValidityWindowTest, WindowLengthLimit) {
  // Both ends within 2^31-1 of now, but the window itself is longer.
  EXPECT_TRUE(CheckValidityWindow(kNow - 1000, kNow - 1000 + kMax, kNow).ok());
  ExpectRefused(kNow - 1000, kNow - 1000 + kMax + 1, "s long, more than");
  ExpectRefused(kNow - 2000, kNow - 1000 + kMax, "-e ");
}

TEST(ValidityWindowTest, FutureAndPastWindowsAreRepresentable) {
  EXPECT_TRUE(CheckValidityWindow(kNow + 86400, kNow + 2 * 86400, kNow).ok());
  EXPECT_TRUE(CheckValidityWindow(kNow - 2 * 86400, kNow - 86400, kNow).ok());
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
