#include "signer/soa_serial.h"

#include <time.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "signer/rrsig.h"

namespace zonekeep {
namespace signer {
namespace {

// RFC 1982: a > b.
bool SerialGreater(uint32_t a, uint32_t b) {
  return a != b && static_cast<int32_t>(a - b) > 0;
}

uint32_t Bump(uint32_t current) {
  const uint32_t next = current + 1;
  return next == 0 ? 1 : next;
}

size_t SerialOffset(const std::string& rdata) {
  size_t pos = 0;
  for (int names = 0; names < 2; ++names) {
    while (pos < rdata.size() && rdata[pos] != 0) {
      pos += 1 + static_cast<uint8_t>(rdata[pos]);
    }
    ++pos;
  }
  return pos;
}

}  // namespace

absl::StatusOr<SerialMode> ParseSerialMode(absl::string_view name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "keep") return SerialMode::kKeep;
  if (n == "increment" || n == "inc") return SerialMode::kIncrement;
  if (n == "unixtime" || n == "unix") return SerialMode::kUnixTime;
  if (n == "date") return SerialMode::kDate;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown serial mode '", name, "' (keep, increment, unixtime, date)"));
}

uint32_t NextSerial(uint32_t current, SerialMode mode, int64_t now) {
  switch (mode) {
    case SerialMode::kKeep:
      return current;
    case SerialMode::kIncrement:
      return Bump(current);
    case SerialMode::kUnixTime: {
      const uint32_t candidate = static_cast<uint32_t>(now);
      return SerialGreater(candidate, current) ? candidate : Bump(current);
    }
    case SerialMode::kDate: {
      time_t t = static_cast<time_t>(now);
      struct tm tm;
      gmtime_r(&t, &tm);
      const uint32_t candidate =
          static_cast<uint32_t>((tm.tm_year + 1900) * 1000000 +
                                (tm.tm_mon + 1) * 10000 + tm.tm_mday * 100);
      return SerialGreater(candidate, current) ? candidate : Bump(current);
    }
  }
  return current;
}

absl::StatusOr<uint32_t> SoaSerial(const std::string& soa_rdata) {
  const size_t pos = SerialOffset(soa_rdata);
  if (pos + 20 != soa_rdata.size()) {
    return absl::InvalidArgumentError("malformed SOA RDATA");
  }
  return ReadU32(soa_rdata, pos);
}

absl::Status SetSoaSerial(uint32_t serial, std::string* soa_rdata) {
  const size_t pos = SerialOffset(*soa_rdata);
  if (pos + 20 != soa_rdata->size()) {
    return absl::InvalidArgumentError("malformed SOA RDATA");
  }
  std::string bytes;
  AppendU32(serial, &bytes);
  soa_rdata->replace(pos, 4, bytes);
  return absl::OkStatus();
}

}  // namespace signer
}  // namespace zonekeep
