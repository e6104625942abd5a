#include "signer/validity_window.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace zonekeep {
namespace signer {
namespace {

// "-e 21000101000000 (4102444800)"
std::string Named(const char* flag, int64_t unix_seconds) {
  return absl::StrCat(flag, " ", RrsigTimeText(unix_seconds), " (",
                      unix_seconds, ")");
}

absl::Status Refuse(const char* flag, int64_t value, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("signature validity ", Named(flag, value), ": ", why));
}

}  // namespace

std::string RrsigTimeText(int64_t unix_seconds) {
  return absl::FormatTime("%Y%m%d%H%M%S", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

absl::Status CheckValidityWindow(int64_t inception, int64_t expiration,
                                 int64_t now) {
  const std::string max = absl::StrCat(kMaxSerialDistance);
  if (inception < 1) {
    return Refuse("-s", inception,
                  "inception must be after 19700101000000 (unix time 0)");
  }
  if (expiration <= inception) {
    return Refuse("-e", expiration,
                  absl::StrCat("expiration is not after the inception ",
                               Named("-s", inception)));
  }
  // Both are >= 1 here, so the differences below cannot overflow.
  if (expiration - inception > kMaxSerialDistance) {
    return Refuse("-e", expiration,
                  absl::StrCat("window from ", Named("-s", inception), " is ",
                               expiration - inception,
                               " s long, more than 2^31-1 = ", max,
                               " s (RRSIG times are serial numbers, RFC 4034 "
                               "3.1.5)"));
  }
  if (now - inception > kMaxSerialDistance) {
    return Refuse(
        "-s", inception,
        absl::StrCat("inception is more than 2^31-1 = ", max, " s before now ",
                     Named("", now).substr(1),
                     ": verifiers read it as a future time (RFC 4034 3.1.5)"));
  }
  if (expiration - now > kMaxSerialDistance) {
    return Refuse(
        "-e", expiration,
        absl::StrCat("expiration is more than 2^31-1 = ", max, " s after now ",
                     Named("", now).substr(1),
                     ": verifiers read it as a past time (RFC 4034 3.1.5)"));
  }
  return absl::OkStatus();
}

}  // namespace signer
}  // namespace zonekeep
