// Test support: run the project's real binaries and Debian's tools as child
// processes, and keep a real keystored running on a short-lived state dir.
//
// Thread-safety: one instance per test; not for concurrent use.
#ifndef ZONEKEEP_TESTS_E2E_PROCESS_RUNNER_H_
#define ZONEKEEP_TESTS_E2E_PROCESS_RUNNER_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace zonekeep::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or could not start
  std::string out;
  std::string err;
};

// Runs argv[0] (a path, or a name looked up in PATH) with extra environment
// variables and `input` on stdin; waits for it.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::string& input = "",
                         const std::map<std::string, std::string>& env = {});

// The first ThreadSanitizer report in a process's stderr, or "" if none.
// RunProcess and KeystoredProcess fail the running test (ADD_FAILURE) when a
// child's stderr holds one, so suites run with --config=tsan assert that the
// binaries they ran were race-free.
std::string SanitizerReport(const std::string& stderr_text);

// The identity keystored gives this process on its admin socket:
// "unix:" and the user name of its uid (as the access policy names callers).
std::string MyIdentity();

// Path of a data dependency, e.g. "keystore/keystored", inside the runfiles.
std::string RunfilePath(const std::string& path);

// A directory under /tmp short enough for a unix socket path; removed (with
// its contents) on destruction.
class ShortTempDir {
 public:
  ShortTempDir();
  ~ShortTempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The CA, server (SAN 127.0.0.1) and client certificates that
// tests/e2e/make_test_certs.sh makes, keys included, in a fresh ShortTempDir
// (gone with it). The test needs the script among its data. A failing script
// fails the running test.
class TestCertificates {
 public:
  TestCertificates();
  // "ca.pem", "server.pem", "server.key", "signer1.pem", "signer1.key", ...
  std::string Path(const std::string& name) const {
    return dir_.path() + "/" + name;
  }

 private:
  ShortTempDir dir_;
};

// A keystored child process on `state_dir`, stopped on destruction.
class KeystoredProcess {
 public:
  // Starts keystored with --state-dir and optional --config, and waits (up to
  // 10 s) until its admin socket answers. `started()` says whether it did.
  KeystoredProcess(const std::string& state_dir,
                   const std::string& config_path = "");
  ~KeystoredProcess();
  bool started() const { return started_; }
  bool alive() const;
  std::string socket_path() const { return state_dir_ + "/admin.sock"; }
  std::string stderr_text() const;
  // Sends SIGTERM and waits; returns the exit status.
  int Stop();
  // Sends `signal` (e.g. SIGKILL) and waits for the process to end.
  void Kill(int signal);
  pid_t pid() const { return pid_; }

 private:
  std::string state_dir_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  bool started_ = false;
};

// Runs maintkeydb against `socket` with `args`.
ProcessResult Maintkeydb(const std::string& socket,
                         const std::vector<std::string>& args,
                         const std::string& input = "");

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_PROCESS_RUNNER_H_
