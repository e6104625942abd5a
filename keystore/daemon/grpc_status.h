// The one translator from absl::Status (the cores' errors) to grpc::Status.
//
// Codes map one to one; messages are truncated to one line of at most 512
// bytes, except that a FailedPrecondition (a refusal) keeps up to 32 detail
// lines that follow it indented by two spaces (a stage 2's one line per
// server), each at most 512 bytes. Cores never put secrets in messages; this is
// the last place that could leak one, so it also refuses to pass on anything
// that looks like a PEM block. Thread-safety: pure function.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_GRPC_STATUS_H_
#define ZONEKEEP_KEYSTORE_DAEMON_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace zonekeep {
namespace keystored {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_GRPC_STATUS_H_
