// The key tag of a DNSKEY (RFC 4034 appendix B): the one key-tag function in
// zonekeep. Algorithm 1 (RSAMD5), which uses another rule, is not supported
// anywhere in zonekeep. Thread-safety: pure functions.
#ifndef ZONEKEEP_DNSSEC_KEY_TAG_H_
#define ZONEKEEP_DNSSEC_KEY_TAG_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace zonekeep {
namespace dnssec {

// Over the DNSKEY RDATA in wire form (flags, protocol, algorithm, key).
uint16_t KeyTag(absl::string_view dnskey_rdata);

inline uint16_t KeyTag(absl::Span<const uint8_t> dnskey_rdata) {
  return KeyTag(absl::string_view(
      reinterpret_cast<const char*>(dnskey_rdata.data()), dnskey_rdata.size()));
}

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_KEY_TAG_H_
