#include "keystore/daemon/grpc_status.h"

#include <string>

#include "absl/strings/match.h"

namespace zonekeep {
namespace keystored {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  std::string message(status.message());
  if (absl::StrContains(message, "-----BEGIN")) {
    message = "internal error (message withheld)";
  }
  if (const size_t newline = message.find('\n'); newline != std::string::npos) {
    message.resize(newline);
  }
  if (message.size() > 512) message.resize(512);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message);
}

}  // namespace keystored
}  // namespace zonekeep
