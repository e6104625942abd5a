// DNSSEC algorithm numbers (IANA registry), their rules in zonekeep, and what
// each needs from OpenSSL (key type, digest, curve, sizes): the one algorithm
// table that the key store, the signer and the CLI share.
//
// Contract: names parse case-insensitively, by mnemonic ("ECDSAP256SHA256") or
// by number ("13"). Legacy algorithms (RSASHA1, NSEC3RSASHA1) parse, but are
// only accepted for imported keys: IsAllowedForNewKeys() says no.
// Thread-safety: pure functions over constant tables, safe from any thread.
#ifndef ZONEKEEP_DNSSEC_ALGORITHM_H_
#define ZONEKEEP_DNSSEC_ALGORITHM_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace dnssec {

enum class Algorithm : uint8_t {
  kRsaSha1 = 5,
  kNsec3RsaSha1 = 7,
  kRsaSha256 = 8,
  kRsaSha512 = 10,
  kEcdsaP256Sha256 = 13,
  kEcdsaP384Sha384 = 14,
  kEd25519 = 15,
  kEd448 = 16,
};

enum class KeyFamily { kRsa, kEcdsa, kEddsa };

// What an algorithm needs from OpenSSL.
struct AlgorithmSpec {
  Algorithm algorithm;
  const char* mnemonic;  // IANA mnemonic, "ECDSAP256SHA256"
  KeyFamily family;
  const char* key_type;   // EVP_PKEY type name: "RSA", "EC", "ED25519", "ED448"
  const char* digest;     // OpenSSL digest name; nullptr for EdDSA (pure)
  const char* group;      // ECDSA group name ("P-256"); nullptr otherwise
  size_t component_size;  // ECDSA r, s and coordinate size; EdDSA key size
  int fixed_bits;         // key size; 0 for RSA (chosen by the caller)
};

// The spec of a supported algorithm; nullopt for any other number.
std::optional<AlgorithmSpec> SpecOf(Algorithm algorithm);
std::optional<AlgorithmSpec> SpecOfNumber(uint8_t number);

// "ECDSAP256SHA256" or "13" (any case) -> Algorithm; InvalidArgument otherwise,
// with a message that lists the accepted names.
absl::StatusOr<Algorithm> ParseAlgorithm(absl::string_view name_or_number);

// The IANA mnemonic, e.g. "ECDSAP256SHA256"; "ALGORITHM<n>" if unknown.
std::string AlgorithmName(Algorithm algorithm);

// False for RSASHA1 and NSEC3RSASHA1 (import only) and unknown numbers.
bool IsAllowedForNewKeys(Algorithm algorithm);

bool IsRsa(Algorithm algorithm);

// The key size to use: RSA needs `bits` in [1024, 4096]; other algorithms have
// a fixed size and ignore `bits` (nullopt, "-" on the command line).
absl::StatusOr<int> ResolveKeyBits(Algorithm algorithm,
                                   std::optional<int> bits);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_ALGORITHM_H_
