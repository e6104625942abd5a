// BusyScope/BusyCounter (signer/busy_time.h): CPU time goes to the innermost
// scope's counter, ParallelFor's workers charge their caller's counter, and
// nothing is charged outside a scope.
#include "signer/busy_time.h"

#include <atomic>
#include <cstdint>

#include "gtest/gtest.h"
#include "signer/parallel.h"

namespace zonekeep {
namespace signer {
namespace {

// Burns about `nanos` of this thread's CPU time.
void Spin(int64_t nanos) {
  const int64_t until = busy_internal::ThreadCpuNanos() + nanos;
  volatile uint64_t x = 0;
  while (busy_internal::ThreadCpuNanos() < until) x = x + 1;
}

constexpr int64_t kMs = 1000000;

TEST(BusyTimeTest, ChargesTheInnermostScope) {
  BusyCounter outer, inner;
  {
    BusyScope a(&outer);
    Spin(20 * kMs);
    {
      BusyScope b(&inner);
      Spin(40 * kMs);
    }
    Spin(20 * kMs);
  }
  Spin(30 * kMs);  // outside any scope: nobody's
  EXPECT_GE(outer.Seconds(), 0.040);
  EXPECT_LT(outer.Seconds(), 0.060);  // not the inner 40 ms nor the last 30
  EXPECT_GE(inner.Seconds(), 0.040);
  EXPECT_EQ(CurrentBusyCounter(), nullptr);
}

TEST(BusyTimeTest, ChargeSwitchesCounters) {
  BusyCounter first, second;
  {
    BusyScope scope(&first);
    Spin(30 * kMs);
    scope.Charge(&second);
    EXPECT_EQ(CurrentBusyCounter(), &second);
    Spin(30 * kMs);
    scope.Charge(nullptr);
    Spin(30 * kMs);
  }
  EXPECT_GE(first.Seconds(), 0.030);
  EXPECT_LT(first.Seconds(), 0.060);
  EXPECT_GE(second.Seconds(), 0.030);
  EXPECT_LT(second.Seconds(), 0.060);
}

TEST(BusyTimeTest, ParallelForWorkersChargeTheCaller) {
  BusyCounter counter;
  const std::atomic<bool> stop{false};
  {
    BusyScope scope(&counter);
    // 8 items of 20 ms on 4 threads: 160 ms of CPU in all, wherever it ran.
    ParallelFor(8, 4, 1, stop, [](size_t) { Spin(20 * kMs); });
  }
  EXPECT_GE(counter.Seconds(), 0.160);
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
