#include "keystore/daemon/state_dir_lock.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace keystored {
namespace {

std::string TestDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir =
      absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/lock_", name);
  mkdir(dir.c_str(), 0700);
  return dir;
}

TEST(StateDirLockTest, SecondHolderIsRefusedWithPid) {
  const std::string dir = TestDir("second");
  auto first = StateDirLock::Acquire(dir);
  ASSERT_TRUE(first.ok()) << first.status();
  std::ifstream in(dir + "/keystored.lock");
  std::string pid;
  in >> pid;
  EXPECT_EQ(pid, std::to_string(getpid()));
  // flock locks belong to the open file description: a second open in the
  // same process conflicts like another process would.
  auto second = StateDirLock::Acquire(dir);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(second.status().message(),
                                absl::StrCat("(pid ", getpid(), ")")))
      << second.status();
  EXPECT_TRUE(absl::StrContains(second.status().message(), dir));
  first->reset();
  EXPECT_TRUE(StateDirLock::Acquire(dir).ok());
}

TEST(StateDirLockTest, LockOfAKilledProcessIsFree) {
  const std::string dir = TestDir("killed");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = StateDirLock::Acquire(dir);
    if (!lock.ok()) _exit(1);
    pause();
    _exit(0);
  }
  // Wait until the child holds the lock.
  bool held = false;
  for (int i = 0; i < 200 && !held; ++i) {
    auto probe = StateDirLock::Acquire(dir);
    held = !probe.ok();
    if (!held) {
      probe->reset();
      usleep(10000);
    }
  }
  ASSERT_TRUE(held);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(StateDirLock::Acquire(dir).ok());
}

TEST(CheckStateDirOwnerTest, RefusesAnotherOwnerAndGroupOrOtherWrite) {
  const std::string dir = TestDir("owner");
  ASSERT_EQ(chmod(dir.c_str(), 0700), 0);
  EXPECT_TRUE(CheckStateDirOwner(dir, geteuid()).ok());
  absl::Status other = CheckStateDirOwner(dir, geteuid() + 1);
  EXPECT_EQ(other.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(
      other.message(),
      absl::StrCat("is owned by uid ", geteuid(), ", not by keystored's uid ",
                   geteuid() + 1)))
      << other;
  ASSERT_EQ(chmod(dir.c_str(), 0750), 0);  // group may read: fine
  EXPECT_TRUE(CheckStateDirOwner(dir, geteuid()).ok());
  for (mode_t mode : {0770, 0702, 01777}) {
    ASSERT_EQ(chmod(dir.c_str(), mode), 0);
    absl::Status s = CheckStateDirOwner(dir, geteuid());
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_TRUE(absl::StrContains(s.message(), "writable by group or others"))
        << s;
  }
  EXPECT_FALSE(CheckStateDirOwner(dir + "/missing", geteuid()).ok());
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
