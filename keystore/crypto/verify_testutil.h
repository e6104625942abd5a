// Test helper: verifies DNSSEC wire-form signatures with plain EVP calls from
// the DNSKEY public key field alone, so what PrivateKey signs is checked by a
// path that does not run private_key.cc. Test-only.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_VERIFY_TESTUTIL_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_VERIFY_TESTUTIL_H_

#include <cstdint>
#include <vector>

#include "dnssec/algorithm.h"

namespace zonekeep {
namespace keystore {

// True if `signature` (RSA PKCS#1, ECDSA r||s, EdDSA) verifies over `data`
// with the DNSKEY public key field `pub`.
bool VerifyDnssec(dnssec::Algorithm algorithm, const std::vector<uint8_t>& pub,
                  const std::vector<uint8_t>& data,
                  const std::vector<uint8_t>& signature);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_VERIFY_TESTUTIL_H_
