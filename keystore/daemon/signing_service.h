// SigningService: the ZoneSigner gRPC service, a thin layer over
// SignZoneWithKeyStore.
//
// Reads the options message, then the zone chunks (bounded in total size),
// checks the signer role for the zone, calls the core once, and streams the
// signed zone back in chunks followed by a summary. Errors are one gRPC status.
// Thread-safety: safe for gRPC's concurrent calls.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_SIGNING_SERVICE_H_
#define ZONEKEEP_KEYSTORE_DAEMON_SIGNING_SERVICE_H_

#include "keystore/daemon/access_policy.h"
#include "keystore/daemon/admin_service.h"
#include "keystore/key_manager.h"
#include "proto/keystore.grpc.pb.h"

namespace zonekeep {
namespace keystored {

// Largest zone accepted over the API (master-file bytes).
inline constexpr size_t kMaxZoneBytes = size_t{2} << 30;
inline constexpr size_t kChunkBytes = size_t{1} << 20;

class SigningService final : public v1::ZoneSigner::Service {
 public:
  // REQUIRES: `keys` and `policy` outlive the service.
  SigningService(keystore::KeyManager* keys, const AccessPolicy* policy,
                 IdentityFn identity)
      : keys_(keys), policy_(policy), identity_(std::move(identity)) {}

  grpc::Status SignZone(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::SignZoneResponse, v1::SignZoneRequest>*
          stream) override;

 private:
  keystore::KeyManager* const keys_;
  const AccessPolicy* const policy_;
  const IdentityFn identity_;
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_SIGNING_SERVICE_H_
