// AdminService: the KeyAdmin gRPC service, a thin layer over
// keystore::KeyManager.
//
// Each method finds the caller's identity, checks the admin role, converts the
// request, calls the core once and translates its status with ToGrpcStatus.
// Every call leaves an audit row: mutations through the core, reads and
// refused callers here.
// No key logic lives here. Nothing it returns carries private key material.
// Thread-safety: safe for gRPC's concurrent calls (the core is thread-safe).
#ifndef ZONEKEEP_KEYSTORE_DAEMON_ADMIN_SERVICE_H_
#define ZONEKEEP_KEYSTORE_DAEMON_ADMIN_SERVICE_H_

#include <functional>
#include <string>
#include <vector>

#include "keystore/daemon/access_policy.h"
#include "keystore/daemon/sign_stats.h"
#include "keystore/key_manager.h"
#include "proto/keystore.grpc.pb.h"

namespace zonekeep {
namespace keystored {

// Converts a key's metadata to its API form.
v1::Key ToProtoKey(const keystore::KeyView& key);

class AdminService final : public v1::KeyAdmin::Service {
 public:
  // REQUIRES: `keys`, `policies` and `stats` (may be null: Stats is then
  // UNIMPLEMENTED) outlive the service.
  AdminService(keystore::KeyManager* keys, const AccessPolicyHolder* policies,
               SignStats* stats = nullptr)
      : keys_(keys), policies_(policies), stats_(stats) {}

  grpc::Status CreateKeys(grpc::ServerContext* context,
                          const v1::CreateKeysRequest* request,
                          v1::KeyList* response) override;
  grpc::Status DeleteKey(grpc::ServerContext* context,
                         const v1::KeyRef* request,
                         v1::KeyList* response) override;
  grpc::Status DeleteZone(grpc::ServerContext* context,
                          const v1::ZoneRef* request,
                          v1::KeyList* response) override;
  grpc::Status UndeleteKey(grpc::ServerContext* context,
                           const v1::KeyRef* request,
                           v1::KeyList* response) override;
  grpc::Status ListKeys(grpc::ServerContext* context,
                        const v1::ListKeysRequest* request,
                        v1::KeyList* response) override;
  grpc::Status Rollover(grpc::ServerContext* context,
                        const v1::RolloverRequest* request,
                        v1::KeyList* response) override;
  grpc::Status ParentData(grpc::ServerContext* context,
                          const v1::ParentDataRequest* request,
                          v1::RecordText* response) override;
  grpc::Status ShowKeys(grpc::ServerContext* context,
                        const v1::ShowKeysRequest* request,
                        v1::RecordText* response) override;
  grpc::Status ImportKey(grpc::ServerContext* context,
                         const v1::ImportKeyRequest* request,
                         v1::KeyList* response) override;
  grpc::Status Audit(grpc::ServerContext* context,
                     const v1::AuditRequest* request,
                     v1::AuditLog* response) override;
  grpc::Status Status(grpc::ServerContext* context,
                      const v1::StatusRequest* request,
                      v1::StatusReply* response) override;
  grpc::Status Stats(grpc::ServerContext* context,
                     const v1::StatsRequest* request,
                     v1::SignStats* response) override;
  grpc::Status ExpireKey(grpc::ServerContext* context,
                         const v1::KeyRef* request,
                         v1::KeyList* response) override;
  grpc::Status PurgeBin(grpc::ServerContext* context,
                        const v1::PurgeRequest* request,
                        v1::KeyList* response) override;
  grpc::Status CdsDelete(grpc::ServerContext* context,
                         const v1::CdsDeleteRequest* request,
                         v1::KeyList* response) override;
  grpc::Status RotateMasterKey(grpc::ServerContext* context,
                               const v1::RotateMasterKeyRequest* request,
                               v1::RotateMasterKeyReply* response) override;
  // admin_service_backup.cc: the copy in chunks, then its summary.
  grpc::Status Backup(grpc::ServerContext* context,
                      const v1::BackupRequest* request,
                      grpc::ServerWriter<v1::BackupResponse>* writer) override;

 private:
  // The caller's audit name (Caller::AuditName) when it is an admin, else a
  // PermissionDenied status (audited as an attempt at `command`).
  absl::StatusOr<std::string> Admin(grpc::ServerContext* context,
                                    absl::string_view command);
  // Mutations are audited by the core; reads are audited here.
  void AuditRead(const std::string& identity, absl::string_view command,
                 const std::string& zone, const grpc::Status& result);
  // The zone's live keys; NotFound ("no keys for ZONE") when it has none.
  absl::StatusOr<std::vector<keystore::KeyView>> LiveKeysOf(
      const std::string& zone);

  keystore::KeyManager* const keys_;
  const AccessPolicyHolder* const policies_;
  SignStats* const stats_;
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_ADMIN_SERVICE_H_
