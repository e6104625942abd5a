#include "keystore/daemon/grpc_status.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace zonekeep {
namespace keystored {
namespace {

constexpr size_t kMaxLine = 512;
constexpr size_t kMaxDetailLines = 32;

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  std::string message(status.message());
  if (absl::StrContains(message, "-----BEGIN")) {
    message = "internal error (message withheld)";
  }
  std::vector<std::string> lines = absl::StrSplit(message, '\n');
  std::string out = lines[0].substr(0, kMaxLine);
  // A refusal's detail: one line per server, each indented two spaces.
  if (status.code() == absl::StatusCode::kFailedPrecondition) {
    for (size_t i = 1; i < lines.size() && i <= kMaxDetailLines; ++i) {
      if (!absl::StartsWith(lines[i], "  ")) break;
      absl::StrAppend(&out, "\n", lines[i].substr(0, kMaxLine));
    }
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), out);
}

}  // namespace keystored
}  // namespace zonekeep
