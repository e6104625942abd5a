#include "cli/atomic_file.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace zonekeep {
namespace cli {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int CountEntries(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(std::getenv("TEST_TMPDIR")) + "/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    mkdir(dir_.c_str(), 0700);
  }
  std::string dir_;
};

TEST_F(AtomicFileTest, CommitReplacesTheFileWhole) {
  const std::string path = dir_ + "/out.zone";
  std::ofstream(path) << "old";
  {
    auto file = AtomicFile::Create(path);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->Write("new ").ok());
    EXPECT_EQ(ReadAll(path), "old");  // not visible before commit
    ASSERT_TRUE(file->Write("content").ok());
    ASSERT_TRUE(file->Commit().ok());
  }
  EXPECT_EQ(ReadAll(path), "new content");
  EXPECT_EQ(CountEntries(dir_), 1);
}

TEST_F(AtomicFileTest, AbandonedWriteLeavesOldFileAndNoTemp) {
  const std::string path = dir_ + "/out.zone";
  std::ofstream(path) << "old";
  {
    auto file = AtomicFile::Create(path);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->Write("partial").ok());
  }
  EXPECT_EQ(ReadAll(path), "old");
  EXPECT_EQ(CountEntries(dir_), 1);
}

TEST_F(AtomicFileTest, MissingDirectoryIsAnError) {
  auto file = AtomicFile::Create(dir_ + "/no/such/dir/out.zone");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("no/such/dir/out.zone"),
            std::string::npos);
}

}  // namespace
}  // namespace cli
}  // namespace zonekeep
