// Issue 13: keystored's start-up safety rails, run as a real process. One
// daemon per state dir (a second one is refused, a SIGKILLed one does not
// block a restart), and a key store restored without its master key, or with
// another one, is refused with the store left unchanged byte for byte.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

int Lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

class KeystoredStartupTest : public ::testing::Test {
 protected:
  std::string state() const { return dir_.path() + "/state"; }
  std::string Keystored() const { return RunfilePath("keystore/keystored"); }

  // keystored on `state_dir` with its admin socket at `socket`, given at most
  // 10 s: a refused one ends at once, one that starts is killed by timeout.
  ProcessResult StartBounded(const std::string& state_dir,
                             const std::string& socket) {
    const std::string config = dir_.path() + "/other.json";
    std::ofstream(config) << "{\"admin-socket\": \"" << socket << "\"}";
    return RunProcess({"timeout", "10", Keystored(), "--config", config,
                       "--state-dir", state_dir});
  }

  // A store with one zone's keys, its daemon stopped.
  void MakeStore(const std::string& state_dir) {
    KeystoredProcess daemon(state_dir);
    ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
    ProcessResult r =
        Maintkeydb(daemon.socket_path(),
                   {"create", "both", "ECDSAP256SHA256", "-", "example.com."});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(daemon.Stop(), 0);
  }

  ShortTempDir dir_;
};

TEST_F(KeystoredStartupTest, SecondDaemonOnTheSameStateDirIsRefused) {
  auto first = std::make_unique<KeystoredProcess>(state());
  ASSERT_TRUE(first->started()) << first->stderr_text();
  ProcessResult second = StartBounded(state(), dir_.path() + "/other.sock");
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_EQ(Lines(second.err), 1) << second.err;
  EXPECT_THAT(second.err, HasSubstr("is already in use by another keystored"));
  EXPECT_THAT(second.err,
              HasSubstr("(pid " + std::to_string(first->pid()) + ")"));
  EXPECT_FALSE(Exists(dir_.path() + "/other.sock"));
  EXPECT_TRUE(first->alive());

  // The kernel drops the lock of a killed daemon: a new one starts.
  first->Kill(SIGKILL);
  KeystoredProcess next(state());
  EXPECT_TRUE(next.started()) << next.stderr_text();
}

// Issue 16: no core dumps (RLIMIT_CORE 0 as the kernel shows it) and the
// secure heap made, said in the start-up line.
// Issue 16: the state dir must be keystored's own, not writable by group or
// others; refused in one line, nothing created in it.
TEST_F(KeystoredStartupTest, StateDirWritableByGroupOrOthersIsRefused) {
  for (mode_t mode : {0770, 0707, 01777}) {
    ASSERT_EQ(mkdir(state().c_str(), 0700), 0);
    ASSERT_EQ(chmod(state().c_str(), mode), 0);
    ProcessResult r = StartBounded(state(), dir_.path() + "/admin.sock");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr("is writable by group or others"));
    EXPECT_THAT(r.err, HasSubstr("chmod go-w " + state()));
    EXPECT_FALSE(Exists(state() + "/keystore.db"));
    EXPECT_FALSE(Exists(state() + "/master.key"));
    EXPECT_FALSE(Exists(dir_.path() + "/admin.sock"));
    ASSERT_EQ(rmdir(state().c_str()), 0);
  }
}

// Another owner: keystored runs as root here, and the sandbox cannot chown,
// so this is state_dir_lock_test's CheckStateDirOwnerTest.

// The admin socket is born 0660 (umask around bind), no chmod after it.
TEST_F(KeystoredStartupTest, AdminSocketHasItsModeFromTheStart) {
  KeystoredProcess daemon(state());
  ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
  struct stat st;
  ASSERT_EQ(lstat(daemon.socket_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_uid, geteuid());
  ASSERT_EQ(lstat(state().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(KeystoredStartupTest, CoreDumpsOffAndSecureHeapAtStart) {
  KeystoredProcess daemon(state());
  ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
  const std::string limits =
      ReadFile("/proc/" + std::to_string(daemon.pid()) + "/limits");
  const size_t at = limits.find("Max core file size");
  ASSERT_NE(at, std::string::npos) << limits;
  const std::string line = limits.substr(at, limits.find('\n', at) - at);
  EXPECT_THAT(line,
              ::testing::MatchesRegex("Max core file size +0 +0 +bytes *"));
  EXPECT_THAT(daemon.stderr_text(),
              HasSubstr("core dumps off, secure heap 4 MiB locked"));
}

// Issue 16: the master key from a systemd credential
// ($CREDENTIALS_DIRECTORY/NAME); nothing is made in the state dir.
TEST_F(KeystoredStartupTest, MasterKeyFromSystemdCredential) {
  MakeStore(state());
  const std::string creds = dir_.path() + "/creds";
  ASSERT_EQ(mkdir(creds.c_str(), 0500 | 0200), 0);
  ASSERT_EQ(rename((state() + "/master.key").c_str(),
                   (creds + "/zonekeep-master").c_str()),
            0);
  const std::string config = dir_.path() + "/cred.json";
  std::ofstream(config) << "{\"master-key-credential\": \"zonekeep-master\"}";
  // Without $CREDENTIALS_DIRECTORY: refused, with the reason.
  unsetenv("CREDENTIALS_DIRECTORY");
  ProcessResult refused = RunProcess({"timeout", "10", Keystored(), "--config",
                                      config, "--state-dir", state()});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("CREDENTIALS_DIRECTORY"));
  setenv("CREDENTIALS_DIRECTORY", creds.c_str(), 1);
  {
    KeystoredProcess daemon(state(), config);
    ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
    ProcessResult r = Maintkeydb(daemon.socket_path(), {"list"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("example.com."));
    EXPECT_FALSE(Exists(state() + "/master.key"));
  }
  // Another credential that is not the store's: refused.
  ASSERT_EQ(unlink((creds + "/zonekeep-master").c_str()), 0);
  std::ofstream(creds + "/zonekeep-master") << std::string(32, 'x');
  chmod((creds + "/zonekeep-master").c_str(), 0400);
  ProcessResult wrong = RunProcess({"timeout", "10", Keystored(), "--config",
                                    config, "--state-dir", state()});
  EXPECT_EQ(wrong.exit_code, 2) << wrong.err;
  EXPECT_THAT(wrong.err, HasSubstr("is not the master key of"));
  unsetenv("CREDENTIALS_DIRECTORY");
}

TEST_F(KeystoredStartupTest, RestoredStoreWithoutMasterKeyIsRefused) {
  MakeStore(state());
  ASSERT_EQ(unlink((state() + "/master.key").c_str()), 0);
  const std::string db_before = ReadFile(state() + "/keystore.db");
  ASSERT_FALSE(db_before.empty());
  ProcessResult r = StartBounded(state(), state() + "/admin.sock");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(Lines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("master.key is missing"));
  EXPECT_THAT(r.err, HasSubstr("restore master.key"));
  EXPECT_FALSE(Exists(state() + "/master.key")) << "a new master key was made";
  EXPECT_TRUE(ReadFile(state() + "/keystore.db") == db_before)
      << "keystore.db changed";
}

TEST_F(KeystoredStartupTest, RestoredStoreWithAnotherMasterKeyIsRefused) {
  MakeStore(state());
  MakeStore(dir_.path() + "/other");
  const std::string theirs = ReadFile(dir_.path() + "/other/master.key");
  ASSERT_EQ(unlink((state() + "/master.key").c_str()), 0);
  {
    std::ofstream out(state() + "/master.key", std::ios::binary);
    out << theirs;
  }
  chmod((state() + "/master.key").c_str(), 0400);
  const std::string db_before = ReadFile(state() + "/keystore.db");
  ProcessResult r = StartBounded(state(), state() + "/admin.sock");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(Lines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("is not the master key of"));
  EXPECT_EQ(ReadFile(state() + "/master.key"), theirs);
  EXPECT_TRUE(ReadFile(state() + "/keystore.db") == db_before)
      << "keystore.db changed";
  EXPECT_THAT(r.err, Not(HasSubstr("serving")));
}

TEST_F(KeystoredStartupTest, CheckConfigReportsEveryProblemWithoutStarting) {
  const std::string good = dir_.path() + "/good.json";
  std::ofstream(good) << R"({"state-dir": ")" << state()
                      << R"(", "clients": [{"identity": "unix:root",
                             "role": "admin"}], "propagation-delay": 60})";
  ProcessResult r = RunProcess({Keystored(), "--check-config", good});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("configuration OK"));
  EXPECT_FALSE(Exists(state())) << "--check-config made the state dir";

  const std::string bad = dir_.path() + "/bad.json";
  std::ofstream(bad) << R"({"clients": [
      {"identity": "root", "role": "admin"},
      {"identity": "unix:no-such-user-zk13", "role": "signer",
       "zones": ["exa..mple.com"]},
      {"identity": "unix:root", "role": "admin", "zones": ["example.com."]}],
      "propagation-delay": -1})";
  r = RunProcess({Keystored(), "--check-config", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Lines(r.err), 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("keystored: " + bad + ": clients: \"root\""));
  EXPECT_THAT(r.err, HasSubstr("no-such-user-zk13"));
  EXPECT_THAT(r.err, HasSubstr("exa..mple.com"));
  EXPECT_THAT(r.err, HasSubstr("given for an admin"));
  EXPECT_THAT(r.err, HasSubstr(bad + ": propagation-delay"));

  std::ofstream(bad) << R"({"propagation-delay": "soon"})";
  r = RunProcess({Keystored(), "--check-config", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("propagation-delay"));
  EXPECT_THAT(r.err, Not(HasSubstr("propagation_delay")));
  r = RunProcess({Keystored(), "--check-config", dir_.path() + "/none.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("none.json"));
}

TEST_F(KeystoredStartupTest, HelpAndVersion) {
  for (const char* flag : {"--help", "-h"}) {
    ProcessResult r = RunProcess({Keystored(), flag});
    EXPECT_EQ(r.exit_code, 0) << flag;
    EXPECT_THAT(r.out, HasSubstr("usage: keystored"));
    EXPECT_THAT(r.out, HasSubstr("--check-config FILE"));
    EXPECT_EQ(r.err, "");
  }
  ProcessResult r = RunProcess({Keystored(), "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("keystored (zonekeep) "));
  EXPECT_EQ(Lines(r.out), 1);
}

}  // namespace
}  // namespace zonekeep::testing
