// UnixSocketListener: the admin socket. Accepts connections itself so it can
// read each peer's uid (SO_PEERCRED), then hands the connection to a gRPC
// server.
//
// Contract: Start() binds PATH (removing a stale socket file, refusing a path
// that is something else), chmods it 0660 and runs an accept thread. Every call
// arriving on an accepted connection has ServerContext::peer() == "fd:N";
// CallerOf() (caller.h) reads the peer's uid from that connection itself, so
// this class keeps no table of connections. Stop() stops accepting, closes
// the listening socket and removes the file.
// Thread-safety: Start/Stop from one thread.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_UNIX_SOCKET_LISTENER_H_
#define ZONEKEEP_KEYSTORE_DAEMON_UNIX_SOCKET_LISTENER_H_

#include <atomic>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "grpcpp/server.h"

namespace zonekeep {
namespace keystored {

class UnixSocketListener {
 public:
  explicit UnixSocketListener(std::string path) : path_(std::move(path)) {}
  ~UnixSocketListener() { Stop(); }
  UnixSocketListener(const UnixSocketListener&) = delete;
  UnixSocketListener& operator=(const UnixSocketListener&) = delete;

  // REQUIRES: `server` outlives this listener (or Stop() is called first).
  absl::Status Start(grpc::Server* server);
  void Stop();

 private:
  void AcceptLoop();

  const std::string path_;
  grpc::Server* server_ = nullptr;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_UNIX_SOCKET_LISTENER_H_
