#include "keystore/clock.h"

#include "gtest/gtest.h"

namespace zonekeep {
namespace keystore {
namespace {

TEST(FakeClockTest, AdvancesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(1000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1000));
  clock.Advance(absl::Seconds(90));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1090));
  clock.Set(absl::FromUnixSeconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(5));
}

TEST(RealClockTest, IsCloseToAbslNow) {
  RealClock clock;
  EXPECT_LT(absl::AbsDuration(clock.Now() - absl::Now()), absl::Seconds(5));
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
