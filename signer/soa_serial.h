// SOA serial update modes, as dnssec-signzone -N: keep, increment, unixtime,
// date (YYYYMMDDnn). Serial arithmetic per RFC 1982: the new serial is always
// "greater" than the old one except in keep mode.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_SIGNER_SOA_SERIAL_H_
#define ZONEKEEP_SIGNER_SOA_SERIAL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace signer {

enum class SerialMode { kKeep, kIncrement, kUnixTime, kDate };

// "keep", "increment", "unixtime", "date" (also "inc", "unix").
absl::StatusOr<SerialMode> ParseSerialMode(absl::string_view name);

uint32_t NextSerial(uint32_t current, SerialMode mode, int64_t now);

// Reads / replaces the serial in SOA RDATA (wire form).
absl::StatusOr<uint32_t> SoaSerial(const std::string& soa_rdata);
absl::Status SetSoaSerial(uint32_t serial, std::string* soa_rdata);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_SOA_SERIAL_H_
