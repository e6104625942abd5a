#include "keystore/daemon/unix_socket_listener.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
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

  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
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

int64_t UnixSocketListener::OpenConnectionsOf(uid_t uid) {
  // Forget connections gRPC has closed: the fd is gone, or is another socket.
  auto gone = [](const Connection& c) {
    struct stat st;
    return fstat(c.fd, &st) != 0 || st.st_ino != c.inode;
  };
  handed_.erase(std::remove_if(handed_.begin(), handed_.end(), gone),
                handed_.end());
  int64_t open = 0;
  for (const Connection& c : waiting_) open += c.uid == uid;
  for (const Connection& c : handed_) open += c.uid == uid;
  return open;
}

bool UnixSocketListener::AcceptPending() {
  for (int i = 0; i < 64; ++i) {
    const int fd =
        accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EMFILE && errno != ENFILE) return true;
      // Out of descriptors: make room by dropping the oldest connection that
      // has sent nothing (ours to close), else tell the loop to back off.
      if (waiting_.empty()) return false;
      close(waiting_.front().fd);
      waiting_.erase(waiting_.begin());
      continue;
    }
    ucred cred{};
    socklen_t len = sizeof(cred);
    struct stat st;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
        fstat(fd, &st) != 0) {
      close(fd);
      continue;
    }
    if (limits_.max_connections_per_identity > 0 &&
        OpenConnectionsOf(cred.uid) >= limits_.max_connections_per_identity) {
      close(fd);  // max-connections-per-identity
      continue;
    }
    waiting_.push_back(Connection{fd, cred.uid, st.st_ino, absl::Now()});
  }
  return true;
}

void UnixSocketListener::AcceptLoop() {
  absl::Duration backoff = absl::ZeroDuration();
  absl::Time backoff_until = absl::InfinitePast();
  std::vector<pollfd> fds;
  while (!stopping_) {
    const absl::Time now = absl::Now();
    // Connections that sent nothing within idle-timeout are closed.
    waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(),
                                  [&](const Connection& c) {
                                    if (now - c.accepted < limits_.idle_timeout)
                                      return false;
                                    close(c.fd);
                                    return true;
                                  }),
                   waiting_.end());
    fds.clear();
    const bool listening = now >= backoff_until;
    fds.push_back(pollfd{listening ? listen_fd_ : -1, POLLIN, 0});
    for (const Connection& c : waiting_) fds.push_back(pollfd{c.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) {
      absl::SleepFor(absl::Milliseconds(100));
      continue;
    }
    // Waiting connections that have sent bytes go to gRPC; hung-up ones close.
    std::vector<Connection> still_waiting;
    for (size_t i = 1; i < fds.size(); ++i) {
      const Connection& c = waiting_[i - 1];
      if (fds[i].revents & POLLIN) {
        grpc::AddInsecureChannelFromFd(server_, c.fd);
        handed_.push_back(c);
      } else if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
        close(c.fd);
      } else {
        still_waiting.push_back(c);
      }
    }
    waiting_.swap(still_waiting);
    if (listening && (fds[0].revents & POLLIN)) {
      if (AcceptPending()) {
        backoff = absl::ZeroDuration();
      } else {
        backoff = std::min(absl::Seconds(1),
                           std::max(absl::Milliseconds(100), backoff * 2));
        backoff_until = absl::Now() + backoff;
      }
    }
  }
  for (const Connection& c : waiting_) close(c.fd);
  waiting_.clear();
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
