// Issue 16: `maintkeydb rotate-master-key` on a real keystored. Signing goes
// on during the rotation; afterwards every key opens and signs, and the old
// master key no longer opens the store. keystored killed at each step
// (ZONEKEEP_TEST_CRASH_AT: _exit(137) there) leaves one of the two keys
// complete: a fresh keystored starts and every key opens and signs.
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kZoneText[] = R"($ORIGIN example.com.
$TTL 60
@       IN SOA ns1 hostmaster 2026112301 7200 3600 1209600 60
        IN NS  ns1
ns1     IN A   192.0.2.53
www     IN A   192.0.2.80
)";

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

class MasterKeyRotationE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(zone_file()) << kZoneText;
    unsetenv("ZONEKEEP_TEST_CRASH_AT");
  }
  void TearDown() override { unsetenv("ZONEKEEP_TEST_CRASH_AT"); }
  std::string state() const { return dir_.path() + "/state"; }
  std::string master() const { return state() + "/master.key"; }
  std::string zone_file() const { return dir_.path() + "/zone.txt"; }
  std::string socket() const { return state() + "/admin.sock"; }

  ProcessResult Sign(const std::string& out) {
    return RunProcess({RunfilePath("cli/dnssigner"), "--socket", socket(), "-o",
                       "example.com.", "-f", out, zone_file()});
  }
  void CreateKeys() {
    for (const char* zone : {"example.com.", "example.net."}) {
      ProcessResult r = Maintkeydb(
          socket(), {"create", "both", "ECDSAP256SHA256", "-", zone});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  // A fresh keystored starts, and example.com. signs with its keys.
  void ExpectFreshDaemonSigns() {
    unsetenv("ZONEKEEP_TEST_CRASH_AT");
    KeystoredProcess daemon(state());
    ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
    ProcessResult r = Sign(dir_.path() + "/signed.txt");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    ProcessResult list = Maintkeydb(socket(), {"list"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_THAT(list.out, HasSubstr("example.net."));
    EXPECT_EQ(daemon.Stop(), 0);
    EXPECT_FALSE(Exists(master() + ".new"));
  }

  ShortTempDir dir_;
};

TEST_F(MasterKeyRotationE2eTest, RotatesWhileSigningGoesOn) {
  {
    KeystoredProcess daemon(state());
    ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
    CreateKeys();
    std::atomic<bool> stop{false};
    std::atomic<int> signed_ok{0}, failed{0};
    std::thread signer([&] {
      int n = 0;
      while (!stop) {
        ProcessResult r = Sign(dir_.path() + "/out" + std::to_string(n++));
        (r.exit_code == 0 ? signed_ok : failed)++;
        if (r.exit_code != 0) fprintf(stderr, "%s", r.err.c_str());
      }
    });
    while (signed_ok < 1 && failed == 0) usleep(10000);
    ProcessResult r = Maintkeydb(socket(), {"rotate-master-key"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("6 keys re-sealed"));
    EXPECT_THAT(r.out, HasSubstr("master.key.old"));
    const int before = signed_ok;
    while (signed_ok < before + 2 && failed == 0) usleep(10000);
    stop = true;
    signer.join();
    EXPECT_EQ(failed, 0);
    // A second rotation waits for the operator to remove master.key.old.
    ProcessResult again = Maintkeydb(socket(), {"rotate-master-key"});
    EXPECT_NE(again.exit_code, 0);
    EXPECT_THAT(again.err, HasSubstr("master.key.old"));
    ProcessResult audit = Maintkeydb(socket(), {"audit"});
    EXPECT_THAT(audit.out, HasSubstr("rotate-master-key (6 keys re-sealed)"));
    ASSERT_EQ(daemon.Stop(), 0);
  }
  ExpectFreshDaemonSigns();
  // The old master key does not open the store.
  ASSERT_EQ(rename(master().c_str(), (dir_.path() + "/new.key").c_str()), 0);
  ASSERT_EQ(rename((master() + ".old").c_str(), master().c_str()), 0);
  ProcessResult old =
      RunProcess({"timeout", "10", RunfilePath("keystore/keystored"),
                  "--state-dir", state()});
  EXPECT_EQ(old.exit_code, 2) << old.err;
  EXPECT_THAT(old.err, HasSubstr("is not the master key of"));
}

class CrashPointTest : public MasterKeyRotationE2eTest,
                       public ::testing::WithParamInterface<const char*> {};

TEST_P(CrashPointTest, FreshDaemonOpensEveryKeyAfterACrash) {
  {
    KeystoredProcess daemon(state());
    ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
    CreateKeys();
    ASSERT_EQ(daemon.Stop(), 0);
  }
  setenv("ZONEKEEP_TEST_CRASH_AT", GetParam(), 1);
  KeystoredProcess daemon(state());
  ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
  ProcessResult r = Maintkeydb(socket(), {"rotate-master-key"});
  EXPECT_NE(r.exit_code, 0);  // the daemon died under it
  // It has _exited (the call failed with its connection); this only reaps.
  daemon.Kill(SIGKILL);
  EXPECT_THAT(daemon.stderr_text(),
              HasSubstr(std::string("ZONEKEEP_TEST_CRASH_AT=") + GetParam()));
  EXPECT_TRUE(Exists(master() + ".new"));  // every crash point leaves it
  ExpectFreshDaemonSigns();
  EXPECT_TRUE(Exists(master()));
  // Before the commit the old key stays; after it the old key is kept aside.
  EXPECT_EQ(Exists(master() + ".old"),
            std::string(GetParam()) != "after-new-key");
}

INSTANTIATE_TEST_SUITE_P(Steps, CrashPointTest,
                         ::testing::Values("after-new-key", "after-commit",
                                           "after-first-rename"));

}  // namespace
}  // namespace zonekeep::testing
