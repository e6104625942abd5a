// keystored's configuration: the JSON file of docs/ARCHITECTURE.md (Protobuf
// JSON parser), the embedded default, and the checks that make a bad file a
// startup error.
//
// Contract: LoadConfig returns a config whose state_dir and admin_socket are
// set (defaults: ./var/keystored and <state_dir>/admin.sock), or
// InvalidArgument/NotFound whose message has one line per problem, each
// "FILE: problem" naming the JSON key as written in the file
// ("propagation-delay"): unreadable file or bad JSON (one line), unknown
// keys, TLS files not all set or all unset, a TCP listener on a non-loopback
// address without TLS, and every problem of the "clients" list: an identity
// that is neither unix:USER for a user of this machine nor a DNS name (a TLS
// client certificate's), a role other than admin or signer, an admin with
// "zones", a zone that is not a valid zone name; "listen" not HOST:PORT,
// negative limits (max-sign-jobs, max-zone-bytes, shutdown-grace,
// tls.refresh-interval, signing-policy); every problem of the "zones" list
// (zone missing, invalid or given twice; a parent-agents or zone-servers
// address that is not HOST:PORT with IPv6 in brackets); a check-interval
// below 1. Unset limits get their defaults below (propagation-delay and
// check-interval 3600 s); zone names come back normalised.
// Thread-safety: pure functions (they read the user database).
#ifndef ZONEKEEP_KEYSTORE_DAEMON_CONFIG_H_
#define ZONEKEEP_KEYSTORE_DAEMON_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"

namespace zonekeep {
namespace keystored {

inline constexpr char kDefaultStateDir[] = "./var/keystored";
inline constexpr char kAdminSocketName[] = "admin.sock";
inline constexpr int64_t kDefaultPropagationDelaySeconds = 3600;
inline constexpr int64_t kDefaultPurgeMinAgeSeconds = 7 * 24 * 3600;
inline constexpr int64_t kDefaultAuditRefusalIntervalSeconds = 60;
inline constexpr int64_t kDefaultMaxSignJobs = 4;
inline constexpr int64_t kDefaultMaxZoneBytes = int64_t{2} << 30;
inline constexpr int64_t kDefaultShutdownGraceSeconds = 30;
// Issue 16's caps (README "Configuration").
inline constexpr int64_t kDefaultMaxRecords = 10'000'000;
inline constexpr int64_t kDefaultMaxNameLabels = 40;
inline constexpr int64_t kDefaultMaxSignatures = 20'000'000;
inline constexpr int64_t kDefaultMaxSignJobsPerIdentity = 2;
inline constexpr int64_t kDefaultMaxConnectionsPerIdentity = 64;
inline constexpr int64_t kDefaultIdleTimeoutSeconds = 10;
inline constexpr int64_t kDefaultTlsRefreshSeconds = 60;
// The identity of a caller over TCP without a verified client certificate
// (plaintext on loopback, or TLS with "cert-required": false).
inline constexpr char kAnonymousTcpIdentity[] = "tcp:anonymous";
inline constexpr int64_t kDefaultCheckIntervalSeconds = 3600;

// `config_path` empty: the embedded default. `state_dir_override` non-empty
// replaces state-dir (and then the admin socket defaults to DIR/admin.sock
// unless the file names one).
absl::StatusOr<v1::KeystoredConfig> LoadConfig(
    const std::string& config_path, const std::string& state_dir_override);

// Parses and checks JSON text; `source` names it in error messages.
absl::StatusOr<v1::KeystoredConfig> ParseConfig(
    const std::string& json, const std::string& source,
    const std::string& state_dir_override);

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_CONFIG_H_
