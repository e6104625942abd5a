// Small helpers for the admin unix socket, shared by keystored, the clients
// and the end-to-end tests.
//
// Contract: UnixSocketAddress fills a sockaddr_un for `path`, refusing paths
// too long for sun_path (InvalidArgument naming the limit). ProbeUnixSocket
// connects once and closes: OK when something accepts on `path` now,
// PermissionDenied when the socket exists but this user may not connect,
// else Unavailable with the errno text (or the address error).
// Thread-safety: plain functions, safe from any thread.
#ifndef ZONEKEEP_PROTO_UNIX_SOCKET_H_
#define ZONEKEEP_PROTO_UNIX_SOCKET_H_

#include <sys/un.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zonekeep {

absl::StatusOr<sockaddr_un> UnixSocketAddress(const std::string& path);

absl::Status ProbeUnixSocket(const std::string& path);

}  // namespace zonekeep

#endif  // ZONEKEEP_PROTO_UNIX_SOCKET_H_
