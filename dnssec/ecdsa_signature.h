// ECDSA signatures between OpenSSL's DER ECDSA-Sig-Value and DNSSEC's r||s
// (RFC 6605 section 4): the one place zonekeep converts them. Both directions
// are hand-written and allocation-free apart from the returned vector (they
// run once per signature on the signing and verifying hot paths).
//
// The decoder takes strict DER only (X.690 section 10, RFC 3279 section
// 2.2.3): SEQUENCE { INTEGER r, INTEGER s } with definite, minimal lengths,
// each INTEGER minimally encoded, positive and non-zero, and nothing after
// the SEQUENCE. Anything else is refused, never repaired.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_DNSSEC_ECDSA_SIGNATURE_H_
#define ZONEKEEP_DNSSEC_ECDSA_SIGNATURE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace zonekeep {
namespace dnssec {

// Largest component zonekeep converts (P-521 would fit; zonekeep uses P-256
// and P-384).
inline constexpr size_t kMaxEcdsaComponentSize = 66;

// Largest DER form of r||s for components of up to kMaxEcdsaComponentSize
// octets: a SEQUENCE header of up to 3 octets (long form from 128 content
// octets on) and 2 INTEGERs of up to 2 + 1 + 66 octets.
inline constexpr size_t kMaxEcdsaDerSize =
    3 + 2 * (2 + 1 + kMaxEcdsaComponentSize);

// Strict DER to r||s, each component left-padded to `component_size` octets.
// InvalidArgument when the DER is not well-formed (see above), a component
// is longer than `component_size`, or component_size is 0 or above
// kMaxEcdsaComponentSize.
absl::StatusOr<std::vector<uint8_t>> EcdsaDerToRaw(const uint8_t* der,
                                                   size_t der_len,
                                                   size_t component_size);

// r||s (`component_size` octets each) to DER into `out`, which holds at
// least kMaxEcdsaDerSize bytes; returns the DER length.
// REQUIRES: 0 < component_size <= kMaxEcdsaComponentSize.
size_t EcdsaRawToDer(const uint8_t* raw, size_t component_size, uint8_t* out);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_ECDSA_SIGNATURE_H_
