// Test support: clients that go away in the middle. Each call of
// DisconnectOnce() opens a fresh connection to keystored (its admin socket or
// its mutual-TLS port) and leaves at a random point:
//  - an admin RPC (read-only or one the daemon refuses, so the key set never
//    changes) cancelled or dropped right after it started;
//  - a SignZone stream cut after some chunks (cancelled, or its channel and
//    connection dropped), or after the whole zone while keystored signs or
//    streams the result back;
//  - raw sockets: a connection that sends nothing, an HTTP/2 preface with a
//    truncated frame (in TLS on the TCP port), a truncated TLS ClientHello.
// Every gRPC channel has its own connection (a local subchannel pool), so
// dropping the channel closes the socket.
//
// Thread-safety: DisconnectOnce may be called from several threads at once,
// each with its own random generator.
#ifndef ZONEKEEP_TESTS_E2E_DISCONNECTING_CLIENT_H_
#define ZONEKEEP_TESTS_E2E_DISCONNECTING_CLIENT_H_

#include <memory>
#include <random>
#include <string>

namespace zonekeep::testing {

struct DaemonEndpoints {
  std::string socket_path;                   // admin socket
  std::string tcp_host_port;                 // "127.0.0.1:PORT", mutual TLS
  std::string ca_file, cert_file, key_file;  // a signer's certificate
  std::string origin;
  std::string zone_text;  // signed in chunks by the SignZone cases
};

class DisconnectingClient {
 public:
  explicit DisconnectingClient(DaemonEndpoints endpoints);

  // One client that leaves early; returns the name of what it did
  // ("socket sign-cut-after-chunks", "tls raw-h2-partial", ...).
  // `forced_kind` (0-9) and `forced_tls` (0 or 1) fix what is random
  // otherwise (-1).
  std::string DisconnectOnce(std::mt19937* rng, int forced_kind = -1,
                             int forced_tls = -1) const;

 private:
  DaemonEndpoints endpoints_;
  std::string ca_pem_, cert_pem_, key_pem_;
};

// The opposite: a SignZone stream on the admin socket that has sent the
// options and `mebibytes` MiB of zone text and stays open (keystored holds a
// thread and the text for it) until destruction, which cancels it.
class HeldSignStream {
 public:
  HeldSignStream(const std::string& socket_path, const std::string& origin,
                 int mebibytes);
  ~HeldSignStream();
  bool ok() const { return ok_; }

 private:
  struct Call;
  std::unique_ptr<Call> call_;
  bool ok_ = false;
};

// A TCP connection to HOST:PORT (IPv4) that sends nothing; the caller closes
// it. -1 if it cannot connect.
int ConnectAndHold(const std::string& host_port);

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_DISCONNECTING_CLIENT_H_
