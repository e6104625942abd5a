#include "keystore/daemon/signing_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "keystore/daemon/grpc_status.h"
#include "keystore/daemon/zone_signing.h"

namespace zonekeep {
namespace keystored {

grpc::Status SigningService::SignZone(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::SignZoneResponse, v1::SignZoneRequest>*
        stream) {
  const std::string identity = identity_(context);
  v1::SignZoneRequest request;
  if (!stream->Read(&request) || !request.has_options()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "SignZone: the first message must carry the options");
  }
  const v1::SignOptions options = request.options();
  if (options.origin().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "SignZone: the options must name the zone origin");
  }
  if (absl::Status allowed = policy_->CheckSigner(identity, options.origin());
      !allowed.ok()) {
    keys_->RecordAudit(identity, "sign", options.origin(), "", allowed)
        .IgnoreError();
    return ToGrpcStatus(allowed);
  }
  std::string zone_text;
  while (stream->Read(&request)) {
    if (!request.has_zone_chunk()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "SignZone: options may only be sent once");
    }
    if (zone_text.size() + request.zone_chunk().size() > kMaxZoneBytes) {
      return grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("SignZone: zone larger than ", kMaxZoneBytes, " bytes"));
    }
    zone_text += request.zone_chunk();
  }
  // Chunks go out as the engine writes them (after its self-verify).
  v1::SignZoneResponse response;
  std::string pending;
  auto send_pending = [&]() -> absl::Status {
    response.set_signed_chunk(pending);
    pending.clear();
    if (!stream->Write(response)) {
      return absl::CancelledError("SignZone: client went away");
    }
    return absl::OkStatus();
  };
  auto sink = [&](absl::string_view piece) -> absl::Status {
    pending.append(piece.data(), piece.size());
    const bool flush =
        piece.empty() ? !pending.empty() : pending.size() >= kChunkBytes;
    return flush ? send_pending() : absl::OkStatus();
  };
  absl::StatusOr<v1::SignSummary> summary = SignZoneWithKeyStore(
      keys_, identity, options, std::move(zone_text), sink);
  if (!summary.ok()) return ToGrpcStatus(summary.status());
  *response.mutable_summary() = *std::move(summary);
  stream->Write(response);
  return grpc::Status::OK;
}

}  // namespace keystored
}  // namespace zonekeep
