// Test support: a signer box on loopback set up as deploy/ documents it, for
// ssh logins for real. As root it makes (idempotently) a daemon user and a
// key manager in the daemon's group, copies keystored and maintkeydb into a
// root-owned 0755 tree under /run or /var/lib (runfiles under /root are 0700;
// sshd's StrictModes refuses a path through /tmp), runs
// keystored AS the daemon user (setpriv) with its state dir 0700 and its
// admin socket in a 0750 directory of the daemon's group, and runs Debian's
// sshd on a free 127.0.0.1 port with:
//   - deploy/sshd_keymaint.conf in an Include'd sshd_config.d, as Debian's
//     sshd_config includes it, only its user name and paths substituted;
//   - the key manager's authorized_keys line from
//     deploy/authorized_keys.example with the test's public key;
//   - host and client keys made with ssh-keygen at set-up.
// Three login users share the client key:
//   kKeyManager   login shell maintkeydb + the Match block + command=: the
//                 documented account;
//   kShellOnly    login shell maintkeydb, no forced command (sshd runs
//                 `maintkeydb -c "CLIENT COMMAND"`), authorized_keys
//                 `restrict,pty`;
//   kControl      login shell /bin/sh, nothing restricted: shows that the
//                 harness sees a shell, a copy or a forward when there is one.
// The users are removed again on destruction.
//
// Thread-safety: one instance per test suite; not for concurrent use.
#ifndef ZONEKEEP_TESTS_E2E_SSH_BOX_H_
#define ZONEKEEP_TESTS_E2E_SSH_BOX_H_

#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/background_process.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {

class SshBox {
 public:
  static constexpr char kDaemonUser[] = "zkt-keystored";
  static constexpr char kKeyManager[] = "zkt-keymaint";
  static constexpr char kShellOnly[] = "zkt-kmshell";
  static constexpr char kControl[] = "zkt-sshctl";

  // Sets everything up and starts keystored and sshd; error() says what
  // failed, if anything did.
  SshBox();
  ~SshBox();

  const std::string& error() const { return error_; }
  const std::string& root() const { return root_; }
  std::string state_dir() const { return root_ + "/state"; }
  std::string socket() const { return root_ + "/run/admin.sock"; }
  std::string import_dir() const { return root_ + "/import"; }
  // World-writable (1777): where a shell, had the user one, could write.
  std::string drop_dir() const { return root_ + "/drop"; }
  std::string maintkeydb() const { return root_ + "/bin/maintkeydb"; }
  std::string client_key() const { return root_ + "/client/id_ed25519"; }
  int port() const { return port_; }
  std::string sshd_log() const;
  std::string keystored_log() const;

  // ssh's options up to (not including) the destination: no user config,
  // the test's known_hosts only, strict host key checking, batch mode.
  std::vector<std::string> SshOptions() const;
  // `ssh OPTIONS USER@127.0.0.1 COMMAND` (no COMMAND when empty).
  ProcessResult Ssh(const std::string& user, const std::string& command,
                    const std::string& input = "") const;
  // scp or sftp with the same options (-P for the port); `args` follow them.
  ProcessResult Scp(const std::vector<std::string>& args) const;
  ProcessResult Sftp(const std::string& user, const std::string& batch) const;
  // usermod --shell: swaps a login user's shell (for the control cases).
  static bool SetLoginShell(const std::string& user, const std::string& shell);
  std::string Destination(const std::string& user) const {
    return user + "@127.0.0.1";
  }

 private:
  bool SetUp();
  bool Fail(const std::string& what, const ProcessResult& r);
  bool Fail(const std::string& what);
  bool MakeUsers();
  bool MakeTree();
  bool StartKeystored();
  bool MakeSshKeys();
  bool WriteSshdConfig();
  bool StartSshd();

  std::string error_;
  std::string root_;
  int port_ = 0;
  std::string public_key_;  // "ssh-ed25519 AAAA..." of the client key
  std::unique_ptr<BackgroundProcess> keystored_;
  std::unique_ptr<BackgroundProcess> sshd_;
};

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_SSH_BOX_H_
