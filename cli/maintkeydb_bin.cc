// maintkeydb purge and cds-delete: the expired-keys bin emptied for good, and
// the RFC 8078 delete form of CDS/CDNSKEY switched on or off.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/key_listing.h"
#include "cli/maintkeydb.h"
#include "dnssec/name.h"

namespace zonekeep {
namespace cli {
namespace {

// "90s", "30m", "12h", "30d", "2w" in seconds; nullopt otherwise.
std::optional<int64_t> ParseAge(const std::string& text) {
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  const int64_t scale = unit == 's'   ? 1
                        : unit == 'm' ? 60
                        : unit == 'h' ? 3600
                        : unit == 'd' ? 86400
                        : unit == 'w' ? 7 * 86400
                                      : 0;
  int64_t count = 0;
  if (scale == 0 ||
      !absl::SimpleAtoi(text.substr(0, text.size() - 1), &count) || count < 0 ||
      count >= int64_t{1} << 32) {
    return std::nullopt;
  }
  return count * scale;
}

}  // namespace

int MaintKeyDb::Purge(const std::vector<std::string>& args) {
  v1::PurgeRequest request;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--older-than" && i + 1 < args.size()) {
      std::optional<int64_t> age = ParseAge(args[++i]);
      if (!age.has_value() || *age == 0) {
        return UsageError("purge", absl::StrCat("\"", args[i],
                                                "\" is not a duration such as "
                                                "12h, 30d or 2w"));
      }
      request.set_older_than_seconds(*age);
    } else if (request.zone().empty() && args[i][0] != '-') {
      absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(args[i]);
      if (!zone.ok()) {
        return UsageError("purge", std::string(zone.status().message()));
      }
      request.set_zone(*zone);
    } else {
      return UsageError("purge",
                        absl::StrCat("purge: unexpected \"", args[i], "\""));
    }
  }
  if (request.zone().empty()) {
    return UsageError("purge", "purge takes ZONE [--older-than DURATION]");
  }
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  v1::KeyList response;
  grpc::Status status = stub->PurgeBin(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  if (response.keys().empty()) {
    out_ << "nothing to purge: no key in the bin of " << request.zone()
         << " was deleted long enough ago\n";
    return 0;
  }
  out_ << "purged for good:\n" << FormatKeyTable(response);
  return 0;
}

int MaintKeyDb::CdsDelete(const std::vector<std::string>& args) {
  v1::CdsDeleteRequest request;
  for (const std::string& arg : args) {
    if (arg == "--undo") {
      request.set_undo(true);
    } else if (request.zone().empty() && arg[0] != '-') {
      absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(arg);
      if (!zone.ok()) {
        return UsageError("cds-delete", std::string(zone.status().message()));
      }
      request.set_zone(*zone);
    } else {
      return UsageError("cds-delete",
                        absl::StrCat("cds-delete: unexpected \"", arg, "\""));
    }
  }
  if (request.zone().empty()) {
    return UsageError("cds-delete", "cds-delete takes ZONE [--undo]");
  }
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  v1::KeyList response;
  grpc::Status status = stub->CdsDelete(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  if (request.undo()) {
    out_ << request.zone()
         << ": the next signing publishes CDS/CDNSKEY of its KSKs again (if "
            "asked for) instead of the delete form\n";
  } else {
    out_ << request.zone()
         << ": from the next signing on, CDS 0 0 0 00 and CDNSKEY 0 3 0 AA== "
            "(RFC 8078): the parent may remove the DS; undo with "
         << HelpPrefix() << "cds-delete " << request.zone() << " --undo\n";
  }
  return 0;
}

}  // namespace cli
}  // namespace zonekeep
