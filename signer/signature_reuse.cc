#include "signer/signature_reuse.h"

namespace zonekeep {
namespace signer {

int64_t RrsigTimeNear(uint32_t serial_time, int64_t now) {
  const uint32_t now32 = static_cast<uint32_t>(now);
  return now + static_cast<int32_t>(serial_time - now32);
}

bool MayReuseSignature(absl::string_view rdata, const RrsigFields& expected,
                       int64_t now, int64_t refresh, int64_t latest_expiration,
                       int64_t* expiration) {
  const size_t name_end = 18 + expected.signer_name.size();
  if (rdata.size() <= name_end) return false;  // no signature bytes
  if (ReadU16(rdata, 0) != expected.type_covered ||
      static_cast<uint8_t>(rdata[2]) !=
          static_cast<uint8_t>(expected.algorithm) ||
      static_cast<uint8_t>(rdata[3]) != expected.labels ||
      ReadU32(rdata, 4) != expected.original_ttl ||
      ReadU16(rdata, 16) != expected.key_tag ||
      rdata.substr(18, expected.signer_name.size()) != expected.signer_name) {
    return false;
  }
  const int64_t expires = RrsigTimeNear(ReadU32(rdata, 8), now);
  const int64_t incepted = RrsigTimeNear(ReadU32(rdata, 12), now);
  if (incepted > now || expires <= now + refresh ||
      expires > latest_expiration || incepted >= expires) {
    return false;
  }
  *expiration = expires;
  return true;
}

}  // namespace signer
}  // namespace zonekeep
