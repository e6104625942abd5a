#include "keystore/daemon/caller.h"

#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpc/grpc_security_constants.h"
#include "keystore/daemon/config.h"

namespace zonekeep {
namespace keystored {
namespace {

std::string IdentityOfUid(uid_t uid) {
  struct passwd pwd;
  struct passwd* result = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pwd, buf.data(), buf.size(), &result) == 0 &&
      result != nullptr) {
    return absl::StrCat("unix:", pwd.pw_name);
  }
  return absl::StrCat("unix:uid=", uid);
}

// The caller on the admin socket connection `fd`, or an empty identity.
Caller UnixCaller(int fd) {
  Caller caller;
  caller.peer = "unix-socket";
  int type = 0;
  socklen_t type_len = sizeof(type);
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 ||
      type != SOCK_STREAM ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
      local.ss_family != AF_UNIX) {
    return caller;
  }
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return caller;
  caller.identity = IdentityOfUid(cred.uid);
  caller.peer = absl::StrCat("unix-socket pid ", cred.pid);
  return caller;
}

// gRPC 1.51 gives a TCP peer as a URI ("ipv6:%5B::1%5D:40000"); the log and
// the audit log show it as people write it ("ipv6:[::1]:40000"). Only escapes
// of printable characters are decoded.
std::string PeerText(absl::string_view peer) {
  std::string out;
  for (size_t i = 0; i < peer.size(); ++i) {
    int value = 0;
    if (peer[i] == '%' && i + 2 < peer.size() &&
        absl::SimpleHexAtoi(peer.substr(i + 1, 2), &value) && value >= 0x20 &&
        value < 0x7f) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += peer[i];
    }
  }
  return out;
}

std::vector<std::string> Values(const grpc::AuthContext& auth,
                                const char* property) {
  std::vector<std::string> values;
  for (const grpc::string_ref& value : auth.FindPropertyValues(property)) {
    values.emplace_back(value.data(), value.size());
  }
  return values;
}

// Keeps audit and log lines on one line of printable text.
std::string Printable(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

}  // namespace

std::string Caller::AuditName() const {
  if (absl::StartsWith(identity, "unix:")) return identity;
  return absl::StrCat(identity.empty() ? "unknown" : identity, " from ", peer);
}

Caller CallerOf(const grpc::ServerContext& context,
                const AccessPolicy& policy) {
  const std::string peer = context.peer();
  absl::string_view rest = peer;
  int fd = -1;
  if (absl::ConsumePrefix(&rest, "fd:") && absl::SimpleAtoi(rest, &fd)) {
    return UnixCaller(fd);
  }
  Caller caller;
  caller.peer = PeerText(peer);
  caller.identity = kAnonymousTcpIdentity;
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return caller;
  const std::vector<std::string> security =
      Values(*auth, GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
  // "tls" for gRPC's TLS credentials (ours), "ssl" for SSL credentials.
  if (security.empty() ||
      (security.front() != "tls" && security.front() != "ssl")) {
    return caller;
  }
  std::vector<std::string> names = Values(*auth, GRPC_PEER_DNS_PROPERTY_NAME);
  if (names.empty() && Values(*auth, GRPC_X509_SAN_PROPERTY_NAME).empty()) {
    names = Values(*auth, GRPC_X509_CN_PROPERTY_NAME);
  }
  // A certificate with SANs but no DNS SAN (an IP or URI only) names nobody.
  caller.identity = policy.IdentityOfCertificateNames(names);
  return caller;
}

void LogCall(const Caller& caller, const std::string& command,
             const std::string& zone, const absl::Status& outcome) {
  fprintf(
      stderr,
      "keystored: audit identity=%s peer=%s call=%s zone=%s outcome=%s "
      "reason=%s\n",
      Printable(caller.identity.empty() ? "-" : caller.identity).c_str(),
      Printable(caller.peer).c_str(), command.c_str(),
      Printable(zone.empty() ? "-" : zone).c_str(),
      absl::StatusCodeToString(outcome.code()).c_str(),
      outcome.ok() ? "-" : Printable(std::string(outcome.message())).c_str());
}

void AuditCall(keystore::KeyManager* keys, const Caller& caller,
               const std::string& command, const std::string& zone,
               const std::string& key_tags, const absl::Status& outcome) {
  // Refusals are collapsed (counted per interval) so a flood of them cannot
  // push real events out; a cancelled call was allowed, and stays a row.
  if (!outcome.ok() && !absl::IsCancelled(outcome)) {
    keys->RecordRefusal(caller.AuditName(), command, zone, outcome)
        .IgnoreError();
  } else {
    keys->RecordAudit(caller.AuditName(), command, zone, key_tags, outcome)
        .IgnoreError();
  }
  LogCall(caller, command, zone, outcome);
}

}  // namespace keystored
}  // namespace zonekeep
