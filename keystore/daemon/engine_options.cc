#include "keystore/daemon/engine_options.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace keystored {

absl::StatusOr<signer::SignOptions> ToEngineOptions(const v1::SignOptions& in) {
  signer::SignOptions out;
  out.origin = in.origin();
  if (in.inception_unix() != 0) out.inception = in.inception_unix();
  if (in.expiration_unix() != 0) out.expiration = in.expiration_unix();
  out.jitter = in.jitter_seconds();
  out.refresh = in.refresh_seconds();
  switch (in.serial_mode()) {
    case v1::SignOptions::SERIAL_INCREMENT:
      out.serial_mode = signer::SerialMode::kIncrement;
      break;
    case v1::SignOptions::SERIAL_UNIXTIME:
      out.serial_mode = signer::SerialMode::kUnixTime;
      break;
    case v1::SignOptions::SERIAL_DATE:
      out.serial_mode = signer::SerialMode::kDate;
      break;
    default:
      out.serial_mode = signer::SerialMode::kKeep;
  }
  out.nsec3.enabled = in.nsec3();
  if (!in.nsec3_salt_hex().empty()) {
    const std::string& hex = in.nsec3_salt_hex();
    const bool is_hex = hex.size() % 2 == 0 && hex.size() <= 510 &&
                        std::all_of(hex.begin(), hex.end(), [](char c) {
                          return absl::ascii_isxdigit(c);
                        });
    if (!is_hex) {
      return absl::InvalidArgumentError(
          absl::StrCat("NSEC3 salt \"", hex, "\" is not hex"));
    }
    out.nsec3.salt = absl::HexStringToBytes(hex);
  }
  if (in.nsec3_iterations() > 0xffff) {
    return absl::InvalidArgumentError("NSEC3 iterations above 65535");
  }
  out.nsec3.iterations = static_cast<uint16_t>(in.nsec3_iterations());
  out.nsec3.opt_out = in.nsec3_opt_out();
  out.nsec3.allow_iterations = in.allow_nsec3_iterations();
  if (in.dnskey_ttl() != 0) out.dnskey_ttl = in.dnskey_ttl();
  out.add_cds = in.add_cds();
  out.self_verify = !in.skip_self_verify();
  return out;
}

}  // namespace keystored
}  // namespace zonekeep
