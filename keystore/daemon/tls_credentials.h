// ServerCredentialsFor: the credentials of the TCP listener ("listen") from
// the "tls" configuration, in the Kea seed's three levels.
//
// Contract: no TLS files: insecure credentials (config.cc allows that on
// loopback only; callers are "tcp:anonymous"). TLS files set: gRPC's TLS
// credentials with a FileWatcherCertificateProvider that re-reads cert-file,
// key-file and the trust anchor every tls.refresh-interval seconds (rotation
// without restart), TLS 1.2 at least (gRPC 1.51's TLS credentials have that
// floor built in; the C++ API has no setter), and client certificates required
// and verified against the trust anchor unless "cert-required" is false (then
// requested, and verified when sent). A trust-anchor directory is bundled
// (every regular file in it that holds a PEM certificate, in name order) into
// `bundle_path`, which the provider watches; RebuildTrustBundle() refreshes
// it. Each file is checked readable (and PEM) at start: a problem is an
// InvalidArgument naming the key ("tls: cert-file ...").
// Thread-safety: call from one thread.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_TLS_CREDENTIALS_H_
#define ZONEKEEP_KEYSTORE_DAEMON_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "proto/config.pb.h"

namespace zonekeep {
namespace keystored {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const v1::TlsConfig& tls, const std::string& bundle_path);

// The file the provider reads the trust anchor from: trust-anchor itself when
// it is a file; `bundle_path`, rewritten from the directory, when it is one.
absl::StatusOr<std::string> RebuildTrustBundle(const v1::TlsConfig& tls,
                                               const std::string& bundle_path);

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_TLS_CREDENTIALS_H_
