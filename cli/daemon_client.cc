#include "cli/daemon_client.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace zonekeep {

std::string ResolveSocketPath(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("KEYSTORED_SOCKET"); env && *env) {
    return env;
  }
  return kDefaultAdminSocket;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectToDaemon(
    const std::string& socket_path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("socket path too long: ", socket_path));
  }
  memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int connected =
      probe < 0
          ? -1
          : connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  const int saved_errno = errno;
  if (probe >= 0) close(probe);
  if (connected != 0) {
    return absl::UnavailableError(
        absl::StrCat("keystored is not running (cannot connect to ",
                     socket_path, ": ", strerror(saved_errno), ")"));
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

}  // namespace zonekeep
