// AdminService::Backup: streams the copy KeyManager::Backup made (an
// unlinked file) in chunks, then its summary. Sealed keys only: the master
// key never enters the copy.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "keystore/daemon/admin_service.h"
#include "keystore/daemon/grpc_status.h"

namespace zonekeep {
namespace keystored {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

grpc::Status AdminService::Backup(
    grpc::ServerContext* context, const v1::BackupRequest* /*request*/,
    grpc::ServerWriter<v1::BackupResponse>* writer) {
  absl::StatusOr<std::string> identity = Admin(context, "backup");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  // Audited by the key manager, refusals included.
  absl::StatusOr<std::unique_ptr<keystore::BackupCopy>> copy =
      keys_->Backup(*identity);
  if (!copy.ok()) return ToGrpcStatus(copy.status());
  const int64_t taken_unix = absl::ToUnixSeconds(absl::Now());
  const keystore::BackupSummary& summary = (*copy)->summary();
  std::string buf(kChunkBytes, '\0');
  uint64_t sent = 0;
  while (true) {
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "backup cancelled");
    }
    const ssize_t n = ::pread((*copy)->fd(), buf.data(), buf.size(), sent);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return ToGrpcStatus(absl::InternalError(
          absl::StrCat("cannot read the backup copy: ", std::strerror(errno))));
    }
    if (n == 0) break;
    v1::BackupResponse chunk;
    chunk.set_chunk(buf.data(), n);
    if (!writer->Write(chunk)) {
      return grpc::Status(grpc::StatusCode::CANCELLED,
                          "the client went away during the backup");
    }
    sent += n;
  }
  if (sent != static_cast<uint64_t>(summary.bytes)) {
    return ToGrpcStatus(absl::InternalError(
        absl::StrCat("the backup copy changed size while it was sent (",
                     summary.bytes, " bytes described, ", sent, " sent)")));
  }
  v1::BackupResponse last;
  v1::BackupSummary* out = last.mutable_summary();
  for (const std::string& zone : summary.zones) out->add_zones(zone);
  out->set_keys(summary.keys);
  out->set_keys_in_bin(summary.keys_in_bin);
  out->set_bytes(summary.bytes);
  out->set_sha256_hex(summary.sha256_hex);
  out->set_schema_version(summary.schema_version);
  out->set_master_key_id(summary.master_key_id);
  out->set_taken_unix(taken_unix);
  writer->Write(last);
  return grpc::Status::OK;
}

}  // namespace keystored
}  // namespace zonekeep
