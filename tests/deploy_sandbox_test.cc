// keystored inside deploy/keystored.service's process sandbox, applied for
// real without a running systemd: tests/unit_sandbox_exec.cc gives it the
// unit's syscall allow list (SystemCallFilter= lines expanded by
// `systemd-analyze syscall-filter`, EPERM for the rest), its
// MemoryDenyWriteExecute= rules, LimitNOFILE=, LimitMEMLOCK=, LimitCORE=0,
// UMask= and NoNewPrivileges=, its mount sandbox (ProtectSystem=strict with
// only the state dir writable, ProtectHome=, PrivateTmp=, ProtectProc=
// invisible, ProcSubset=pid), as an unprivileged user (nobody: the
// `keystored` account is not made on a test machine). Shown:
// - keystored starts (secure heap locked within LimitMEMLOCK), makes keys
//   for maintkeydb, signs deploy/example.com.zone for dnssigner over the
//   admin socket, and exits 0 on SIGTERM;
// - the sandbox is real: without prctl in the filter keystored refuses to
//   start (PR_SET_DUMPABLE fails); a probe under the same launcher is refused
//   a W+X mapping, cannot write outside the state dir or read /home, sees no
//   /proc/1 and no /proc/cpuinfo, and a fresh /tmp; outside it, it can.
// RestrictAddressFamilies= is applied as systemd does it (socket() for the
// listed families only), and keystored runs with a TCP listener on loopback.
// What is not applied here: PrivateDevices=, RestrictNamespaces= and the
// cgroup limits (MemoryMax=, TasksMax=); those
// are rated by tests/deploy_files_test.cc.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/deploy_tool_runner.h"

extern char** environ;

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" +
         (workspace ? workspace : "zonekeep") + "/" + path;
}

// Every syscall name in `item` (a name or an @group, groups nested).
void Expand(const std::string& item, std::set<std::string>& out) {
  if (item.empty() || item[0] != '@') {
    out.insert(item);
    return;
  }
  const ToolResult r = RunTool({"systemd-analyze", "syscall-filter", item});
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("    ", 0) != 0) continue;  // the group's own name
    const std::string name = line.substr(4);
    if (name.empty() || name[0] == '#') continue;
    Expand(name, out);
  }
}

// The unit's allow list: its SystemCallFilter= lines in order, the first
// allowing, "~" lines taking away.
std::set<std::string> AllowedSyscalls(const std::string& unit) {
  std::set<std::string> allowed;
  std::istringstream lines(unit);
  std::string line;
  const std::string key = "SystemCallFilter=";
  while (std::getline(lines, line)) {
    if (line.rfind(key, 0) != 0) continue;
    std::string list = line.substr(key.size());
    const bool remove = !list.empty() && list[0] == '~';
    if (remove) list = list.substr(1);
    std::istringstream items(list);
    std::string item;
    while (items >> item) {
      std::set<std::string> names;
      Expand(item, names);
      for (const std::string& n : names) {
        if (remove) {
          allowed.erase(n);
        } else {
          allowed.insert(n);
        }
      }
    }
  }
  return allowed;
}

std::string UnitValue(const std::string& unit, const std::string& key) {
  std::istringstream lines(unit);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

// RestrictAddressFamilies= "AF_UNIX AF_INET AF_INET6" -> "1,2,10".
std::string FamilyNumbers(const std::string& value) {
  const std::map<std::string, int> known = {{"AF_UNIX", AF_UNIX},
                                            {"AF_INET", AF_INET},
                                            {"AF_INET6", AF_INET6},
                                            {"AF_NETLINK", AF_NETLINK},
                                            {"AF_PACKET", AF_PACKET}};
  std::istringstream items(value);
  std::string item, out;
  while (items >> item) {
    if (!known.count(item)) return "unknown " + item;
    out += (out.empty() ? "" : ",") + std::to_string(known.at(item));
  }
  return out;
}

// "16M" -> 16777216 (systemd's K, M, G are powers of 1024).
long Bytes(const std::string& value) {
  long n = std::stol(value);
  switch (value.back()) {
    case 'K':
      return n << 10;
    case 'M':
      return n << 20;
    case 'G':
      return n << 30;
  }
  return n;
}

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unit_ = ReadText(DeployFile("keystored.service"));
    ASSERT_FALSE(unit_.empty());
    allowed_ = AllowedSyscalls(unit_);
    // @system-service expands to a few hundred names; the unit denies these.
    ASSERT_GT(allowed_.size(), 200u);
    ASSERT_TRUE(allowed_.count("prctl") && allowed_.count("flock") &&
                allowed_.count("mlock"));
    ASSERT_FALSE(allowed_.count("ptrace") || allowed_.count("mount") ||
                 allowed_.count("setuid"));
    ASSERT_EQ(UnitValue(unit_, "MemoryDenyWriteExecute"), "yes");
    ASSERT_EQ(UnitValue(unit_, "NoNewPrivileges"), "yes");
    const passwd* nobody = getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    nobody_uid_ = nobody->pw_uid;
    nobody_gid_ = nobody->pw_gid;
  }

  // Writes `names` to a file and returns the launcher's argv prefix, with
  // the state dir (made here, owned by nobody) the only writable place.
  std::vector<std::string> Launcher(const std::set<std::string>& names) {
    state_ = dir_.path() + "/state";
    mkdir(state_.c_str(), 0700);
    chown(state_.c_str(), nobody_uid_, nobody_gid_);
    std::string text;
    for (const std::string& n : names) text += n + "\n";
    const std::string file = dir_.path() + "/syscalls";
    EXPECT_TRUE(WriteText(file, text));
    chmod(dir_.path().c_str(), 0755);
    chmod(file.c_str(), 0644);
    return {
        Runfile("tests/unit_sandbox_exec"),
        "--syscalls=" + file,
        "--mdwe",
        "--user=nobody",
        "--writable=" + state_,
        "--families=" +
            FamilyNumbers(UnitValue(unit_, "RestrictAddressFamilies")),
        "--umask=" + UnitValue(unit_, "UMask"),
        "--nofile=" + UnitValue(unit_, "LimitNOFILE"),
        "--memlock=" + std::to_string(Bytes(UnitValue(unit_, "LimitMEMLOCK"))),
        "--"};
  }

  // Starts keystored under the launcher on a fresh state dir owned by
  // nobody; its stderr goes to a file.
  pid_t StartKeystored(const std::set<std::string>& names) {
    // nobody cannot reach the runfiles under /root: a copy it can run.
    const std::string binary = dir_.path() + "/keystored";
    std::filesystem::copy_file(
        Runfile("keystore/keystored"), binary,
        std::filesystem::copy_options::overwrite_existing);
    chmod(binary.c_str(), 0755);
    // A TCP listener too (loopback: no TLS needed), as the unit serves one.
    const std::string config = dir_.path() + "/keystored.json";
    EXPECT_TRUE(WriteText(config, "{\"listen\": \"127.0.0.1:0\"}"));
    chmod(config.c_str(), 0644);
    std::vector<std::string> argv = Launcher(names);
    argv.insert(argv.end(),
                {binary, "--config", config, "--state-dir", state_});
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path().c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> env_strings = SandboxEnvironment();
    std::vector<char*> env;
    for (std::string& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    pid_t pid = -1;
    EXPECT_EQ(
        posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data()),
        0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }
  std::string stderr_path() const { return dir_.path() + "/keystored.err"; }

  // This process's environment for the sandboxed keystored. Under ASan
  // (tools/run_asan.sh) LeakSanitizer's exit-time check needs ptrace, which
  // the unit's syscall filter denies, so it is off for this one process (it
  // would fail keystored's exit, not find a leak); the other suites check
  // keystored for leaks.
  static std::vector<std::string> SandboxEnvironment() {
    std::vector<std::string> env;
    std::string asan_options;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      if (entry.rfind("ASAN_OPTIONS=", 0) == 0) {
        asan_options = entry.substr(13);
      } else {
        env.push_back(entry);
      }
    }
#if defined(__SANITIZE_ADDRESS__)
    asan_options += asan_options.empty() ? "detect_leaks=0" : ":detect_leaks=0";
#endif
    if (!asan_options.empty()) env.push_back("ASAN_OPTIONS=" + asan_options);
    return env;
  }

  // Waits up to `seconds` for `pid` to exit; its status, or -1 if it runs on.
  static int WaitExit(pid_t pid, int seconds) {
    for (int i = 0;; ++i) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
      }
      if (i >= seconds * 20) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  ToolResult Maintkeydb(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"env", "KEYSTORED_USER=nobody",
                                     Runfile("cli/maintkeydb"), "--socket",
                                     state_ + "/admin.sock"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunTool(argv);
  }

  // Not /tmp (private in the sandbox) nor /root (hidden): /run, unless it
  // is noexec there, then /var/lib.
  static std::string ScratchParent() {
    struct statvfs fs {};
    if (statvfs("/run", &fs) == 0 && (fs.f_flag & ST_NOEXEC) == 0) {
      return "/run";
    }
    return "/var/lib";
  }

  std::string unit_;
  std::set<std::string> allowed_;
  ScratchDir dir_{ScratchParent()};
  std::string state_;
  uid_t nobody_uid_ = 0;
  gid_t nobody_gid_ = 0;
};

TEST_F(SandboxTest, KeystoredMakesKeysAndSignsInsideTheUnitsSandbox) {
  const pid_t pid = StartKeystored(allowed_);
  ASSERT_GT(pid, 0);
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    up = Maintkeydb({"list"}).exit_code != -1 &&
         Maintkeydb({"status"}).exit_code == 0;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (WaitExit(pid, 0) != -1) break;
  }
  ASSERT_TRUE(up) << ReadText(stderr_path());

  const ToolResult create =
      Maintkeydb({"create", "both", "ECDSAP256SHA256", "-", "example.com."});
  EXPECT_EQ(create.exit_code, 0) << create.err << ReadText(stderr_path());
  const std::string out = dir_.path() + "/example.com.signed";
  const ToolResult sign =
      RunTool({"env", "KEYSTORED_USER=nobody", Runfile("cli/dnssigner"),
               "--socket", state_ + "/admin.sock", "-o", "example.com.", "-f",
               out, DeployFile("example.com.zone")});
  EXPECT_EQ(sign.exit_code, 0) << sign.err << ReadText(stderr_path());
  EXPECT_THAT(ReadText(out), HasSubstr("RRSIG"));

  // The secure heap is locked within LimitMEMLOCK, files are the user's.
  const std::string log = ReadText(stderr_path());
  // The TCP listener is up inside the address families the unit allows,
  // and takes a connection.
  const std::string marker = "listening on 127.0.0.1:";
  ASSERT_NE(log.find(marker), std::string::npos) << log;
  const int port = std::atoi(log.c_str() + log.find(marker) + marker.size());
  ASSERT_GT(port, 0) << log;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  close(fd);
  EXPECT_THAT(log, HasSubstr("locked"));
  EXPECT_THAT(log, Not(HasSubstr("WARNING"))) << log;
  struct stat st {};
  ASSERT_EQ(stat((state_ + "/keystore.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, nobody_uid_);
  EXPECT_EQ(st.st_mode & 077, 0u);

  kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid, 40), 0) << ReadText(stderr_path());
}

// The filter is applied, and keystored notices what it lacks: without prctl
// it cannot turn PR_SET_DUMPABLE off and refuses to start.
TEST_F(SandboxTest, WithoutPrctlKeystoredRefusesToStart) {
  std::set<std::string> less = allowed_;
  less.erase("prctl");
  const pid_t pid = StartKeystored(less);
  ASSERT_GT(pid, 0);
  const int status = WaitExit(pid, 20);
  if (status == -1) kill(pid, SIGKILL), WaitExit(pid, 5);
  EXPECT_NE(status, 0);
  EXPECT_NE(status, -1);
  EXPECT_THAT(ReadText(stderr_path()), HasSubstr("PR_SET_DUMPABLE"));
}

// What a program sees under the launcher, and without it: each line of the
// probe is one sandbox setting at work.
TEST_F(SandboxTest, ProbeSeesTheSandboxAndCanFailOutsideIt) {
  const std::string probe =
      "import mmap, os, sys\n"
      "def attempt(f):\n"
      "    try:\n"
      "        f()\n"
      "        return 'yes'\n"
      "    except OSError as e:\n"
      "        return os.strerror(e.errno)\n"
      "def wx():\n"
      "    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE)\n"
      "    mmap.mmap(-1, 4096, prot=mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
      "print('wx-map', attempt(wx))\n"
      "print('write-other', attempt(lambda: open(sys.argv[2] + '/p', 'w')))\n"
      "print('write-state', attempt(lambda: open(sys.argv[1] + '/p', 'w')))\n"
      "print('list-home', attempt(lambda: os.listdir('/home')))\n"
      "print('tmp-files', len(os.listdir('/tmp')) if os.path.isdir('/tmp') "
      "else 'none')\n"
      "print('proc-1', os.path.exists('/proc/1/status'))\n"
      "print('proc-cpuinfo', os.path.exists('/proc/cpuinfo'))\n"
      "print('proc-self', os.path.exists('/proc/self/status'))\n"
      "import socket\n"
      "print('netlink', attempt(lambda: socket.socket(socket.AF_NETLINK, "
      "socket.SOCK_RAW)))\n"
      "print('inet6', attempt(lambda: socket.socket(socket.AF_INET6)))\n";
  std::vector<std::string> argv = Launcher(allowed_);
  // Something in /tmp outside, which the private /tmp must not show.
  ScratchDir outside_tmp;
  argv.insert(argv.end(), {"python3", "-c", probe, state_, dir_.path()});
  const ToolResult under = RunTool(argv);
  EXPECT_EQ(under.exit_code, 0) << under.err;
  EXPECT_EQ(under.out,
            "wx-map Operation not permitted\n"
            "write-other Read-only file system\n"
            "write-state yes\n"
            "list-home Permission denied\n"
            "tmp-files 0\n"
            "proc-1 False\n"
            "proc-cpuinfo False\n"
            "proc-self True\n"
            "netlink Operation not permitted\n"
            "inet6 yes\n")
      << under.err;
  // The control: as root, outside the launcher, every line reads otherwise.
  const ToolResult free =
      RunTool({"python3", "-c", probe, state_, dir_.path()});
  EXPECT_THAT(free.out, HasSubstr("wx-map yes\n"));
  EXPECT_THAT(free.out, HasSubstr("write-other yes\n"));
  EXPECT_THAT(free.out, Not(HasSubstr("tmp-files 0\n")));
  EXPECT_THAT(free.out, HasSubstr("proc-1 True\n"));
  EXPECT_THAT(free.out, HasSubstr("proc-cpuinfo True\n"));
  EXPECT_THAT(free.out, HasSubstr("netlink yes\n"));
}

}  // namespace
}  // namespace zonekeep::testing
