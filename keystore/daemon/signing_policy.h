// SigningPolicy: the server's limits on what a signer may ask of SignZone
// (issue 14: a leaked signer credential must not outlive key rollovers).
//
// Contract: CheckSignRequest() refuses a request whose RRSIGs would be valid
// after now + max_validity (InvalidArgument), whose inception is earlier than
// now - inception_margin (InvalidArgument), whose jitter or refresh exceeds its
// bound (InvalidArgument), or that switches self-verify off when that is not
// allowed (PermissionDenied). Each message names the configuration key and the
// limit. Unset times in the request are resolved as the engine does
// (inception now - 1 h, expiration inception + 30 days).
// Thread-safety: a value type; the functions are pure.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_SIGNING_POLICY_H_
#define ZONEKEEP_KEYSTORE_DAEMON_SIGNING_POLICY_H_

#include <cstdint>

#include "absl/status/status.h"
#include "proto/config.pb.h"
#include "proto/keystore.pb.h"

namespace zonekeep {
namespace keystored {

struct SigningPolicy {
  int64_t max_validity = 30 * 86400;
  int64_t inception_margin = 3600;
  int64_t max_jitter = 86400;
  int64_t max_refresh = 30 * 86400;
  bool allow_skip_self_verify = false;

  // The defaults, overridden by `global`, then by `per_identity`, field by
  // field.
  static SigningPolicy From(const v1::SigningPolicyConfig& global,
                            const v1::SigningPolicyConfig& per_identity);
};

absl::Status CheckSignRequest(const SigningPolicy& policy,
                              const v1::SignOptions& options, int64_t now);

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_SIGNING_POLICY_H_
