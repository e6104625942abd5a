// The client's v1::SignOptions as the signer engine's signer::SignOptions.
//
// Contract: every field maps to its engine option (0 means the engine's
// default for the validity times and the DNSKEY TTL); the NSEC3 salt must be
// even-length hex of at most 255 bytes and the iterations at most 65535,
// else InvalidArgument (the engine then applies RFC 9276's own limits). The
// cancel hook and the zone limits are left for the caller to set.
// Thread-safety: pure function.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_ENGINE_OPTIONS_H_
#define ZONEKEEP_KEYSTORE_DAEMON_ENGINE_OPTIONS_H_

#include "absl/status/statusor.h"
#include "proto/keystore.pb.h"
#include "signer/zone_signer.h"

namespace zonekeep {
namespace keystored {

absl::StatusOr<signer::SignOptions> ToEngineOptions(const v1::SignOptions& in);

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_ENGINE_OPTIONS_H_
