// AccessPolicy: who may call what, from the "clients" list of the
// configuration, and the signing policy that binds each signer.
//
// Contract: an identity is "unix:USER" (admin socket), a TLS client
// certificate's name, or "tcp:anonymous" (TCP without a verified client
// certificate). With no clients configured, every unix-socket peer is an admin
// (the socket's 0660 mode is the gate) and no TCP peer is anything. With
// clients configured, only listed identities have their listed role. An admin
// may call KeyAdmin and sign any zone; a signer may sign its listed zones only
// (none when it lists none). Signers are bound by the signing policy (global
// "signing-policy", overridden by the client's own); admins are not (they can
// create and roll keys anyway).
// Thread-safety: immutable after construction; safe from any thread.
// AccessPolicyHolder swaps in a new policy (SIGHUP) while calls in flight keep
// the one they started with.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_ACCESS_POLICY_H_
#define ZONEKEEP_KEYSTORE_DAEMON_ACCESS_POLICY_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "keystore/daemon/signing_policy.h"
#include "proto/config.pb.h"

namespace zonekeep {
namespace keystored {

class AccessPolicy {
 public:
  // With no "clients" list the policy fails closed: only the daemon's own
  // user and root ("unix:USER" of geteuid() and of uid 0) are admins; every
  // other peer gets PermissionDenied naming its identity.
  explicit AccessPolicy(const v1::KeystoredConfig& config);

  // The identity of a certificate with these names (DNS SANs, or the CN when
  // it has none): the first one listed in "clients", else the first one
  // (which is then refused by the checks below). Exact, case-sensitive match.
  std::string IdentityOfCertificateNames(
      const std::vector<std::string>& names) const;

  // PermissionDenied naming the identity when not allowed.
  absl::Status CheckAdmin(const std::string& identity) const;
  absl::Status CheckSigner(const std::string& identity,
                           const std::string& zone) const;

  // The limits binding `identity`'s sign requests; nullopt for an admin.
  std::optional<SigningPolicy> SigningPolicyFor(
      const std::string& identity) const;

 private:
  bool IsUnix(const std::string& identity) const;
  bool IsAdmin(const std::string& identity) const;
  v1::KeystoredConfig config_;
  std::vector<std::string> default_admins_;  // used when clients is empty
};

class AccessPolicyHolder {
 public:
  explicit AccessPolicyHolder(std::shared_ptr<const AccessPolicy> policy)
      : policy_(std::move(policy)) {}
  std::shared_ptr<const AccessPolicy> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return policy_;
  }
  void Set(std::shared_ptr<const AccessPolicy> policy) {
    std::lock_guard<std::mutex> lock(mu_);
    policy_ = std::move(policy);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const AccessPolicy> policy_;  // guarded by mu_
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_ACCESS_POLICY_H_
