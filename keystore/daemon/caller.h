// Caller: who is calling, read from the call's own connection.
//
// Contract: CallerOf() never consults a table of past connections.
// - Admin socket (peer "fd:N", connections handed to gRPC by
//   UnixSocketListener): the uid of the connection's peer, read with
//   SO_PEERCRED from the connection's socket when the call is handled,
//   "unix:USER" ("unix:uid=N" without a passwd entry). gRPC 1.51 gives
//   fd-channels no auth context, so the socket is the only place the peer's
//   credentials live. This is sound because gRPC closes the socket only when
//   its transport is destroyed, which waits for every call on it: while a
//   handler runs, fd N is still this call's connection and cannot have been
//   reused. The fd is also checked to be a connected AF_UNIX socket.
// - TCP with TLS and a verified client certificate: the certificate's DNS
//   SANs from the gRPC auth context (the CN only when it has no SAN at all),
//   resolved against "clients" by AccessPolicy::IdentityOfCertificateNames.
// - TCP otherwise (plaintext on loopback, or TLS with "cert-required": false
//   and no certificate): "tcp:anonymous".
// Thread-safety: pure functions.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_CALLER_H_
#define ZONEKEEP_KEYSTORE_DAEMON_CALLER_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"
#include "keystore/daemon/access_policy.h"
#include "keystore/key_manager.h"

namespace zonekeep {
namespace keystored {

struct Caller {
  std::string identity;  // empty: unknown (refused by every check)
  std::string peer;      // "ipv4:127.0.0.1:40000", "unix-socket pid 123"
  // The audit row's identity: "IDENTITY from PEER" ("unix:USER" alone on the
  // admin socket, where the peer adds nothing an operator can use).
  std::string AuditName() const;
};

Caller CallerOf(const grpc::ServerContext& context, const AccessPolicy& policy);

// One log line on stderr for a call: identity, peer, call, zone, outcome
// (the status code) and reason.
void LogCall(const Caller& caller, const std::string& command,
             const std::string& zone, const absl::Status& outcome);

// Writes the audit row of a call (identity, peer, command, zone, outcome and
// reason) and one log line on stderr. Audit write errors are ignored: the
// call's own outcome stands.
void AuditCall(keystore::KeyManager* keys, const Caller& caller,
               const std::string& command, const std::string& zone,
               const std::string& key_tags, const absl::Status& outcome);

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_CALLER_H_
