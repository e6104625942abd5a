// UnixSocketListener: the admin socket. Accepts connections itself so it can
// read each peer's uid (SO_PEERCRED), then hands the connection to a gRPC
// server.
//
// Contract: Start() binds PATH (removing a stale socket file, refusing a path
// that is something else), chmods it 0660 and runs an accept thread. Every call
// arriving on an accepted connection has ServerContext::peer() == "fd:N";
// CallerOf() (caller.h) reads the peer's uid from that connection itself.
// Stop() stops accepting, closes the listening socket and removes the file.
// Limits that hold under attack (issue 16):
//  - A connection is handed to gRPC only once it has sent its first bytes;
//    one that sends nothing for `idle_timeout` is closed.
//  - A peer uid may hold `max_connections_per_identity` connections (waiting
//    or handed to gRPC, counted by fd and inode, so a connection gRPC has
//    closed no longer counts); one more is closed at once.
//  - When accept fails for lack of descriptors (EMFILE, ENFILE), the oldest
//    waiting connection is closed to make room; with none to close the loop
//    backs off (100 ms, doubling to 1 s) instead of spinning.
// Thread-safety: Start/Stop from one thread.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_UNIX_SOCKET_LISTENER_H_
#define ZONEKEEP_KEYSTORE_DAEMON_UNIX_SOCKET_LISTENER_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"

namespace zonekeep {
namespace keystored {

struct ListenerLimits {
  absl::Duration idle_timeout = absl::Seconds(10);
  int64_t max_connections_per_identity = 64;
};

class UnixSocketListener {
 public:
  explicit UnixSocketListener(std::string path, ListenerLimits limits = {})
      : path_(std::move(path)), limits_(limits) {}
  ~UnixSocketListener() { Stop(); }
  UnixSocketListener(const UnixSocketListener&) = delete;
  UnixSocketListener& operator=(const UnixSocketListener&) = delete;

  // REQUIRES: `server` outlives this listener (or Stop() is called first).
  absl::Status Start(grpc::Server* server);
  void Stop();

 private:
  struct Connection {
    int fd;
    uid_t uid;
    ino_t inode;
    absl::Time accepted;
  };
  void AcceptLoop();
  // Accepts what waits on the listening socket; false on EMFILE/ENFILE with
  // nothing left to evict.
  bool AcceptPending();
  int64_t OpenConnectionsOf(uid_t uid);

  const std::string path_;
  const ListenerLimits limits_;
  grpc::Server* server_ = nullptr;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  // Owned by the accept thread.
  std::vector<Connection> waiting_;  // accepted, nothing sent yet; ours
  std::vector<Connection> handed_;   // given to gRPC; for counting only
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_UNIX_SOCKET_LISTENER_H_
