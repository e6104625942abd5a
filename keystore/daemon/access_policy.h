// AccessPolicy: who may call what, from the "clients" list of the
// configuration.
//
// Contract: an identity is "unix:USER" (admin socket) or a TLS client
// certificate's name. With no clients configured, every unix-socket peer is an
// admin and a signer for all zones (the socket's 0660 mode is the gate) and no
// TLS peer is anything. With clients configured, only listed identities have
// their listed role; a signer entry with no zones may sign none.
// Thread-safety: immutable after construction; safe from any thread.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_ACCESS_POLICY_H_
#define ZONEKEEP_KEYSTORE_DAEMON_ACCESS_POLICY_H_

#include <string>

#include "absl/status/status.h"
#include "proto/config.pb.h"

namespace zonekeep {
namespace keystored {

class AccessPolicy {
 public:
  explicit AccessPolicy(const v1::KeystoredConfig& config) : config_(config) {}

  // PermissionDenied naming the identity when not allowed.
  absl::Status CheckAdmin(const std::string& identity) const;
  absl::Status CheckSigner(const std::string& identity,
                           const std::string& zone) const;

 private:
  bool IsUnix(const std::string& identity) const;
  v1::KeystoredConfig config_;
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_ACCESS_POLICY_H_
