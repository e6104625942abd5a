#include "cli/daemon_client.h"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "proto/unix_socket.h"

namespace zonekeep {
namespace cli {
namespace {

std::string UserName(uid_t uid) {
  if (const passwd* pw = getpwuid(uid); pw != nullptr) return pw->pw_name;
  return absl::StrCat("uid ", uid);
}

// The uid of whoever serves `path`, from SO_PEERCRED on a probe connection.
absl::StatusOr<uid_t> ServerUid(const std::string& path) {
  absl::StatusOr<sockaddr_un> addr = UnixSocketAddress(path);
  if (!addr.ok()) return addr.status();
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError(std::strerror(errno));
  ucred cred{};
  socklen_t len = sizeof(cred);
  const bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&*addr),
                          sizeof(*addr)) == 0 &&
                  getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
  const int saved_errno = errno;
  close(fd);
  if (!ok) return absl::UnavailableError(std::strerror(saved_errno));
  return cred.uid;
}

}  // namespace

std::string ResolveSocketPath(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("KEYSTORED_SOCKET"); env && *env) {
    return env;
  }
  return kDefaultAdminSocket;
}

absl::Status CheckDaemonSocket(const std::string& socket_path) {
  const size_t slash = socket_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                       : socket_path.substr(0, slash);
  struct stat st;
  if (stat(dir.c_str(), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH))) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "refusing keystored's socket %s: its directory %s is writable by "
        "%s (mode %04o), so anyone could have put a fake keystored there",
        socket_path, dir, (st.st_mode & S_IWOTH) ? "others" : "its group",
        st.st_mode & 07777));
  }
  absl::StatusOr<uid_t> server = ServerUid(socket_path);
  if (!server.ok()) return absl::OkStatus();  // ConnectToDaemon says why
  if (*server == 0 || *server == getuid()) return absl::OkStatus();
  const char* env = std::getenv("KEYSTORED_USER");
  const std::string daemon_user = env && *env ? env : kDefaultKeystoredUser;
  if (const passwd* pw = getpwnam(daemon_user.c_str());
      pw != nullptr && pw->pw_uid == *server) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "refusing keystored's socket ", socket_path, ": it is served by ",
      UserName(*server), ", not root, ", UserName(getuid()),
      " or the keystored user ", daemon_user, " (set $KEYSTORED_USER)"));
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectToDaemon(
    const std::string& socket_path) {
  absl::Status probe = ProbeUnixSocket(socket_path);
  if (absl::IsInvalidArgument(probe)) return probe;
  if (absl::Status checked = CheckDaemonSocket(socket_path); !checked.ok()) {
    return checked;
  }
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

absl::Duration CallTimeout() {
  int seconds = 0;
  if (const char* env = std::getenv("KEYSTORED_TIMEOUT");
      env && absl::SimpleAtoi(env, &seconds) && seconds > 0) {
    return absl::Seconds(seconds);
  }
  return absl::Seconds(kDefaultCallTimeoutSeconds);
}

void SetCallDeadline(grpc::ClientContext* context) {
  SetCallDeadline(context, CallTimeout());
}

void SetCallDeadline(grpc::ClientContext* context, absl::Duration timeout) {
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(timeout));
}

std::string DescribeRpcError(const grpc::Status& status,
                             const std::string& socket_path) {
  return DescribeRpcError(status, socket_path, CallTimeout());
}

std::string DescribeRpcError(const grpc::Status& status,
                             const std::string& socket_path,
                             absl::Duration deadline) {
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::StrCat(
        "keystored at ", socket_path, " did not answer within the deadline of ",
        absl::FormatDuration(deadline), " (set $KEYSTORED_TIMEOUT in seconds)");
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::StrCat("keystored is not reachable at ", socket_path, ": ",
                        status.error_message());
  }
  return status.error_message();
}

}  // namespace cli
}  // namespace zonekeep
