#include "dnssec/digest_type.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace dnssec {

absl::StatusOr<DigestType> ParseDigestType(absl::string_view name) {
  const std::string upper =
      absl::AsciiStrToUpper(absl::StripAsciiWhitespace(name));
  if (upper == "SHA-1" || upper == "SHA1" || upper == "1") {
    return DigestType::kSha1;
  }
  if (upper == "SHA-256" || upper == "SHA256" || upper == "2") {
    return DigestType::kSha256;
  }
  if (upper == "SHA-384" || upper == "SHA384" || upper == "4") {
    return DigestType::kSha384;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown DS digest type \"", absl::CHexEscape(name),
                   "\"; accepted: SHA-1 (1), SHA-256 (2), SHA-384 (4)"));
}

const char* DigestName(DigestType digest_type) {
  switch (digest_type) {
    case DigestType::kSha1:
      return "SHA1";
    case DigestType::kSha256:
      return "SHA256";
    case DigestType::kSha384:
      return "SHA384";
  }
  return "";
}

}  // namespace dnssec
}  // namespace zonekeep
