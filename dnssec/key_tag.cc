#include "dnssec/key_tag.h"

namespace zonekeep {
namespace dnssec {

uint16_t KeyTag(absl::string_view dnskey_rdata) {
  uint32_t ac = 0;
  for (size_t i = 0; i < dnskey_rdata.size(); ++i) {
    const uint8_t b = static_cast<uint8_t>(dnskey_rdata[i]);
    ac += (i & 1) ? b : static_cast<uint32_t>(b) << 8;
  }
  ac += (ac >> 16) & 0xffff;
  return static_cast<uint16_t>(ac & 0xffff);
}

}  // namespace dnssec
}  // namespace zonekeep
