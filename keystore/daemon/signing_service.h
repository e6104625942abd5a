// SigningService: the ZoneSigner gRPC service, a thin layer over
// SignZoneWithKeyStore.
//
// Reads the options message, checks the caller's signer role for the zone and
// the signing policy, takes one of `max_sign_jobs` job slots (and one of its
// identity's `max_sign_jobs_per_identity`), reads the zone
// chunks (at most `max_zone_bytes` in total, counted as they arrive), calls
// the core once, and streams the signed zone back in chunks followed by a
// summary. A client that cancels (or whose deadline passes) stops the job
// promptly: while the zone arrives, at the next chunk; while it is signed,
// through the engine's cancel hook (ServerContext::IsCancelled, asked between
// phases and every few RRsets); while it is sent, at the next write. The job
// then returns CANCELLED and its memory is freed. Every call, allowed
// or refused, is audited (caller.h) and counted (sign_stats.h: refused before
// signing by status code, failed after, or signed). Errors are one gRPC status.
// A signed zone's model and text are freed on a thread of the service's own
// after the summary is written: the client does not wait for that free (the
// job slot is given back before it).
// Thread-safety: safe for gRPC's concurrent calls.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_SIGNING_SERVICE_H_
#define ZONEKEEP_KEYSTORE_DAEMON_SIGNING_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "keystore/daemon/access_policy.h"
#include "keystore/daemon/deferred_release.h"
#include "keystore/daemon/sign_stats.h"
#include "keystore/key_manager.h"
#include "proto/config.pb.h"
#include "proto/keystore.grpc.pb.h"
#include "signer/zone_limits.h"

namespace zonekeep {
namespace keystored {

inline constexpr size_t kChunkBytes = size_t{1} << 20;

struct SignLimits {
  int64_t max_sign_jobs = 4;
  int64_t max_zone_bytes = int64_t{2} << 30;
  // Jobs one identity may run at once (0: only max_sign_jobs binds).
  int64_t max_sign_jobs_per_identity = 0;
  // Records, name labels and signatures per zone, checked by the engine.
  signer::ZoneLimits zone;
};

// glibc keeps most of a freed zone model in its arenas (a 100k-delegation
// zone left ~160 MB resident after its free, ~80 MB after malloc_trim);
// this trims them. No-op on other C libraries.
void ReturnFreedMemory();

// The limits of a loaded configuration (LoadConfig has set the defaults).
SignLimits SignLimitsFromConfig(const v1::KeystoredConfig& config);

class SigningService final : public v1::ZoneSigner::Service {
 public:
  // REQUIRES: `keys`, `policies` and `stats` (may be null: not counted)
  // outlive the service. `signature_dir`: where the zones' signature records
  // live (incremental signing, zone_signing.h); empty: none kept.
  SigningService(keystore::KeyManager* keys, const AccessPolicyHolder* policies,
                 SignLimits limits, SignStats* stats = nullptr,
                 std::string signature_dir = "")
      : keys_(keys),
        policies_(policies),
        limits_(limits),
        stats_(stats),
        signature_dir_(std::move(signature_dir)) {}

  grpc::Status SignZone(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::SignZoneResponse, v1::SignZoneRequest>*
          stream) override;

 private:
  keystore::KeyManager* const keys_;
  const AccessPolicyHolder* const policies_;
  const SignLimits limits_;
  SignStats* const stats_;
  const std::string signature_dir_;
  std::atomic<int64_t> running_jobs_{0};
  // A std::mutex, not absl::Mutex: Debian's Abseil is not built for TSan, so
  // its locks would be invisible to a --config=tsan build.
  std::mutex jobs_mu_;
  std::map<std::string, int64_t> jobs_by_identity_;  // guarded by jobs_mu_
  // Frees each signed zone's model and text after its summary went out, so a
  // client's wall time does not include that free; then hands the freed
  // memory back to the system (ReturnFreedMemory).
  DeferredRelease release_{ReturnFreedMemory};
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_SIGNING_SERVICE_H_
