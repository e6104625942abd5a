#include "keystore/signing_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "keystore/grpc_status.h"
#include "keystore/zone_signing.h"

namespace zonekeep {

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
  absl::StatusOr<SignedZone> signed_zone =
      SignZoneWithKeyStore(keys_, identity, options, zone_text);
  if (!signed_zone.ok()) return ToGrpcStatus(signed_zone.status());

  v1::SignZoneResponse response;
  for (size_t at = 0; at < signed_zone->text.size(); at += kChunkBytes) {
    const size_t n = std::min(kChunkBytes, signed_zone->text.size() - at);
    response.set_signed_chunk(signed_zone->text.data() + at, n);
    if (!stream->Write(response)) {
      return grpc::Status(grpc::StatusCode::CANCELLED,
                          "SignZone: client went away");
    }
  }
  *response.mutable_summary() = signed_zone->summary;
  stream->Write(response);
  return grpc::Status::OK;
}

}  // namespace zonekeep
