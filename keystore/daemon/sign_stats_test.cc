#include "keystore/daemon/sign_stats.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace zonekeep {
namespace keystored {
namespace {

TEST(SignStatsTest, CountsPerIdentityAndInTotalAndResets) {
  SignStats stats(absl::FromUnixSeconds(100));
  stats.Signed("a", 10, 30, 4, absl::Seconds(1));
  stats.Signed("b", 5, 20, 2, absl::Seconds(2));
  stats.Refused("a", absl::PermissionDeniedError("no"));
  stats.Refused("a", absl::PermissionDeniedError("no"));
  stats.Refused("", absl::InvalidArgumentError("bad"));
  stats.Failed("b", 7, 0);
  const absl::Time reset_at = absl::FromUnixSeconds(200);
  v1::SignStats s = stats.Snapshot(&reset_at);
  EXPECT_EQ(s.since_unix(), 100);
  EXPECT_EQ(s.total().zones_signed(), 2u);
  EXPECT_EQ(s.total().signatures(), 6u);
  EXPECT_EQ(s.total().bytes_in(), 22u);
  EXPECT_EQ(s.total().bytes_out(), 50u);
  EXPECT_DOUBLE_EQ(s.total().sign_seconds(), 3.0);
  EXPECT_EQ(s.total().refused().at("PERMISSION_DENIED"), 2u);
  EXPECT_EQ(s.total().refused().at("INVALID_ARGUMENT"), 1u);
  EXPECT_EQ(s.total().errors(), 1u);
  EXPECT_EQ(s.by_identity().at("a").zones_signed(), 1u);
  EXPECT_EQ(s.by_identity().at("a").refused().at("PERMISSION_DENIED"), 2u);
  EXPECT_EQ(s.by_identity().at("b").errors(), 1u);
  EXPECT_EQ(s.by_identity().at("-").refused().at("INVALID_ARGUMENT"), 1u);
  v1::SignStats after = stats.Snapshot();
  EXPECT_EQ(after.since_unix(), 200);
  EXPECT_EQ(after.total().zones_signed(), 0u);
  EXPECT_TRUE(after.by_identity().empty());
}

TEST(SignStatsTest, ConcurrentUpdatesAreAllCounted) {
  SignStats stats(absl::UnixEpoch());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&stats] {
      for (int i = 0; i < 1000; ++i) {
        stats.Signed("x", 1, 1, 1, absl::ZeroDuration());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(stats.Snapshot().total().zones_signed(), 4000u);
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
