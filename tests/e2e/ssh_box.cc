#include "tests/e2e/ssh_box.h"

#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "proto/unix_socket.h"

namespace zonekeep::testing {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool WriteText(const std::string& path, const std::string& text, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) return false;
  }
  return chmod(path.c_str(), mode) == 0;
}

// Replaces every `from` in `text`; false when there was none.
bool ReplaceAll(std::string& text, const std::string& from,
                const std::string& to) {
  size_t at = text.find(from);
  if (at == std::string::npos) return false;
  for (; at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return true;
}

// The first two fields ("TYPE BASE64") of an OpenSSH public key file.
std::string KeyFields(const std::string& pub) {
  std::istringstream in(pub);
  std::string type, base64;
  in >> type >> base64;
  return type + " " + base64;
}

bool MakeDir(const std::string& path, mode_t mode) {
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return false;
  return chmod(path.c_str(), mode) == 0;  // past the umask, and sticky bits
}

bool ChownTo(const std::string& path, const std::string& user,
             const std::string& group) {
  const passwd* pw = getpwnam(user.c_str());
  const passwd* gr = getpwnam(group.c_str());  // each user has its own group
  if (pw == nullptr || gr == nullptr) return false;
  return chown(path.c_str(), pw->pw_uid, gr->pw_gid) == 0;
}

bool WaitUntil(const std::function<bool()>& ready, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

SshBox::SshBox() {
  // A root-owned 0755 parent (sshd's StrictModes refuses paths through a
  // world-writable /tmp) whose file system lets the copied binaries run.
  for (const std::string parent : {"/run", "/var/lib"}) {
    struct statvfs fs;
    if (statvfs(parent.c_str(), &fs) != 0 || (fs.f_flag & ST_NOEXEC) != 0) {
      continue;
    }
    std::string templ = parent + "/zkssh.XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) continue;
    root_ = templ;
    break;
  }
  if (root_.empty()) {
    Fail("no exec-mounted /run or /var/lib to make the box in");
    return;
  }
  SetUp();
}

bool SshBox::SetLoginShell(const std::string& user, const std::string& shell) {
  return RunProcess({"usermod", "--shell", shell, user}).exit_code == 0;
}

SshBox::~SshBox() {
  sshd_.reset();
  keystored_.reset();
  for (const char* user : {kKeyManager, kShellOnly, kControl, kDaemonUser}) {
    if (getpwnam(user) != nullptr) RunProcess({"userdel", user});
  }
  if (!root_.empty()) RunProcess({"rm", "-rf", root_});
}

bool SshBox::Fail(const std::string& what, const ProcessResult& r) {
  return Fail(what + " (exit " + std::to_string(r.exit_code) + "): " + r.err +
              r.out);
}

bool SshBox::Fail(const std::string& what) {
  if (error_.empty()) error_ = what;
  return false;
}

bool SshBox::SetUp() {
  port_ = FreeLoopbackPort();
  if (port_ == 0) return Fail("no free loopback port");
  return MakeTree() && MakeUsers() && StartKeystored() && MakeSshKeys() &&
         WriteSshdConfig() && StartSshd();
}

bool SshBox::MakeTree() {
  if (chmod(root_.c_str(), 0755) != 0) return Fail("chmod " + root_);
  for (const auto& [dir, mode] :
       std::vector<std::pair<std::string, mode_t>>{{"bin", 0755},
                                                   {"state", 0700},
                                                   {"run", 0750},
                                                   {"import", 0750},
                                                   {"drop", 01777},
                                                   {"home", 0755},
                                                   {"keys", 0755},
                                                   {"sshd", 0755},
                                                   {"sshd/sshd_config.d", 0755},
                                                   {"client", 0700}}) {
    if (!MakeDir(root_ + "/" + dir, mode)) return Fail("mkdir " + dir);
  }
  for (const std::string binary : {"cli/maintkeydb", "keystore/keystored"}) {
    const std::string to =
        root_ + "/bin/" + std::filesystem::path(binary).filename().string();
    std::error_code error;
    std::filesystem::copy_file(RunfilePath(binary), to, error);
    if (error || chmod(to.c_str(), 0755) != 0) return Fail("copy " + binary);
  }
  return true;
}

bool SshBox::MakeUsers() {
  if (getpwnam(kDaemonUser) == nullptr) {
    ProcessResult r =
        RunProcess({"useradd", "--system", "--user-group", "--no-create-home",
                    "--home-dir", "/nonexistent", "--shell",
                    "/usr/sbin/nologin", kDaemonUser});
    if (r.exit_code != 0) return Fail("useradd daemon user", r);
  }
  struct Login {
    const char* name;
    std::string shell;
    std::string groups;
  };
  for (const Login& login : {Login{kKeyManager, maintkeydb(), kDaemonUser},
                             Login{kShellOnly, maintkeydb(), kDaemonUser},
                             Login{kControl, "/bin/sh", ""}}) {
    const std::string home = root_ + "/home/" + login.name;
    if (getpwnam(login.name) == nullptr) {
      ProcessResult r =
          RunProcess({"useradd", "--user-group", "--no-create-home",
                      "--home-dir", home, "--shell", login.shell, login.name});
      if (r.exit_code != 0)
        return Fail("useradd " + std::string(login.name), r);
    }
    // An earlier run's user: this run's home, shell and groups.
    ProcessResult r =
        RunProcess({"usermod", "--home", home, "--shell", login.shell,
                    "--groups", login.groups, login.name});
    if (r.exit_code != 0) return Fail("usermod " + std::string(login.name), r);
    if (!MakeDir(home, 0700) || !ChownTo(home, login.name, login.name)) {
      return Fail("home of " + std::string(login.name));
    }
  }
  for (const std::string dir : {"state", "run", "import"}) {
    if (!ChownTo(root_ + "/" + dir, kDaemonUser, kDaemonUser)) {
      return Fail("chown " + dir);
    }
  }
  return true;
}

bool SshBox::StartKeystored() {
  const std::string config = root_ + "/keystored.json";
  std::ostringstream json;
  json << "{\"state-dir\": \"" << state_dir() << "\", \"admin-socket\": \""
       << socket() << "\", \"import-dir\": \"" << import_dir()
       << "\", \"clients\": [{\"identity\": \"unix:" << kKeyManager
       << "\", \"role\": \"admin\"}, {\"identity\": \"unix:" << kShellOnly
       << "\", \"role\": \"admin\"}]}\n";
  if (!WriteText(config, json.str(), 0644)) return Fail("write " + config);
  keystored_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"setpriv", std::string("--reuid=") + kDaemonUser,
                               std::string("--regid=") + kDaemonUser,
                               "--init-groups", "--", root_ + "/bin/keystored",
                               "--config", config},
      root_ + "/keystored.log");
  if (!WaitUntil([this] { return ProbeUnixSocket(socket()).ok(); }, 10)) {
    return Fail("keystored did not start: " + keystored_log());
  }
  return true;
}

bool SshBox::MakeSshKeys() {
  for (const std::string& key : {root_ + "/sshd/host_key", client_key()}) {
    ProcessResult r = RunProcess({"ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                                  "-C", "zk-test", "-f", key});
    if (r.exit_code != 0) return Fail("ssh-keygen " + key, r);
  }
  public_key_ = KeyFields(ReadText(client_key() + ".pub"));
  const std::string known = "[127.0.0.1]:" + std::to_string(port_) + " " +
                            KeyFields(ReadText(root_ + "/sshd/host_key.pub")) +
                            "\n";
  if (!WriteText(root_ + "/client/known_hosts", known, 0600)) {
    return Fail("write known_hosts");
  }
  return true;
}

bool SshBox::WriteSshdConfig() {
  // deploy/sshd_keymaint.conf as documented: only the names and paths are
  // this box's.
  std::string match = ReadText(RunfilePath("deploy/sshd_keymaint.conf"));
  if (!ReplaceAll(match, "Match User keymaint",
                  std::string("Match User ") + kKeyManager) ||
      !ReplaceAll(match, "/usr/local/bin/maintkeydb", maintkeydb()) ||
      !ReplaceAll(match, "/run/keystored/admin.sock", socket())) {
    return Fail("deploy/sshd_keymaint.conf lacks its Match line or paths");
  }
  if (!WriteText(root_ + "/sshd/sshd_config.d/keymaint.conf", match, 0644)) {
    return Fail("write keymaint.conf");
  }
  // deploy/authorized_keys.example's one key line, with the test's key.
  std::istringstream example(
      ReadText(RunfilePath("deploy/authorized_keys.example")));
  std::string line, keymaint_line;
  int lines = 0;
  while (std::getline(example, line)) {
    if (line.empty() || line[0] == '#') continue;
    keymaint_line = line;
    ++lines;
  }
  if (lines != 1 ||
      !ReplaceAll(keymaint_line, "ssh-ed25519 <KEY-MANAGER-PUBLIC-KEY>",
                  public_key_) ||
      !ReplaceAll(keymaint_line, "/usr/local/bin/maintkeydb", maintkeydb()) ||
      !ReplaceAll(keymaint_line, "/run/keystored/admin.sock", socket())) {
    return Fail("deploy/authorized_keys.example: no single key line to use");
  }
  const std::vector<std::pair<std::string, std::string>> authorized = {
      {kKeyManager, keymaint_line},
      {kShellOnly, "restrict,pty " + public_key_ + " kmshell@test"},
      {kControl, public_key_ + " control@test"}};
  for (const auto& [user, key_line] : authorized) {
    if (!WriteText(root_ + "/keys/" + user, key_line + "\n", 0644)) {
      return Fail("write authorized_keys of " + user);
    }
  }
  // The main file in Debian's layout: sshd_config.d first, then its lines.
  std::ostringstream config;
  config << "Include " << root_ << "/sshd/sshd_config.d/*.conf\n"
         << "ListenAddress 127.0.0.1\n"
         << "HostKey " << root_ << "/sshd/host_key\n"
         << "PidFile none\n"
         << "AuthorizedKeysFile " << root_ << "/keys/%u\n"
         << "AllowUsers " << kKeyManager << " " << kShellOnly << " " << kControl
         << "\n"
         << "KbdInteractiveAuthentication no\n"
         << "UsePAM yes\n"
         << "X11Forwarding yes\n"
         << "PrintMotd no\n"
         << "AcceptEnv LANG LC_*\n"
         << "Subsystem sftp /usr/lib/openssh/sftp-server\n"
         << "LogLevel VERBOSE\n"
         // maintkeydb trusts a socket served by "keystored" unless told the
         // daemon user's name (deploy/sshd_keymaint.conf says how).
         << "SetEnv KEYSTORED_USER=" << kDaemonUser << "\n";
  const std::string path = root_ + "/sshd/sshd_config";
  if (!WriteText(path, config.str(), 0644)) return Fail("write sshd_config");
  if (!MakeDir("/run/sshd", 0755)) return Fail("mkdir /run/sshd");
  ProcessResult check = RunProcess({"/usr/sbin/sshd", "-t", "-f", path});
  if (check.exit_code != 0) return Fail("sshd -t", check);
  return true;
}

bool SshBox::StartSshd() {
  sshd_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"/usr/sbin/sshd", "-D", "-e", "-f",
                               root_ + "/sshd/sshd_config", "-p",
                               std::to_string(port_)},
      root_ + "/sshd.log");
  if (!WaitUntil([this] { return LoopbackPortAnswers(port_); }, 10)) {
    return Fail("sshd did not start: " + sshd_log());
  }
  return true;
}

std::string SshBox::sshd_log() const { return ReadText(root_ + "/sshd.log"); }

std::string SshBox::keystored_log() const {
  return ReadText(root_ + "/keystored.log");
}

std::vector<std::string> SshBox::SshOptions() const {
  return {"-F", "/dev/null",
          "-o", "Port=" + std::to_string(port_),
          "-o", "UserKnownHostsFile=" + root_ + "/client/known_hosts",
          "-o", "GlobalKnownHostsFile=/dev/null",
          "-o", "StrictHostKeyChecking=yes",
          "-o", "BatchMode=yes",
          "-o", "IdentitiesOnly=yes",
          "-o", "IdentityAgent=none",
          "-o", "ConnectTimeout=10",
          "-o", "LogLevel=ERROR",
          "-i", client_key()};
}

ProcessResult SshBox::Ssh(const std::string& user, const std::string& command,
                          const std::string& input) const {
  std::vector<std::string> argv = {"timeout", "30", "ssh"};
  for (const std::string& o : SshOptions()) argv.push_back(o);
  argv.push_back(Destination(user));
  if (!command.empty()) argv.push_back(command);
  return RunProcess(argv, input);
}

ProcessResult SshBox::Scp(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"timeout", "30", "scp"};
  for (const std::string& o : SshOptions()) argv.push_back(o);
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

ProcessResult SshBox::Sftp(const std::string& user,
                           const std::string& batch) const {
  const std::string batch_file = root_ + "/client/sftp.batch";
  WriteText(batch_file, batch, 0600);
  std::vector<std::string> argv = {"timeout", "30", "sftp"};
  for (const std::string& o : SshOptions()) argv.push_back(o);
  argv.push_back("-b");
  argv.push_back(batch_file);
  argv.push_back(Destination(user));
  return RunProcess(argv);
}

}  // namespace zonekeep::testing
