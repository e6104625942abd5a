// The harness's AddressSanitizer/LeakSanitizer check can fail: a child that
// leaks (leaky_child, always built with ASan) makes RunProcess fail the
// running test, as a leaking keystored would when it exits under
// tools/run_asan.sh.
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

ProcessResult leaky;  // EXPECT_NONFATAL_FAILURE takes no locals

TEST(LeakReportTest, ALeakingChildFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(
      leaky = RunProcess({RunfilePath("tests/e2e/leaky_child")},
                         /*input=*/"", {{"ASAN_OPTIONS", "detect_leaks=1"}}),
      "ERROR: LeakSanitizer: detected memory leaks");
  EXPECT_NE(leaky.exit_code, 0);
  EXPECT_NE(SanitizerReport(leaky.err).find("4096 byte(s) leaked"),
            std::string::npos)
      << leaky.err;
}

}  // namespace
}  // namespace zonekeep::testing
