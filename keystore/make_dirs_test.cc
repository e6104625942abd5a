#include "keystore/make_dirs.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace zonekeep {
namespace keystore {
namespace {

std::string TestDir(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(MakeDirectoriesTest, CreatesMissingParentsWithTheMode) {
  const std::string top = TestDir("a");
  ASSERT_TRUE(MakeDirectories(top + "/b/c", 0700, "state dir").ok());
  EXPECT_EQ(ModeOf(top), 0700u);
  EXPECT_EQ(ModeOf(top + "/b/c"), 0700u);
  // Existing directories are fine and keep their mode.
  ASSERT_EQ(::chmod(top.c_str(), 0750), 0);
  EXPECT_TRUE(MakeDirectories(top + "/b/c", 0700, "state dir").ok());
  EXPECT_EQ(ModeOf(top), 0750u);
}

TEST(MakeDirectoriesTest, AFileInTheWayIsRefusedByName) {
  const std::string file = TestDir("plain-file");
  std::ofstream(file) << "x";
  absl::Status s = MakeDirectories(file, 0700, "state dir");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "state dir " + file + " is not a directory");
  s = MakeDirectories(file + "/below", 0700, "state dir");
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
