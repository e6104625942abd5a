// ECDSA signatures between OpenSSL's DER ECDSA-Sig-Value and DNSSEC's r||s
// (RFC 6605 section 4): the one place zonekeep converts them. Both directions
// are allocation-free for well-formed input (they run once per signature on
// the signing and verifying hot paths); malformed DER goes through OpenSSL's
// decoder, which gives the final word.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_DNSSEC_ECDSA_SIGNATURE_H_
#define ZONEKEEP_DNSSEC_ECDSA_SIGNATURE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace zonekeep {
namespace dnssec {

// Largest DER form of r||s for components of up to 66 octets (P-521 would
// fit; zonekeep uses P-256 and P-384): SEQUENCE + 2 INTEGERs in short form.
inline constexpr size_t kMaxEcdsaDerSize = 2 * (3 + 66) + 2;

// DER to r||s, each component left-padded to `component_size` octets.
// InvalidArgument when the DER is malformed or a component is too large.
absl::StatusOr<std::vector<uint8_t>> EcdsaDerToRaw(const uint8_t* der,
                                                   size_t der_len,
                                                   size_t component_size);

// r||s (`component_size` octets each) to DER into `out`, which holds at
// least kMaxEcdsaDerSize bytes; returns the DER length.
// REQUIRES: component_size <= 66.
size_t EcdsaRawToDer(const uint8_t* raw, size_t component_size, uint8_t* out);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_ECDSA_SIGNATURE_H_
