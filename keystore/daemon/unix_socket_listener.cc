#include "keystore/daemon/unix_socket_listener.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/server_posix.h"
#include "proto/unix_socket.h"

namespace zonekeep {
namespace keystored {
namespace {

absl::Status ErrnoError(const std::string& what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", strerror(errno)));
}

}  // namespace

absl::Status UnixSocketListener::Start(grpc::Server* server) {
  server_ = server;
  absl::StatusOr<sockaddr_un> addr = UnixSocketAddress(path_);
  if (!addr.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("admin ", addr.status().message()));
  }

  struct stat st;
  if (lstat(path_.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(
          absl::StrCat(path_, " exists and is not a socket"));
    }
    // A live daemon answers on it; a stale file from a crash does not.
    const bool live = ProbeUnixSocket(path_).ok();
    if (live) {
      return absl::FailedPreconditionError(
          absl::StrCat("another keystored is already serving ", path_));
    }
    unlink(path_.c_str());
  }

  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return ErrnoError("socket");
  // The socket is born 0660: bind creates it under this umask. No chmod
  // afterwards, which would follow a symlink put in its place.
  const mode_t old_umask = umask(0117);
  const int bound = bind(listen_fd_, reinterpret_cast<const sockaddr*>(&*addr),
                         sizeof(*addr));
  umask(old_umask);
  if (bound != 0) return ErrnoError(absl::StrCat("bind ", path_));
  if (listen(listen_fd_, 64) != 0) return ErrnoError("listen");
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return absl::OkStatus();
}

void UnixSocketListener::AcceptLoop() {
  while (!stopping_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 200) <= 0) continue;
    const int fd =
        accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    grpc::AddInsecureChannelFromFd(server_, fd);
  }
}

void UnixSocketListener::Stop() {
  if (listen_fd_ < 0) return;
  stopping_ = true;
  if (accept_thread_.joinable()) accept_thread_.join();
  close(listen_fd_);
  listen_fd_ = -1;
  unlink(path_.c_str());
}

}  // namespace keystored
}  // namespace zonekeep
