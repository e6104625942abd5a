#include "cli/sign_progress.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace zonekeep {
namespace cli {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1000);

std::string Drawn(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
    text.append(buffer, n);
  return text;
}

TEST(SignProgressTest, CountsRecordsAndSignaturesAcrossChunks) {
  std::FILE* f = std::tmpfile();
  SignProgress progress(f, true, kStart);
  progress.Sent("$TTL 300\n; comment\na IN A 192.0.2.1\n  (continued)\nb",
                kStart);
  progress.Sent(" IN A 192.0.2.2\n", kStart);
  EXPECT_EQ(progress.records_sent(), 3u);  // $TTL, a, b
  progress.Received("a.\t300\tIN\tA\t192.0.2.1\na.\t300\tIN\tRR", kStart);
  progress.Received("SIG\tA 13 1 300 ...\n", kStart);
  EXPECT_EQ(progress.records_received(), 2u);
  EXPECT_EQ(progress.signatures_received(), 1u);
  EXPECT_EQ(Drawn(f), "") << "silent for the first second";
  progress.Received("b.\t300\tIN\tA\t192.0.2.2\n", kStart + absl::Seconds(2));
  const std::string line = Drawn(f);
  EXPECT_NE(line.find("3 signed records received, 1 signatures"),
            std::string::npos)
      << line;
  progress.Finish();
  EXPECT_NE(Drawn(f).find("\r\033[K"), std::string::npos);
  std::fclose(f);
}

TEST(SignProgressTest, DisabledDrawsNothing) {
  std::FILE* f = std::tmpfile();
  {
    SignProgress progress(f, false, kStart);
    progress.Sent("a IN A 192.0.2.1\n", kStart + absl::Seconds(5));
  }
  EXPECT_EQ(Drawn(f), "");
  std::fclose(f);
}

}  // namespace
}  // namespace cli
}  // namespace zonekeep
