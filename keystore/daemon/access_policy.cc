#include "keystore/daemon/access_policy.h"

#include <pwd.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace keystored {
namespace {

// "unix:USER" as caller.cc names a socket peer ("unix:uid=N" without a
// passwd entry).
std::string IdentityOfUid(uid_t uid) {
  struct passwd pwd;
  struct passwd* result = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pwd, buf.data(), buf.size(), &result) == 0 &&
      result != nullptr) {
    return absl::StrCat("unix:", pwd.pw_name);
  }
  return absl::StrCat("unix:uid=", uid);
}

// Zone names compare case-insensitively, with or without the final dot.
std::string ZoneMatchKey(std::string zone) {
  absl::AsciiStrToLower(&zone);
  if (zone.empty() || zone.back() != '.') zone += '.';
  return zone;
}

std::string Who(const std::string& identity) {
  return identity.empty() ? "unknown peer" : identity;
}

}  // namespace

AccessPolicy::AccessPolicy(const v1::KeystoredConfig& config)
    : config_(config),
      default_admins_({IdentityOfUid(geteuid()), IdentityOfUid(0)}) {}

bool AccessPolicy::IsUnix(const std::string& identity) const {
  return absl::StartsWith(identity, "unix:");
}

bool AccessPolicy::IsAdmin(const std::string& identity) const {
  if (config_.clients().empty() && IsUnix(identity)) {
    for (const std::string& admin : default_admins_) {
      if (identity == admin) return true;
    }
    return false;
  }
  for (const v1::ClientConfig& client : config_.clients()) {
    if (client.identity() == identity && client.role() == "admin") return true;
  }
  return false;
}

std::string AccessPolicy::IdentityOfCertificateNames(
    const std::vector<std::string>& names) const {
  for (const std::string& name : names) {
    for (const v1::ClientConfig& client : config_.clients()) {
      if (client.identity() == name) return name;
    }
  }
  return names.empty() ? "" : names.front();
}

absl::Status AccessPolicy::CheckAdmin(const std::string& identity) const {
  if (IsAdmin(identity)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(Who(identity), " is not an admin of this key store"));
}

absl::Status AccessPolicy::CheckSigner(const std::string& identity,
                                       const std::string& zone) const {
  if (IsAdmin(identity)) return absl::OkStatus();
  const std::string wanted = ZoneMatchKey(zone);
  for (const v1::ClientConfig& client : config_.clients()) {
    if (client.identity() != identity || client.role() != "signer") continue;
    for (const std::string& allowed : client.zones()) {
      if (ZoneMatchKey(allowed) == wanted) return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(
      absl::StrCat(Who(identity), " may not sign ", wanted));
}

std::optional<SigningPolicy> AccessPolicy::SigningPolicyFor(
    const std::string& identity) const {
  if (IsAdmin(identity)) return std::nullopt;
  for (const v1::ClientConfig& client : config_.clients()) {
    if (client.identity() == identity) {
      return SigningPolicy::From(config_.signing_policy(),
                                 client.signing_policy());
    }
  }
  return SigningPolicy::From(config_.signing_policy(),
                             v1::SigningPolicyConfig());
}

}  // namespace keystored
}  // namespace zonekeep
