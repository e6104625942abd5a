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
  // The child says on a pipe whether it holds the lock (probing from here
  // could take the lock first and make the child fail).
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    auto lock = StateDirLock::Acquire(dir);
    const char held = lock.ok() ? 'y' : 'n';
    if (write(ready[1], &held, 1) != 1 || !lock.ok()) _exit(1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char held = 0;
  ASSERT_EQ(read(ready[0], &held, 1), 1);
  close(ready[0]);
  ASSERT_EQ(held, 'y');
  EXPECT_FALSE(StateDirLock::Acquire(dir).ok());  // held by the child
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
