#include "keystore/daemon/sign_request_stream.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace keystored {

absl::StatusOr<v1::SignOptions> ReadSignOptions(
    const v1::SignZoneRequest* first) {
  if (first == nullptr || !first->has_options()) {
    return absl::InvalidArgumentError(
        "SignZone: the first message must carry the options");
  }
  if (first->options().origin().empty()) {
    return absl::InvalidArgumentError(
        "SignZone: the options must name the zone origin");
  }
  return first->options();
}

absl::Status SignRequestStream::Add(const v1::SignZoneRequest& request) {
  if (!request.has_zone_chunk()) {
    return absl::InvalidArgumentError(
        "SignZone: options may only be sent once");
  }
  const std::string& chunk = request.zone_chunk();
  if (max_zone_bytes_ < 0 ||
      chunk.size() > static_cast<uint64_t>(max_zone_bytes_) ||
      zone_text_.size() >
          static_cast<uint64_t>(max_zone_bytes_) - chunk.size()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("SignZone: zone larger than ", max_zone_bytes_,
                     " bytes (max-zone-bytes)"));
  }
  zone_text_ += chunk;
  return absl::OkStatus();
}

}  // namespace keystored
}  // namespace zonekeep
