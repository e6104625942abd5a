// The harness's ThreadSanitizer check can fail: a child with a real data race
// (racy_child, always built with TSan) makes RunProcess fail the running
// test, and a clean child does not.
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

ProcessResult racy;  // EXPECT_NONFATAL_FAILURE takes no locals

TEST(SanitizerReportTest, ARacyChildFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(
      racy = RunProcess({RunfilePath("tests/e2e/racy_child")}),
      "WARNING: ThreadSanitizer: data race");
  EXPECT_EQ(racy.exit_code, 66);  // TSan's exit code after a report
  const std::string report = SanitizerReport(racy.err);
  // It names the raced variable of racy_child.cc.
  EXPECT_NE(report.find("::counter"), std::string::npos) << report;
}

TEST(SanitizerReportTest, ACleanChildDoesNot) {
  ProcessResult clean = RunProcess({"true"});
  EXPECT_EQ(clean.exit_code, 0);
  EXPECT_EQ(SanitizerReport(clean.err), "");
}

}  // namespace
}  // namespace zonekeep::testing
