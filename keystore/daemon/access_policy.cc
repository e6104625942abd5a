#include "keystore/daemon/access_policy.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace keystored {
namespace {

// Zone names compare case-insensitively, with or without the final dot.
std::string ZoneMatchKey(std::string zone) {
  absl::AsciiStrToLower(&zone);
  if (zone.empty() || zone.back() != '.') zone += '.';
  return zone;
}

}  // namespace

bool AccessPolicy::IsUnix(const std::string& identity) const {
  return absl::StartsWith(identity, "unix:");
}

absl::Status AccessPolicy::CheckAdmin(const std::string& identity) const {
  if (config_.clients().empty() && IsUnix(identity)) return absl::OkStatus();
  for (const v1::ClientConfig& client : config_.clients()) {
    if (client.identity() == identity && client.role() == "admin") {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(
      absl::StrCat(identity.empty() ? "unknown peer" : identity,
                   " is not an admin of this key store"));
}

absl::Status AccessPolicy::CheckSigner(const std::string& identity,
                                       const std::string& zone) const {
  if (config_.clients().empty() && IsUnix(identity)) return absl::OkStatus();
  const std::string wanted = ZoneMatchKey(zone);
  for (const v1::ClientConfig& client : config_.clients()) {
    if (client.identity() != identity || client.role() != "signer") continue;
    for (const std::string& allowed : client.zones()) {
      if (ZoneMatchKey(allowed) == wanted) return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(absl::StrCat(
      identity.empty() ? "unknown peer" : identity, " may not sign ", wanted));
}

}  // namespace keystored
}  // namespace zonekeep
