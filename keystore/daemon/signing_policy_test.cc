#include "keystore/daemon/signing_policy.h"

#include "gtest/gtest.h"

namespace zonekeep {
namespace keystored {
namespace {

constexpr int64_t kNow = 1800000000;

v1::SignOptions Window(int64_t inception, int64_t expiration) {
  v1::SignOptions options;
  options.set_inception_unix(inception);
  options.set_expiration_unix(expiration);
  return options;
}

TEST(SigningPolicyTest, DefaultsAcceptTheEngineDefaults) {
  EXPECT_TRUE(CheckSignRequest(SigningPolicy(), v1::SignOptions(), kNow).ok());
}

TEST(SigningPolicyTest, ValidityTooLongIsInvalidArgumentWithTheLimit) {
  absl::Status s =
      CheckSignRequest(SigningPolicy(), Window(kNow, kNow + 31 * 86400), kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("max-validity is 2592000 s"), std::string::npos);
  // A window in the future cannot dodge it.
  s = CheckSignRequest(SigningPolicy(),
                       Window(kNow + 400 * 86400, kNow + 401 * 86400), kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(SigningPolicyTest, InceptionTooEarly) {
  absl::Status s = CheckSignRequest(SigningPolicy(),
                                    Window(kNow - 7200, kNow + 86400), kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("inception-margin is 3600 s"), std::string::npos);
}

TEST(SigningPolicyTest, JitterRefreshAndSelfVerify) {
  v1::SignOptions options;
  options.set_jitter_seconds(86401);
  EXPECT_FALSE(CheckSignRequest(SigningPolicy(), options, kNow).ok());
  options = v1::SignOptions();
  options.set_refresh_seconds(31 * 86400);
  EXPECT_FALSE(CheckSignRequest(SigningPolicy(), options, kNow).ok());
  options = v1::SignOptions();
  options.set_skip_self_verify(true);
  EXPECT_EQ(CheckSignRequest(SigningPolicy(), options, kNow).code(),
            absl::StatusCode::kPermissionDenied);
  SigningPolicy lax;
  lax.allow_skip_self_verify = true;
  EXPECT_TRUE(CheckSignRequest(lax, options, kNow).ok());
}

TEST(SigningPolicyTest, PerIdentityOverridesGlobalFieldByField) {
  v1::SigningPolicyConfig global;
  global.set_max_validity(7 * 86400);
  global.set_max_jitter(60);
  v1::SigningPolicyConfig mine;
  mine.set_max_validity(86400);
  SigningPolicy policy = SigningPolicy::From(global, mine);
  EXPECT_EQ(policy.max_validity, 86400);
  EXPECT_EQ(policy.max_jitter, 60);
  EXPECT_EQ(policy.inception_margin, 3600);
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
