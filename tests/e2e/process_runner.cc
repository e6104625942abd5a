#include "tests/e2e/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "proto/unix_socket.h"

extern char** environ;

namespace zonekeep::testing {
namespace {

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> Environment(
    const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (extra.count(name) == 0) env.push_back(entry);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

bool SocketAnswers(const std::string& path) {
  return ProbeUnixSocket(path).ok();
}

// Under --config=tsan or asan every binary the tests run is instrumented: a
// report on a child's stderr fails the test that ran it.
void FailOnSanitizerReport(const std::string& who, const std::string& err) {
  const std::string report = SanitizerReport(err);
  if (!report.empty()) ADD_FAILURE() << who << ": " << report;
}

}  // namespace

std::string SanitizerReport(const std::string& stderr_text) {
  // TSan, ASan, LeakSanitizer (a leak reported when a child exits) and
  // UBSan: under --config=tsan/asan every binary the tests run reports so.
  size_t at = std::string::npos;
  for (const char* marker :
       {"WARNING: ThreadSanitizer", "ERROR: AddressSanitizer",
        "ERROR: LeakSanitizer", ": runtime error: "}) {
    at = std::min(at, stderr_text.find(marker));
  }
  if (at == std::string::npos) return "";
  return stderr_text.substr(at, 6000);
}

std::string MyIdentity() {
  const passwd* me = getpwuid(getuid());
  return std::string("unix:") + (me ? me->pw_name : "?");
}

std::string RunfilePath(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" +
         (workspace ? workspace : "zonekeep") + "/" + path;
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::string& input,
                         const std::map<std::string, std::string>& env) {
  ProcessResult result;
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.err = "pipe failed";
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = Environment(env);
  std::vector<char*> c_args = CStrings(args);
  std::vector<char*> c_env = CStrings(envs);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, c_args[0], &actions, nullptr,
                                   c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err =
        std::string("cannot start ") + argv[0] + ": " + strerror(spawned);
    return result;
  }
  // Feed stdin and drain both outputs together so no pipe fills up.
  size_t written = 0;
  int in_fd = in_pipe[1];
  if (input.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    pollfd fds[3];
    int n = 0;
    if (out_open) fds[n++] = {out_pipe[0], POLLIN, 0};
    if (err_open) fds[n++] = {err_pipe[0], POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (poll(fds, n, 1000) < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_fd) {
        const ssize_t w =
            write(in_fd, input.data() + written, input.size() - written);
        if (w > 0) written += w;
        if (w < 0 || written == input.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      const ssize_t r = read(fds[i].fd, buf, sizeof(buf));
      if (r > 0) {
        (fds[i].fd == out_pipe[0] ? result.out : result.err).append(buf, r);
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        (fds[i].fd == out_pipe[0] ? out_open : err_open) = false;
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  FailOnSanitizerReport(argv[0], result.err);
  return result;
}

ShortTempDir::ShortTempDir() {
  char templ[] = "/tmp/zk.XXXXXX";
  path_ = mkdtemp(templ);
}

ShortTempDir::~ShortTempDir() { RunProcess({"rm", "-rf", path_}); }

TestCertificates::TestCertificates() {
  ProcessResult r = RunProcess(
      {"bash", RunfilePath("tests/e2e/make_test_certs.sh"), dir_.path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

KeystoredProcess::KeystoredProcess(const std::string& state_dir,
                                   const std::string& config_path)
    : state_dir_(state_dir), stderr_path_(state_dir + ".stderr") {
  std::vector<std::string> args = {RunfilePath("keystore/keystored"),
                                   "--state-dir", state_dir};
  if (!config_path.empty()) {
    args.push_back("--config");
    args.push_back(config_path);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> c_args = CStrings(args);
  if (posix_spawn(&pid_, c_args[0], &actions, nullptr, c_args.data(),
                  environ) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  for (int i = 0; i < 200 && pid_ > 0 && alive(); ++i) {
    if (SocketAnswers(socket_path())) {
      started_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool KeystoredProcess::alive() const {
  if (pid_ <= 0) return false;
  int status = 0;
  return waitpid(pid_, &status, WNOHANG) == 0;
}

std::string KeystoredProcess::stderr_text() const {
  std::ifstream in(stderr_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int KeystoredProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void KeystoredProcess::Kill(int signal) {
  if (pid_ <= 0) return;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

KeystoredProcess::~KeystoredProcess() {
  Stop();
  FailOnSanitizerReport("keystored", stderr_text());
  unlink(stderr_path_.c_str());
}

ProcessResult Maintkeydb(const std::string& socket,
                         const std::vector<std::string>& args,
                         const std::string& input) {
  std::vector<std::string> argv = {RunfilePath("cli/maintkeydb"), "--socket",
                                   socket};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, input);
}

}  // namespace zonekeep::testing
