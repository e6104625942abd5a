#include "proto/unix_socket.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace zonekeep {

absl::StatusOr<sockaddr_un> UnixSocketAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("socket path is longer than ", sizeof(addr.sun_path) - 1,
                     " bytes: ", path));
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

absl::Status ProbeUnixSocket(const std::string& path) {
  absl::StatusOr<sockaddr_un> addr = UnixSocketAddress(path);
  if (!addr.ok()) return addr.status();
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("socket: ", std::strerror(errno)));
  }
  const int connected =
      connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr));
  const int saved_errno = errno;
  close(fd);
  if (connected != 0) {
    // Nobody there (no socket file, or nothing listening on it) is
    // Unavailable; a socket we may not use is PermissionDenied.
    if (saved_errno == EACCES || saved_errno == EPERM) {
      return absl::PermissionDeniedError(std::strerror(saved_errno));
    }
    return absl::UnavailableError(std::strerror(saved_errno));
  }
  return absl::OkStatus();
}

}  // namespace zonekeep
