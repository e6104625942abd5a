// How clients find, check and reach keystored on its admin socket.
//
// Contract: the socket is --socket PATH, else $KEYSTORED_SOCKET, else
// ./var/keystored/admin.sock (the quick start's; a packaged install sets
// $KEYSTORED_SOCKET=/run/keystored/admin.sock or passes --socket, an absolute
// path). Connect() checks whom it talks to before any call, and fails with
// one line:
//  - "keystored is not running: ..." when nothing listens there;
//  - a socket whose directory others may write (group or other write bit) is
//    refused: anyone there could have put a fake keystored in its place;
//  - the server's uid (SO_PEERCRED on a probe connection to the path) must be
//    root, this user, or the keystored user ($KEYSTORED_USER, default
//    "keystored" when that user exists); any other is refused, naming it.
//    The probe and gRPC's own connection reach the same server, since the
//    path's directory is writable only by its owner (checked first).
// Every call has a deadline: CallTimeout() ($KEYSTORED_TIMEOUT seconds,
// default 30); a hung daemon gives DEADLINE_EXCEEDED, which DescribeRpcError
// turns into one line naming the socket and the deadline.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_CLI_DAEMON_CLIENT_H_
#define ZONEKEEP_CLI_DAEMON_CLIENT_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace zonekeep {
namespace cli {

inline constexpr char kDefaultAdminSocket[] = "./var/keystored/admin.sock";
inline constexpr char kDefaultKeystoredUser[] = "keystored";
inline constexpr int kDefaultCallTimeoutSeconds = 30;

std::string ResolveSocketPath(const std::string& flag_value);

// Refuses a socket in a directory others may write, or served by a uid other
// than root, this user or the keystored user.
absl::Status CheckDaemonSocket(const std::string& socket_path);

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectToDaemon(
    const std::string& socket_path);

// $KEYSTORED_TIMEOUT (whole seconds above 0), else 30 s.
absl::Duration CallTimeout();

// Sets `timeout` from now (default CallTimeout()) as the call's deadline.
void SetCallDeadline(grpc::ClientContext* context);
void SetCallDeadline(grpc::ClientContext* context, absl::Duration timeout);

// A gRPC status from keystored as one line for the user; `deadline` is the
// one the call had (named when it passed).
std::string DescribeRpcError(const grpc::Status& status,
                             const std::string& socket_path);
std::string DescribeRpcError(const grpc::Status& status,
                             const std::string& socket_path,
                             absl::Duration deadline);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_DAEMON_CLIENT_H_
