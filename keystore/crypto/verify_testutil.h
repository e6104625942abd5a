// Test helpers: verify DNSSEC wire-form signatures with plain EVP calls,
// from the DNSKEY public key field alone (so the DNSKEY encoding is checked
// independently of private_key.cc). Test-only.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_VERIFY_TESTUTIL_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_VERIFY_TESTUTIL_H_

#include <cstdint>
#include <vector>

#include "keystore/crypto/algorithm.h"
#include "keystore/crypto/private_key.h"

namespace zonekeep {

// Public EVP_PKEY from a DNSKEY public key field; null if malformed.
EvpPkeyPtr PublicKeyFromDnskey(Algorithm algorithm,
                               const std::vector<uint8_t>& pub);

// True if `signature` (RSA PKCS#1, ECDSA r||s, EdDSA) verifies over `data`.
bool VerifyDnssec(Algorithm algorithm, const std::vector<uint8_t>& pub,
                  const std::vector<uint8_t>& data,
                  const std::vector<uint8_t>& signature);

}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_VERIFY_TESTUTIL_H_
