// How clients find and reach keystored on its admin socket.
//
// Contract: the socket is --socket PATH, else $KEYSTORED_SOCKET, else
// ./var/keystored/admin.sock. Connect() fails with one line ("keystored is not
// running: no socket at PATH") when nothing listens there, instead of a gRPC
// timeout later.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_CLI_DAEMON_CLIENT_H_
#define ZONEKEEP_CLI_DAEMON_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace zonekeep {
namespace cli {

inline constexpr char kDefaultAdminSocket[] = "./var/keystored/admin.sock";

std::string ResolveSocketPath(const std::string& flag_value);

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectToDaemon(
    const std::string& socket_path);

// A gRPC status from keystored as one line for the user.
std::string DescribeRpcError(const grpc::Status& status,
                             const std::string& socket_path);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_DAEMON_CLIENT_H_
