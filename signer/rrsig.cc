#include "signer/rrsig.h"

#include "dnssec/algorithm.h"
#include "dnssec/name.h"

namespace zonekeep {
namespace signer {

void AppendRrsigPrefix(const RrsigFields& fields, std::string* out) {
  AppendU16(fields.type_covered, out);
  out->push_back(static_cast<char>(fields.algorithm));
  out->push_back(static_cast<char>(fields.labels));
  AppendU32(fields.original_ttl, out);
  AppendU32(fields.expiration, out);
  AppendU32(fields.inception, out);
  AppendU16(fields.key_tag, out);
  out->append(fields.signer_name);
}

void AppendSignedRRset(absl::string_view owner, uint16_t type,
                       uint32_t original_ttl,
                       absl::Span<const absl::string_view> rdatas,
                       std::string* out) {
  for (const absl::string_view rdata : rdatas) {
    out->append(owner.data(), owner.size());
    AppendU16(type, out);
    AppendU16(1, out);  // class IN
    AppendU32(original_ttl, out);
    AppendU16(static_cast<uint16_t>(rdata.size()), out);
    out->append(rdata.data(), rdata.size());
  }
}

absl::StatusOr<RrsigFields> ParseRrsig(absl::string_view rdata) {
  if (rdata.size() < 19) return absl::InvalidArgumentError("short RRSIG");
  RrsigFields f;
  f.type_covered = ReadU16(rdata, 0);
  f.algorithm = static_cast<dnssec::Algorithm>(rdata[2]);
  f.labels = static_cast<uint8_t>(rdata[3]);
  f.original_ttl = ReadU32(rdata, 4);
  f.expiration = ReadU32(rdata, 8);
  f.inception = ReadU32(rdata, 12);
  f.key_tag = ReadU16(rdata, 16);
  size_t pos = 18;
  while (pos < rdata.size() && rdata[pos] != 0) {
    pos += 1 + static_cast<uint8_t>(rdata[pos]);
  }
  if (pos >= rdata.size()) {
    return absl::InvalidArgumentError("RRSIG signer name runs past RDATA");
  }
  f.signer_name = std::string(rdata.substr(18, pos + 1 - 18));
  if (!dnssec::IsValidWireName(f.signer_name)) {
    return absl::InvalidArgumentError("RRSIG signer name is malformed");
  }
  f.signature = std::string(rdata.substr(pos + 1));
  return f;
}

}  // namespace signer
}  // namespace zonekeep
