// keystored: the key store daemon. Owns the SQLite key database and the master
// key, serves KeyAdmin and ZoneSigner on the admin unix socket and, with
// "listen", on TCP (TLS per the "tls" configuration), plus grpc.health.v1 and
// server reflection. SIGHUP reloads "clients" (and the signing policy) from
// the configuration file; SIGTERM lets calls in flight finish for up to
// "shutdown-grace" seconds, then exits 0.
//
//   keystored [--config FILE] [--state-dir DIR]
//   keystored --restore FILE [--sha256 HEX] [--force] [--config FILE]
//             [--state-dir DIR]
//   keystored --check-config FILE | --help | --version
//
// With no config it runs on the embedded default: state in ./var/keystored,
// admin socket ./var/keystored/admin.sock, no TCP listener.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dnssec/name.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "keystore/daemon/access_policy.h"
#include "keystore/daemon/admin_service.h"
#include "keystore/daemon/config.h"
#include "keystore/daemon/dns_checks.h"
#include "keystore/daemon/process_hardening.h"
#include "keystore/daemon/sign_stats.h"
#include "keystore/daemon/signature_record_file.h"
#include "keystore/daemon/signing_service.h"
#include "keystore/daemon/state_dir_lock.h"
#include "keystore/daemon/tls_credentials.h"
#include "keystore/daemon/unix_socket_listener.h"
#include "keystore/key_manager.h"
#include "keystore/make_dirs.h"
#include "keystore/restore.h"
#include "proto/version.h"

namespace zonekeep {
namespace keystored {
namespace {

// The admin socket's directory: created 0750 (the admin group may connect).
absl::Status EnsureParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return absl::OkStatus();
  return keystore::MakeDirectories(path.substr(0, slash), 0750,
                                   "socket directory");
}

// The master key file: state-dir/master.key, or with
// "master-key-credential" NAME the systemd credential
// $CREDENTIALS_DIRECTORY/NAME, which must exist (keystored never makes one
// there).
absl::StatusOr<std::string> MasterKeyPath(const v1::KeystoredConfig& config) {
  const std::string& name = config.master_key_credential();
  if (name.empty()) return config.state_dir() + "/master.key";
  if (name.find('/') != std::string::npos || name == "." || name == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("master-key-credential \"", absl::CHexEscape(name),
                     "\" must be a credential name, not a path"));
  }
  const char* dir = getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == '\0') {
    return absl::FailedPreconditionError(absl::StrCat(
        "master-key-credential \"", name,
        "\" is configured but $CREDENTIALS_DIRECTORY is not set (run "
        "keystored from systemd with LoadCredentialEncrypted=",
        name, ":...)"));
  }
  const std::string path = absl::StrCat(dir, "/", name);
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "master-key-credential: ", path,
        " does not exist (see "
        "deploy/keystored.service for making the encrypted credential)"));
  }
  return path;
}

constexpr char kUsage[] =
    "usage: keystored [--config FILE] [--state-dir DIR]\n"
    "       keystored --restore FILE [--sha256 HEX] [--force] [--config FILE]\n"
    "                 [--state-dir DIR]\n"
    "       keystored --check-config FILE\n"
    "       keystored --help | --version\n";

constexpr char kHelp[] =
    "\n"
    "The zonekeep key store daemon: keeps every zone's keys (sealed under\n"
    "DIR/master.key, in DIR/keystore.db) and serves maintkeydb and dnssigner\n"
    "on its admin socket. One keystored per state dir (DIR/keystored.lock).\n"
    "\n"
    "  --config FILE        JSON configuration (default: the embedded one:\n"
    "                       state in ./var/keystored, socket admin.sock in "
    "it)\n"
    "  --state-dir DIR      overrides \"state-dir\"; the admin socket then\n"
    "                       defaults to DIR/admin.sock\n"
    "  --restore FILE       installs FILE (made by maintkeydb backup) as the\n"
    "                       state dir's keystore.db and exits, without\n"
    "                       serving. Refused while a keystored runs there,\n"
    "                       unless the master key keystored would use opens\n"
    "                       FILE's check value and every key in it, and when\n"
    "                       the state dir already holds keys\n"
    "  --sha256 HEX         with --restore: FILE must have this SHA-256 (the\n"
    "                       one maintkeydb backup printed)\n"
    "  --force              with --restore: replace a store that holds keys\n"
    "                       (kept aside as keystore.db.before-restore-TIME)\n"
    "  --check-config FILE  reports every problem of FILE, one per line, and\n"
    "                       exits (0: fine, 1: problems); starts nothing\n"
    "  -h, --help           this text\n"
    "  --version            the version\n";

struct Flags {
  std::string config;
  std::string state_dir;
  std::string check_config;
  std::string restore;
  std::string sha256;
  bool force = false;
  bool help = false;
  bool version = false;
};

// docs/ARCHITECTURE.md spells the flags with dashes (--state-dir), which absl
// flags cannot; there are only a few, so they are read here.
absl::StatusOr<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      flags.help = true;
      continue;
    }
    if (arg == "--version") {
      flags.version = true;
      continue;
    }
    if (arg == "--force") {
      flags.force = true;
      continue;
    }
    std::string* target = nullptr;
    std::string name = arg.substr(0, arg.find('='));
    if (name == "--config") target = &flags.config;
    if (name == "--state-dir") target = &flags.state_dir;
    if (name == "--check-config") target = &flags.check_config;
    if (name == "--restore") target = &flags.restore;
    if (name == "--sha256") target = &flags.sha256;
    if (target == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown argument \"", arg, "\""));
    }
    if (arg.size() > name.size()) {
      *target = arg.substr(name.size() + 1);
    } else if (i + 1 < argc) {
      *target = argv[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
    }
    if (target->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
    }
  }
  if ((flags.force || !flags.sha256.empty()) && flags.restore.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        flags.force ? "--force" : "--sha256", " goes with --restore FILE"));
  }
  if (!flags.sha256.empty() &&
      (flags.sha256.size() != 64 ||
       flags.sha256.find_first_not_of("0123456789abcdefABCDEF") !=
           std::string::npos)) {
    return absl::InvalidArgumentError(
        "--sha256 takes the 64 hex digits maintkeydb backup printed");
  }
  return flags;
}

// Prints a multi-line error, each line as "keystored: LINE".
void PrintError(const absl::Status& status) {
  for (absl::string_view line : absl::StrSplit(status.message(), '\n')) {
    fprintf(stderr, "keystored: %s\n", std::string(line).c_str());
  }
}

// --check-config FILE: every problem, nothing started.
int CheckConfigFile(const std::string& path) {
  absl::StatusOr<v1::KeystoredConfig> config = LoadConfig(path, "");
  if (!config.ok()) {
    PrintError(config.status());
    return 1;
  }
  printf("%s: configuration OK (state-dir %s, admin-socket %s)\n", path.c_str(),
         config->state_dir().c_str(), config->admin_socket().c_str());
  return 0;
}

// Where a trust-anchor directory is bundled for the certificate provider.
std::string TrustBundlePath(const v1::KeystoredConfig& config) {
  return config.state_dir() + "/tls-trust-anchor.pem";
}

// SIGHUP: a new "clients" list (and signing policy) from the configuration
// file; calls in flight keep the policy they started with. An invalid file
// keeps the old configuration and says so in one line.
void ReloadClients(const std::string& config_path, const std::string& state_dir,
                   AccessPolicyHolder* policies) {
  if (config_path.empty()) {
    fprintf(stderr, "keystored: SIGHUP: no --config file, nothing to reload\n");
    return;
  }
  absl::StatusOr<v1::KeystoredConfig> fresh =
      LoadConfig(config_path, state_dir);
  if (!fresh.ok()) {
    std::vector<std::string> lines =
        absl::StrSplit(fresh.status().message(), '\n');
    fprintf(stderr, "keystored: SIGHUP: keeping the old configuration: %s\n",
            absl::StrJoin(lines, "; ").c_str());
    return;
  }
  policies->Set(std::make_shared<const AccessPolicy>(*fresh));
  // A trust-anchor directory: its bundle is rebuilt, and the certificate
  // provider picks it up at its next refresh.
  if (!fresh->tls().trust_anchor().empty()) {
    absl::StatusOr<std::string> bundle =
        RebuildTrustBundle(fresh->tls(), TrustBundlePath(*fresh));
    if (!bundle.ok()) {
      fprintf(stderr, "keystored: SIGHUP: %s\n",
              std::string(bundle.status().message()).c_str());
    }
  }
  fprintf(stderr, "keystored: SIGHUP: reloaded clients from %s (%d entries)\n",
          config_path.c_str(), fresh->clients_size());
}

bool PathExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// --restore FILE: keystore/restore.h, under the state dir lock, then exit.
// A refusal leaves the state dir as it was: a lock file or state dir made
// here is removed again.
int RestoreStateDir(const Flags& flags, const v1::KeystoredConfig& config) {
  const std::string& dir = config.state_dir();
  const std::string lock_path = absl::StrCat(dir, "/", kLockFileName);
  const bool dir_existed = PathExists(dir);
  const bool lock_existed = PathExists(lock_path);
  const auto refuse = [&](const absl::Status& why) {
    if (!lock_existed) unlink(lock_path.c_str());
    if (!dir_existed) rmdir(dir.c_str());
    std::string message(why.message());
    for (char& c : message) {
      if (c == '\n' || c == '\r') c = ' ';  // one line, whatever the cause
    }
    fprintf(stderr, "keystored: restore refused: %s\n", message.c_str());
    return 1;
  };
  if (absl::Status s = keystore::MakeDirectories(dir, 0700, "state dir");
      !s.ok()) {
    return refuse(s);
  }
  if (absl::Status s = CheckStateDirOwner(dir, geteuid()); !s.ok()) {
    return refuse(s);
  }
  absl::StatusOr<std::unique_ptr<StateDirLock>> lock =
      StateDirLock::Acquire(dir, /*write_pid=*/false);
  if (!lock.ok()) return refuse(lock.status());
  absl::StatusOr<std::string> master = MasterKeyPath(config);
  if (!master.ok()) return refuse(master.status());
  keystore::RestoreRequest request;
  request.backup_path = flags.restore;
  request.state_dir = dir;
  request.master_key_path = *master;
  request.force = flags.force;
  request.expected_sha256 = flags.sha256;
  request.now = absl::Now();
  absl::StatusOr<keystore::RestoreResult> restored =
      keystore::RestoreKeyStore(request);
  if (!restored.ok()) return refuse(restored.status());
  const keystore::BackupSummary& summary = restored->summary;
  printf(
      "keystored: restored %s into %s: %zu zones (%s), %d keys (+%d in the "
      "bin), master key id %s, sha256 %s%s\n",
      flags.restore.c_str(), restored->db_path.c_str(), summary.zones.size(),
      absl::StrJoin(summary.zones, " ").c_str(), summary.keys,
      summary.keys_in_bin, summary.master_key_id.c_str(),
      summary.sha256_hex.c_str(),
      restored->kept_aside.empty()
          ? ""
          : absl::StrCat("; the old store is kept as ", restored->kept_aside)
                .c_str());
  return 0;
}

int Run(int argc, char** argv) {
  // No core file, no ptrace, secrets in the secure heap (process_hardening.h).
  absl::StatusOr<Hardening> hardening = HardenProcess();
  if (!hardening.ok()) {
    PrintError(hardening.status());
    return 2;
  }
  for (const std::string& warning : hardening->warnings) {
    fprintf(stderr, "keystored: WARNING: %s\n", warning.c_str());
  }
  absl::StatusOr<Flags> flags = ParseFlags(argc, argv);
  if (!flags.ok()) {
    fprintf(stderr, "keystored: %s\n%s",
            std::string(flags.status().message()).c_str(), kUsage);
    return 2;
  }
  if (flags->help) {
    printf("%s%s", kUsage, kHelp);
    return 0;
  }
  if (flags->version) {
    printf("keystored (zonekeep) %s\n", ::zonekeep::kVersion);
    return 0;
  }
  if (!flags->check_config.empty()) return CheckConfigFile(flags->check_config);
  absl::StatusOr<v1::KeystoredConfig> config =
      LoadConfig(flags->config, flags->state_dir);
  if (!config.ok()) {
    PrintError(config.status());
    return 2;
  }

  if (!flags->restore.empty()) return RestoreStateDir(*flags, *config);

  // One keystored per state dir, for its whole life (state_dir_lock.h).
  if (absl::Status s =
          keystore::MakeDirectories(config->state_dir(), 0700, "state dir");
      !s.ok()) {
    fprintf(stderr, "keystored: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (absl::Status s = CheckStateDirOwner(config->state_dir(), geteuid());
      !s.ok()) {
    fprintf(stderr, "keystored: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<StateDirLock>> lock =
      StateDirLock::Acquire(config->state_dir());
  if (!lock.ok()) {
    fprintf(stderr, "keystored: %s\n",
            std::string(lock.status().message()).c_str());
    return 2;
  }

  keystore::KeyManagerOptions options;
  options.state_dir = config->state_dir();
  if (absl::StatusOr<std::string> master = MasterKeyPath(*config);
      !master.ok()) {
    fprintf(stderr, "keystored: %s\n",
            std::string(master.status().message()).c_str());
    return 2;
  } else {
    options.master_key_path = *master;
  }
  options.propagation_delay = absl::Seconds(config->propagation_delay());
  options.dns_observer = MakeDnsObserver(*config);
  options.purge_min_age = absl::Seconds(config->purge_min_age());
  options.audit_refusal_interval =
      absl::Seconds(config->audit_refusal_interval());
  for (const v1::ZoneDnsConfig& zone : config->zones()) {
    absl::StatusOr<std::string> name = dnssec::NormalizeZoneName(zone.zone());
    if (zone.cds() && name.ok()) options.cds_zones.push_back(*name);
  }
  options.import_dir = config->import_dir();
  absl::StatusOr<std::unique_ptr<keystore::KeyManager>> keys =
      keystore::KeyManager::Open(options);
  if (!keys.ok()) {
    fprintf(stderr, "keystored: %s\n",
            std::string(keys.status().message()).c_str());
    return 2;
  }
  if (absl::Status s = EnsureParentDir(config->admin_socket()); !s.ok()) {
    fprintf(stderr, "keystored: %s\n", std::string(s.message()).c_str());
    return 2;
  }

  // Signals are taken synchronously by this thread; block them before any
  // other thread starts so none of those gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  AccessPolicyHolder policies(std::make_shared<const AccessPolicy>(*config));
  UnixSocketListener listener(
      config->admin_socket(),
      ListenerLimits{absl::Seconds(config->idle_timeout()),
                     config->max_connections_per_identity()});
  SignStats stats(absl::Now());
  AdminService admin(keys->get(), &policies, &stats);
  SigningService signing(keys->get(), &policies, SignLimitsFromConfig(*config),
                         &stats, SignatureRecordDir(config->state_dir()));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.RegisterService(&admin);
  builder.RegisterService(&signing);
  builder.SetMaxReceiveMessageSize(8 << 20);
  int tcp_port = 0;
  if (!config->listen().empty()) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        ServerCredentialsFor(config->tls(), TrustBundlePath(*config));
    if (!credentials.ok()) {
      PrintError(credentials.status());
      return 2;
    }
    builder.AddListeningPort(config->listen(), *credentials, &tcp_port);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    fprintf(stderr, "keystored: cannot start the gRPC server%s\n",
            config->listen().empty()
                ? ""
                : absl::StrCat(" (listen ", config->listen(), ")").c_str());
    return 2;
  }
  if (!config->listen().empty() && tcp_port == 0) {
    fprintf(stderr, "keystored: listen %s: cannot bind\n",
            config->listen().c_str());
    server->Shutdown();
    return 2;
  }
  if (absl::Status s = listener.Start(server.get()); !s.ok()) {
    fprintf(stderr, "keystored: %s\n", std::string(s.message()).c_str());
    server->Shutdown();
    return 2;
  }
  fprintf(stderr,
          "keystored: serving %s (state %s, propagation-delay %llds; %s)\n",
          config->admin_socket().c_str(), config->state_dir().c_str(),
          static_cast<long long>(config->propagation_delay()),
          hardening->summary.c_str());
  if (!config->listen().empty()) {
    const std::string host =
        config->listen().substr(0, config->listen().rfind(':'));
    fprintf(stderr, "keystored: listening on %s:%d (%s)\n", host.c_str(),
            tcp_port,
            config->tls().cert_file().empty()
                ? "no TLS, loopback"
                : (!config->tls().has_cert_required() ||
                           config->tls().cert_required()
                       ? "mutual TLS"
                       : "server-authenticated TLS"));
  }

  PendingRolloverChecker checker(keys->get(),
                                 absl::Seconds(config->check_interval()));

  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
    ReloadClients(flags->config, flags->state_dir, &policies);
  }
  fprintf(stderr,
          "keystored: signal %d, shutting down (calls in flight get %llds)\n",
          received, static_cast<long long>(config->shutdown_grace()));
  if (grpc::HealthCheckServiceInterface* health =
          server->GetHealthCheckService()) {
    health->Shutdown();
  }
  listener.Stop();
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::seconds(config->shutdown_grace()));
  fprintf(stderr, "keystored: stopped\n");
  return 0;
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep

int main(int argc, char** argv) { return zonekeep::keystored::Run(argc, argv); }
