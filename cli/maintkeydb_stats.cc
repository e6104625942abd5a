// maintkeydb stats [reset]: keystored's signing statistics (KeyAdmin.Stats),
// and rotate-master-key (KeyAdmin.RotateMasterKey).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cli/daemon_client.h"
#include "cli/maintkeydb.h"
#include "grpcpp/client_context.h"
#include "proto/keystore.grpc.pb.h"

namespace zonekeep {
namespace cli {
namespace {

// "zones 3 signatures 60 in 1200 B out 5400 B sign 0.04 s errors 0 refused
// PERMISSION_DENIED=2": one line of counters.
std::string CountersLine(const v1::SignCounters& c) {
  std::string line = absl::StrFormat(
      "zones %d signatures %d in %d B out %d B sign %.2f s errors %d refused",
      c.zones_signed(), c.signatures(), c.bytes_in(), c.bytes_out(),
      c.sign_seconds(), c.errors());
  if (c.refused().empty()) return line + " 0";
  // Protobuf maps have no order: print the reasons sorted.
  std::vector<std::string> reasons;
  for (const auto& [reason, count] : c.refused()) {
    reasons.push_back(absl::StrCat(reason, "=", count));
  }
  std::sort(reasons.begin(), reasons.end());
  for (const std::string& r : reasons) absl::StrAppend(&line, " ", r);
  return line;
}

}  // namespace

int MaintKeyDb::Stats(const std::vector<std::string>& args) {
  v1::StatsRequest request;
  if (args.size() == 1 && args[0] == "reset") {
    request.set_reset(true);
  } else if (!args.empty()) {
    return UsageError("stats",
                      absl::StrCat("stats: unexpected \"", args[0], "\""));
  }
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::SignStats response;
  grpc::Status status = stub->Stats(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  out_ << "since "
       << absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                           absl::FromUnixSeconds(response.since_unix()),
                           absl::UTCTimeZone())
       << "\n";
  out_ << "total " << CountersLine(response.total()) << "\n";
  std::vector<std::string> identities;
  for (const auto& [identity, counters] : response.by_identity()) {
    identities.push_back(identity);
  }
  std::sort(identities.begin(), identities.end());
  for (const std::string& identity : identities) {
    out_ << identity << " " << CountersLine(response.by_identity().at(identity))
         << "\n";
  }
  if (request.reset()) out_ << "reset: counting from now\n";
  return 0;
}

// maintkeydb rotate-master-key (KeyAdmin.RotateMasterKey).
int MaintKeyDb::RotateMasterKey(const std::vector<std::string>& args) {
  if (!args.empty()) {
    return UsageError("rotate-master-key",
                      absl::StrCat("rotate-master-key: unexpected \"",
                                   absl::CHexEscape(args[0]), "\""));
  }
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  v1::RotateMasterKeyReply response;
  grpc::Status status =
      stub->RotateMasterKey(&context, v1::RotateMasterKeyRequest(), &response);
  if (!status.ok()) return RpcFailed(status);
  out_ << "master key rotated: " << response.keys_resealed()
       << " keys re-sealed; the old key is " << response.old_key_path()
       << " (keep it with the backups it opens, then remove it)\n";
  return 0;
}

}  // namespace cli
}  // namespace zonekeep
