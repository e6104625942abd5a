// Test helper: verifies DNSSEC wire-form signatures with plain EVP calls from
// the DNSKEY public key field alone, so what a signer (PrivateKey, a test
// key) makes is checked by a path that does not run its code. Test-only.
#ifndef ZONEKEEP_DNSSEC_TEST_VERIFY_H_
#define ZONEKEEP_DNSSEC_TEST_VERIFY_H_

#include <cstdint>
#include <vector>

#include "dnssec/algorithm.h"

namespace zonekeep {
namespace dnssec {

// True if `signature` (RSA PKCS#1, ECDSA r||s, EdDSA) verifies over `data`
// with the DNSKEY public key field `pub`.
bool VerifyDnssec(Algorithm algorithm, const std::vector<uint8_t>& pub,
                  const std::vector<uint8_t>& data,
                  const std::vector<uint8_t>& signature);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_TEST_VERIFY_H_
