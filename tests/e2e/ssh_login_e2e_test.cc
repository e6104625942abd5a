// The key manager's ssh account for real: Debian's sshd on a loopback port
// with deploy/sshd_keymaint.conf and deploy/authorized_keys.example as
// documented, maintkeydb as the login shell and ForceCommand, keystored
// running as its own user (tests/e2e/ssh_box.h). Over ssh the key manager
// runs one-shot commands and the interactive shell on a pty; the account
// gives no shell (`id`, `sh -c`, `;`, `$( )`, backticks, newlines, `!`), no
// file copy (scp in sftp and legacy mode, sftp), no forwarding (-L, -R, -W),
// and no way to read the key store or the master key: no byte of either, in
// raw, hex or base64, appears in anything any ssh call printed. A control
// user whose login shell is /bin/sh shows the harness sees a shell, a copy
// and a forward when there is one.
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/background_process.h"
#include "tests/e2e/key_table.h"
#include "tests/e2e/process_runner.h"
#include "tests/e2e/ssh_box.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kZone[] = "example.com.";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
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

// Every way a secret's bytes could be printed: raw, hex in both cases, and
// base64 at each of the three byte alignments (a copy inside a longer base64
// text), without the last, padding-dependent group.
std::vector<std::pair<std::string, std::string>> Encodings(
    const std::string& label, const std::string& bytes) {
  std::vector<std::pair<std::string, std::string>> out = {
      {label + " raw", bytes},
      {label + " hex", absl::BytesToHexString(bytes)},
      {label + " HEX", absl::AsciiStrToUpper(absl::BytesToHexString(bytes))}};
  for (size_t skip = 0; skip < 3; ++skip) {
    std::string b64 = absl::Base64Escape(bytes.substr(skip));
    if (b64.size() > 8) b64.resize(b64.size() - 4);
    out.push_back({label + " base64+" + std::to_string(skip), b64});
  }
  return out;
}

class SshLoginTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    box_ = new SshBox();
    captured_ = new std::string();
  }
  static void TearDownTestSuite() {
    delete box_;
    box_ = nullptr;
    delete captured_;
    captured_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(box_->error().empty())
        << box_->error() << "\nsshd: " << box_->sshd_log();
  }

  // ssh as `user`, everything it printed kept for the leak scan.
  static ProcessResult Ssh(const std::string& user, const std::string& command,
                           const std::string& input = "") {
    return Keep(box_->Ssh(user, command, input));
  }
  static ProcessResult Keep(ProcessResult r) {
    captured_->append(r.out).append(r.err);
    return r;
  }
  static ProcessResult KeyManager(const std::string& command) {
    return Ssh(SshBox::kKeyManager, command);
  }

  // The zone's keys, made over ssh once.
  static void EnsureZone() {
    if (KeyManager(std::string("list ") + kZone).exit_code == 0) return;
    ProcessResult r =
        KeyManager(std::string("create both ECDSAP256SHA256 - ") + kZone);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static std::vector<KeyRow> Keys() {
    ProcessResult r = KeyManager(std::string("list ") + kZone);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ParseKeyTable(r.out);
  }

  // A refusal: non-zero, nothing on stdout, the reason on stderr's first
  // line from maintkeydb (a hint may follow on a second), and no shell ran.
  static void ExpectRefused(const std::string& user, const std::string& command,
                            const std::string& reason) {
    SCOPED_TRACE(user + ": " + absl::CEscape(command));
    ProcessResult r = Ssh(user, command);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, StartsWith("maintkeydb: "));
    EXPECT_THAT(r.err, HasSubstr(reason));
    EXPECT_GE(Lines(r.err), 1);
    EXPECT_LE(Lines(r.err), 2);
    EXPECT_THAT(r.out + r.err, Not(HasSubstr("uid=")));
  }

  static SshBox* box_;
  static std::string* captured_;  // every byte any ssh call printed
};

SshBox* SshLoginTest::box_ = nullptr;
std::string* SshLoginTest::captured_ = nullptr;

TEST_F(SshLoginTest, OneShotCommandsWorkAndTakeEffect) {
  ProcessResult r = KeyManager(std::string("list ") + kZone);
  ASSERT_EQ(r.exit_code, 3) << r.err;  // no such zone yet
  r = KeyManager(std::string("create both ECDSAP256SHA256 - ") + kZone);
  ASSERT_EQ(r.exit_code, 0) << r.err << box_->sshd_log();
  const std::vector<KeyRow> keys = Keys();
  ASSERT_EQ(keys.size(), 3u);
  ASSERT_EQ(Select(keys, "KSK", "active").size(), 1u);
  EXPECT_EQ(Select(keys, "ZSK", "active").size(), 1u);
  EXPECT_EQ(Select(keys, "ZSK", "published").size(), 1u);
  const int ksk = Select(keys, "KSK", "active")[0].tag;
  r = KeyManager(std::string("parentdata ds ") + kZone);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" IN DS " + std::to_string(ksk) + " 13 2 "));
  // The effect, seen by the key store itself (read as root).
  ProcessResult db =
      RunProcess({"sqlite3", "-readonly", box_->state_dir() + "/keystore.db",
                  "SELECT count(*) FROM keys WHERE zone = 'example.com.' AND "
                  "deleted = 0"});
  ASSERT_EQ(db.exit_code, 0) << db.err;
  EXPECT_EQ(db.out, "3\n");
  // And audited under the key manager's own identity (the socket's peer).
  r = KeyManager(std::string("audit ") + kZone);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(std::string("unix:") + SshBox::kKeyManager));
}

// One pty, as the key manager types: ssh -tt on a terminal the test holds.
class PtySsh {
 public:
  explicit PtySsh(const std::vector<std::string>& argv) {
    struct winsize size = {};
    size.ws_row = 40;
    size.ws_col = 132;
    pid_ = forkpty(&master_, nullptr, nullptr, &size);
    if (pid_ == 0) {
      std::vector<std::string> args = argv;
      std::vector<char*> c_args;
      for (std::string& a : args) c_args.push_back(a.data());
      c_args.push_back(nullptr);
      setenv("TERM", "xterm", 1);
      execvp(c_args[0], c_args.data());
      _exit(127);
    }
  }
  ~PtySsh() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }
  void Type(const std::string& keys) {
    ASSERT_EQ(write(master_, keys.data(), keys.size()),
              static_cast<ssize_t>(keys.size()));
  }
  // Reads until `part` has been seen `times` times, or 30 s pass.
  bool WaitFor(const std::string& part, size_t times = 1) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (Count(part) < times) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      struct pollfd p = {master_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t got = read(master_, buffer, sizeof(buffer));
      if (got <= 0) return Count(part) >= times;
      screen_.append(buffer, static_cast<size_t>(got));
    }
    return true;
  }
  int WaitExit() {
    for (int i = 0; i < 150; ++i) {
      WaitFor("\x01never", 1);  // drains; returns at EOF or after 30 s
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }
  size_t Count(const std::string& part) const {
    size_t n = 0;
    for (size_t at = screen_.find(part); at != std::string::npos;
         at = screen_.find(part, at + part.size())) {
      ++n;
    }
    return n;
  }
  const std::string& screen() const { return screen_; }

 private:
  pid_t pid_ = -1;
  int master_ = -1;
  bool exited_ = false;
  std::string screen_;
};

// sshd runs `maintkeydb -c "maintkeydb --socket ..."` for the ForceCommand;
// without one (login shell only) `maintkeydb -c "CLIENT COMMAND"`.
TEST_F(SshLoginTest, LoginShellWithoutForceCommandRunsOnlyMaintkeydb) {
  EnsureZone();
  ProcessResult r =
      Ssh(SshBox::kShellOnly,
          "maintkeydb --socket " + box_->socket() + " list " + kZone);
  ASSERT_EQ(r.exit_code, 0) << r.err << box_->sshd_log();
  EXPECT_EQ(ParseKeyTable(r.out).size(), 3u) << r.out;
  ExpectRefused(SshBox::kShellOnly, "id", "unknown command \"id\"");
  ExpectRefused(SshBox::kShellOnly,
                "sh -c 'touch " + box_->drop_dir() + "/kmshell'",
                "unknown command \"sh\"");
  ExpectRefused(SshBox::kShellOnly, "/bin/sh -c id", "is a program path");
  ExpectRefused(SshBox::kShellOnly, "scp -t " + box_->drop_dir(),
                "file transfer");
  EXPECT_FALSE(Exists(box_->drop_dir() + "/kmshell"));
  // A plain login: sshd starts `-maintkeydb`, the shell.
  std::vector<std::string> argv = {"timeout", "60", "ssh"};
  for (const std::string& o : box_->SshOptions()) argv.push_back(o);
  argv.push_back("-tt");
  argv.push_back(box_->Destination(SshBox::kShellOnly));
  PtySsh session(argv);
  ASSERT_TRUE(session.WaitFor("maintkeydb> ", 1)) << session.screen();
  session.Type("id\r");
  ASSERT_TRUE(session.WaitFor("maintkeydb> ", 2)) << session.screen();
  EXPECT_THAT(session.screen(), HasSubstr("unknown command \"id\""));
  session.Type("help list\r");
  ASSERT_TRUE(session.WaitFor("maintkeydb> ", 3)) << session.screen();
  session.Type("exit\r");
  EXPECT_EQ(session.WaitExit(), 0) << session.screen();
  captured_->append(session.screen());
  EXPECT_THAT(session.screen(), Not(HasSubstr("uid=")));
}

TEST_F(SshLoginTest, InteractiveSessionOnAPty) {
  EnsureZone();
  std::vector<std::string> argv = {"timeout", "60", "ssh"};
  for (const std::string& o : box_->SshOptions()) argv.push_back(o);
  argv.push_back("-tt");
  argv.push_back(box_->Destination(SshBox::kKeyManager));
  PtySsh session(argv);
  const std::string prompt = "maintkeydb> ";
  ASSERT_TRUE(session.WaitFor(prompt, 1)) << session.screen();
  session.Type(std::string("list ") + kZone + "\r");
  ASSERT_TRUE(session.WaitFor(prompt, 2)) << session.screen();
  EXPECT_THAT(session.screen(), HasSubstr("KSK"));
  session.Type("!id\r");
  ASSERT_TRUE(session.WaitFor(prompt, 3)) << session.screen();
  EXPECT_THAT(session.screen(), HasSubstr("no history entry id"));
  session.Type("id\r");
  ASSERT_TRUE(session.WaitFor(prompt, 4)) << session.screen();
  EXPECT_THAT(session.screen(), HasSubstr("unknown command \"id\""));
  session.Type("sh -c 'touch " + box_->drop_dir() + "/pty'\r");
  ASSERT_TRUE(session.WaitFor(prompt, 5)) << session.screen();
  session.Type(std::string("status ") + kZone + "\r");
  ASSERT_TRUE(session.WaitFor(prompt, 6)) << session.screen();
  session.Type("quit\r");
  EXPECT_EQ(session.WaitExit(), 0) << session.screen();
  captured_->append(session.screen());
  EXPECT_THAT(session.screen(), Not(HasSubstr("uid=")));
  EXPECT_FALSE(Exists(box_->drop_dir() + "/pty"));
}

TEST_F(SshLoginTest, NoShellSyntaxRunsAnything) {
  EnsureZone();
  const std::vector<KeyRow> before = Keys();
  const std::string marker = box_->drop_dir() + "/marker";
  const std::string touch = "touch " + marker;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"id", "unknown command \"id\""},
      {"sh -c id", "unknown command \"sh\""},
      {"list example.com.; id", "list"},
      {"$(id)", "unknown command \"$(id)\""},
      {"`id`", "unknown command \"`id`\""},
      {"list example.com.\nid", "control character (a newline)"},
      {"!id", "unknown command \"!id\""},
      {touch, "unknown command \"touch\""},
      {"sh -c '" + touch + "'", "unknown command \"sh\""},
      {"list example.com.; " + touch, "list"},
      {"list example.com. && " + touch, "list"},
      {"list example.com. | sh", "list"},
      {"$(" + touch + ")", "unknown command"},
      {"`" + touch + "`", "unknown command"},
      {"list example.com.\n" + touch, "control character"},
      {"/bin/sh -c '" + touch + "'", "is a program path"},
      {"exec /bin/sh", "unknown command \"exec\""},
  };
  for (const auto& [command, reason] : cases) {
    ExpectRefused(SshBox::kKeyManager, command, reason);
  }
  EXPECT_FALSE(Exists(marker));
  EXPECT_EQ(Keys(), before);  // and no command took effect
}

// The harness can fail: a login shell of /bin/sh runs each of them.
TEST_F(SshLoginTest, ControlUserWithAShellRunsThem) {
  const std::string marker = box_->drop_dir() + "/control-marker";
  ProcessResult r = Ssh(SshBox::kControl, "id");
  EXPECT_EQ(r.exit_code, 0) << r.err << box_->sshd_log();
  EXPECT_THAT(r.out, HasSubstr("uid="));
  r = Ssh(SshBox::kControl, "list example.com.; touch " + marker);
  EXPECT_TRUE(Exists(marker)) << r.err;
  r = Ssh(SshBox::kControl, "echo $(id) `id`");
  EXPECT_THAT(r.out, HasSubstr("uid="));
}

// The refusals are maintkeydb's doing: swap the login-shell-only user's shell
// for /bin/sh and `id` runs; swap it back and it is refused again. The key
// manager, with /bin/sh as its shell, is still held by its ForceCommand
// (sshd runs `sh -c "maintkeydb --socket ..."`).
TEST_F(SshLoginTest, SwappedLoginShellShowsWhoRefuses) {
  EnsureZone();
  // Both shells back to maintkeydb however this test ends.
  struct Restore {
    ~Restore() {
      SshBox::SetLoginShell(SshBox::kKeyManager, box_->maintkeydb());
      SshBox::SetLoginShell(SshBox::kShellOnly, box_->maintkeydb());
    }
  } restore;
  ASSERT_TRUE(SshBox::SetLoginShell(SshBox::kShellOnly, "/bin/sh"));
  ProcessResult r = Ssh(SshBox::kShellOnly, "id");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("uid="));
  ASSERT_TRUE(SshBox::SetLoginShell(SshBox::kKeyManager, "/bin/sh"));
  ExpectRefused(SshBox::kKeyManager, "id", "unknown command \"id\"");
  ExpectRefused(SshBox::kKeyManager, "sftp", "file transfer");
  r = KeyManager(std::string("list ") + kZone);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ParseKeyTable(r.out).size(), 3u) << r.out;
  ASSERT_TRUE(SshBox::SetLoginShell(SshBox::kShellOnly, box_->maintkeydb()));
  ExpectRefused(SshBox::kShellOnly, "id", "unknown command \"id\"");
}

TEST_F(SshLoginTest, FilesCannotBeCopied) {
  const std::string local = box_->root() + "/client/upload.txt";
  std::ofstream(local) << "copied over ssh\n";
  const std::string km = box_->Destination(SshBox::kKeyManager) + ":";
  const std::string control = box_->Destination(SshBox::kControl) + ":";
  const std::string drop = box_->drop_dir();
  for (const std::string mode : {"", "-O"}) {
    SCOPED_TRACE(mode.empty() ? "scp (sftp protocol)" : "scp -O (legacy)");
    std::vector<std::string> flags;
    if (!mode.empty()) flags.push_back(mode);
    auto scp = [&](const std::string& from, const std::string& to) {
      std::vector<std::string> args = flags;
      args.push_back(from);
      args.push_back(to);
      return Keep(box_->Scp(args));
    };
    const std::string up = drop + "/up" + mode;
    ProcessResult r = scp(local, km + up);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_FALSE(Exists(up));
    const std::string down = box_->root() + "/client/down" + mode;
    r = scp(km + "/etc/hostname", down);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_FALSE(Exists(down));
    r = scp(km + box_->state_dir() + "/master.key", down);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_FALSE(Exists(down));
    // The same copies work for the control user: the check can fail.
    const std::string control_up = drop + "/control-up" + mode;
    r = scp(local, control + control_up);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadFile(control_up), "copied over ssh\n");
    r = scp(control + "/etc/hostname", down);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(Exists(down));
    unlink(down.c_str());
  }
  const std::string sftp_down = box_->root() + "/client/sftp-down";
  const std::string batch = "put " + local + " " + drop + "/sftp-up\nget " +
                            "/etc/hostname " + sftp_down + "\n";
  ProcessResult r = Keep(box_->Sftp(SshBox::kKeyManager, batch));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(Exists(drop + "/sftp-up"));
  EXPECT_FALSE(Exists(sftp_down));
  r = Keep(box_->Sftp(SshBox::kControl, batch));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Exists(drop + "/sftp-up"));
  // The refusal maintkeydb gives the sftp subsystem, as the client sees it.
  EXPECT_THAT(*captured_, HasSubstr("maintkeydb: file transfer"));
}

// Reads what 127.0.0.1:`port` sends first, for up to `ms`.
std::string Greeting(int port, int ms) {
  std::vector<std::string> argv = {
      "timeout", std::to_string(ms / 1000 + 1), "bash", "-c",
      "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) +
          " && head -c 8 <&3"};
  return RunProcess(argv).out;
}

TEST_F(SshLoginTest, NothingIsForwarded) {
  const std::string ssh_port = std::to_string(box_->port());
  auto forward = [&](const std::string& user, const std::string& flag,
                     int listen_port) {
    std::vector<std::string> argv = {"ssh"};
    for (const std::string& o : box_->SshOptions()) argv.push_back(o);
    for (const std::string& x :
         {std::string("-N"), std::string("-o"),
          std::string("ExitOnForwardFailure=yes"), flag,
          std::to_string(listen_port) + ":127.0.0.1:" + ssh_port,
          box_->Destination(user)}) {
      argv.push_back(x);
    }
    return std::make_unique<BackgroundProcess>(
        argv, box_->root() + "/client/forward-" + user + flag + ".log");
  };
  auto wait_listening = [](int port) {
    for (int i = 0; i < 300 && !LoopbackPortAnswers(port); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return LoopbackPortAnswers(port);
  };
  // -L: the client listens, the server refuses each channel: no banner.
  {
    const int port = FreeLoopbackPort();
    auto km = forward(SshBox::kKeyManager, "-L", port);
    ASSERT_TRUE(wait_listening(port)) << km->log();
    EXPECT_EQ(Greeting(port, 10000), "");
    km->Stop();
    captured_->append(km->log());
    auto control = forward(SshBox::kControl, "-L", port);
    ASSERT_TRUE(wait_listening(port)) << control->log();
    EXPECT_EQ(Greeting(port, 10000), "SSH-2.0-");
  }
  // -R: the server refuses to listen; ssh gives up.
  {
    const int port = FreeLoopbackPort();
    auto km = forward(SshBox::kKeyManager, "-R", port);
    EXPECT_NE(km->WaitExit(30), 0);
    EXPECT_FALSE(LoopbackPortAnswers(port));
    captured_->append(km->log());
    auto control = forward(SshBox::kControl, "-R", port);
    ASSERT_TRUE(wait_listening(port)) << control->log();
    EXPECT_EQ(Greeting(port, 10000), "SSH-2.0-");
  }
  // -W: stdio forwarding is a channel too.
  std::vector<std::string> argv = {"timeout", "15", "ssh"};
  for (const std::string& o : box_->SshOptions()) argv.push_back(o);
  argv.push_back("-W");
  argv.push_back("127.0.0.1:" + ssh_port);
  argv.push_back(box_->Destination(SshBox::kKeyManager));
  ProcessResult r = Keep(RunProcess(argv));
  EXPECT_THAT(r.out, Not(HasSubstr("SSH-2.0-")));
  // sshd itself said no (not a target that was down).
  EXPECT_THAT(box_->sshd_log(), HasSubstr("refused local port forward"));
  argv.back() = box_->Destination(SshBox::kControl);
  r = RunProcess(argv);
  EXPECT_THAT(r.out, HasSubstr("SSH-2.0-"));
}

// Runs last (gtest keeps declaration order): scans what every test printed.
TEST_F(SshLoginTest, KeyStoreAndMasterKeyCannotBeRead) {
  EnsureZone();
  const std::string state = box_->state_dir();
  const std::string master = ReadFile(state + "/master.key");
  ASSERT_EQ(master.size(), 32u);
  ProcessResult blobs =
      RunProcess({"sqlite3", "-readonly", state + "/keystore.db",
                  "SELECT hex(sealed_private) FROM keys"});
  ASSERT_EQ(blobs.exit_code, 0) << blobs.err;
  std::vector<std::pair<std::string, std::string>> needles =
      Encodings("master.key", master);
  int sealed = 0;
  for (absl::string_view hex : absl::StrSplit(blobs.out, '\n')) {
    if (hex.empty()) continue;
    for (auto& n : Encodings("sealed key " + std::to_string(++sealed),
                             absl::HexStringToBytes(hex))) {
      needles.push_back(std::move(n));
    }
  }
  ASSERT_GE(sealed, 3);
  // maintkeydb has no command that reads a file on the box; import reads
  // only keystored's import-dir, and says no without showing the file.
  for (const std::string& path : std::vector<std::string>{
           state + "/master.key", state + "/keystore.db", "../state/master.key",
           "../state/keystore.db"}) {
    ProcessResult r = KeyManager(std::string("import ") + kZone + " " + path);
    EXPECT_NE(r.exit_code, 0) << path;
    EXPECT_EQ(r.out, "") << path;
  }
  for (const std::string& command : std::vector<std::string>{
           "cat " + state + "/master.key", "list --json example.com.",
           "showkeys example.com.", "parentdata key example.com.",
           "status example.com.", "audit", "stats"}) {
    KeyManager(command);
  }
  ProcessResult r = Keep(box_->Scp(
      {"-O",
       box_->Destination(SshBox::kKeyManager) + ":" + state + "/master.key",
       box_->root() + "/client/stolen"}));
  EXPECT_NE(r.exit_code, 0);
  // The operating system agrees: the key manager's uid cannot read them.
  for (const std::string file : {"/master.key", "/keystore.db"}) {
    ProcessResult as_km =
        RunProcess({"setpriv", std::string("--reuid=") + SshBox::kKeyManager,
                    std::string("--regid=") + SshBox::kKeyManager,
                    "--init-groups", "cat", state + file});
    EXPECT_NE(as_km.exit_code, 0);
    EXPECT_THAT(as_km.err, HasSubstr("Permission denied"));
  }
  ASSERT_GT(captured_->size(), 1000u);
  for (const auto& [label, needle] : needles) {
    EXPECT_EQ(captured_->find(needle), std::string::npos)
        << label << " appears in the ssh output";
  }
  // The scan can fail: a copy of the master key in hex, or of a sealed blob
  // in base64, is found.
  auto found = [&](const std::string& text) {
    for (const auto& [label, needle] : needles) {
      if (text.find(needle) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(found("x" + absl::BytesToHexString(master) + "x"));
  EXPECT_TRUE(found(absl::Base64Escape(
      "ab" + absl::HexStringToBytes(blobs.out.substr(0, blobs.out.find('\n'))) +
      "cd")));
  EXPECT_FALSE(found(*captured_));
}

}  // namespace
}  // namespace zonekeep::testing
