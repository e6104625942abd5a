// How dnssigner reaches keystored's TCP listener ("listen") over TLS.
//
// Contract: ConnectOverTls() reads --ca (required), --cert and --key (both or
// neither) itself, so a missing, unreadable or non-PEM file is one line
// naming the flag and the file before any connection is tried. The channel
// uses gRPC's TLS credentials with --ca as the only trust anchor (system roots
// are never consulted) and verifies the server certificate and its name
// against HOST; with --cert/--key it presents that certificate (mutual TLS),
// without them the server authenticates only itself.
// DescribeTlsRpcError() turns a failed call into one line that says which
// side likely refused the handshake.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_CLI_TLS_CHANNEL_H_
#define ZONEKEEP_CLI_TLS_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace zonekeep {
namespace cli {

struct TlsTarget {
  std::string server;     // HOST:PORT or [IPV6]:PORT
  std::string ca_file;    // PEM, the only trust anchor
  std::string cert_file;  // empty: no client certificate
  std::string key_file;   // empty iff cert_file is empty
};

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectOverTls(
    const TlsTarget& target);

// One line for a failed call to `target`.
std::string DescribeTlsRpcError(const grpc::Status& status,
                                const TlsTarget& target);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_TLS_CHANNEL_H_
