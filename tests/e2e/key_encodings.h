// Test support for the key-leak scan: every encoding in which the key store
// could hold or emit a private key, derived from a BIND-format key pair, and a
// scan of captured bytes for any of them.
//
// Thread-safety: plain values and free functions.
#ifndef ZONEKEEP_TESTS_E2E_KEY_ENCODINGS_H_
#define ZONEKEEP_TESTS_E2E_KEY_ENCODINGS_H_

#include <string>
#include <utility>
#include <vector>

namespace zonekeep::testing {

// One needle: what it is ("Kx.+013+12345 PKCS#8 DER hex upper") and its bytes.
using Needle = std::pair<std::string, std::string>;

// Reads `base`.private (a dnssec-keygen file of ECDSAP256SHA256, ED25519 or
// RSASHA256) and returns the encodings of its private key: each private
// component raw (the ECDSA scalar, the Ed25519 seed, the RSA private
// exponent, primes, CRT exponents and coefficient); the whole key as PKCS#8
// DER and as OpenSSL's traditional DER (SEC1 / PKCS#1; Ed25519 has none), the
// PEM of each; and of every raw value and DER: base64 at each of the three
// byte alignments (so a copy inside a longer base64 text is found too) and
// hex, lower and upper case. Sets `error` and returns nothing on failure.
std::vector<Needle> PrivateKeyEncodings(const std::string& base,
                                        std::string* error);

// The label of the first needle found in `haystack`, or in `haystack` with
// every line break removed (PEM- or column-wrapped copies); "" when none is.
std::string FindAny(const std::string& haystack,
                    const std::vector<Needle>& needles);

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_KEY_ENCODINGS_H_
