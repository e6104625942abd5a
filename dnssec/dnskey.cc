#include "dnssec/dnskey.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dnssec/name.h"

namespace zonekeep {
namespace dnssec {

std::vector<uint8_t> BuildDnskeyRdata(uint16_t flags, Algorithm algorithm,
                                      absl::Span<const uint8_t> public_key) {
  std::vector<uint8_t> rdata;
  rdata.reserve(kDnskeyHeaderSize + public_key.size());
  rdata.push_back(static_cast<uint8_t>(flags >> 8));
  rdata.push_back(static_cast<uint8_t>(flags & 0xff));
  rdata.push_back(3);
  rdata.push_back(static_cast<uint8_t>(algorithm));
  rdata.insert(rdata.end(), public_key.begin(), public_key.end());
  return rdata;
}

absl::StatusOr<DnskeyFields> ParseDnskeyRdata(absl::string_view rdata) {
  if (rdata.size() <= kDnskeyHeaderSize) {
    return absl::InvalidArgumentError("DNSKEY RDATA is too short");
  }
  DnskeyFields fields;
  fields.flags = static_cast<uint16_t>(static_cast<uint8_t>(rdata[0]) << 8 |
                                       static_cast<uint8_t>(rdata[1]));
  fields.protocol = static_cast<uint8_t>(rdata[2]);
  fields.algorithm = static_cast<uint8_t>(rdata[3]);
  fields.public_key = rdata.substr(kDnskeyHeaderSize);
  if (fields.protocol != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("DNSKEY protocol is ", fields.protocol, ", expected 3"));
  }
  return fields;
}

absl::StatusOr<std::string> FormatDnskeyRecord(
    absl::string_view zone, uint32_t ttl,
    absl::Span<const uint8_t> dnskey_rdata) {
  absl::StatusOr<DnskeyFields> fields = ParseDnskeyRdata(absl::string_view(
      reinterpret_cast<const char*>(dnskey_rdata.data()), dnskey_rdata.size()));
  if (!fields.ok()) return fields.status();
  absl::StatusOr<std::string> owner = NormalizeZoneName(zone);
  if (!owner.ok()) return owner.status();
  return absl::StrCat(*owner, " ", ttl, " IN DNSKEY ", fields->flags, " ",
                      fields->protocol, " ", fields->algorithm, " ",
                      absl::Base64Escape(fields->public_key));
}

}  // namespace dnssec
}  // namespace zonekeep
