#include "cli/daemon_client.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "proto/unix_socket.h"

namespace zonekeep {
namespace cli {

std::string ResolveSocketPath(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("KEYSTORED_SOCKET"); env && *env) {
    return env;
  }
  return kDefaultAdminSocket;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectToDaemon(
    const std::string& socket_path) {
  absl::Status probe = ProbeUnixSocket(socket_path);
  if (absl::IsInvalidArgument(probe)) return probe;
  if (absl::IsPermissionDenied(probe)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot open keystored's socket ", socket_path, ": ", probe.message(),
        " (keystored may be running; this user needs write access to the "
        "socket, e.g. membership of its group)"));
  }
  if (!probe.ok()) {
    return absl::UnavailableError(
        absl::StrCat("keystored is not running (cannot connect to ",
                     socket_path, ": ", probe.message(), ")"));
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(8 << 20);
  return grpc::CreateCustomChannel(absl::StrCat("unix:", socket_path),
                                   grpc::InsecureChannelCredentials(), args);
}

std::string DescribeRpcError(const grpc::Status& status,
                             const std::string& socket_path) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::StrCat("keystored is not reachable at ", socket_path, ": ",
                        status.error_message());
  }
  return status.error_message();
}

}  // namespace cli
}  // namespace zonekeep
