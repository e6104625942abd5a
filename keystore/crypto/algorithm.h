// DNSSEC algorithm numbers (IANA registry) and their rules in zonekeep.
//
// Contract: names parse case-insensitively, by mnemonic ("ECDSAP256SHA256") or
// by number ("13"). Legacy algorithms (RSASHA1, NSEC3RSASHA1) parse, but are
// only accepted for imported keys: IsAllowedForNewKeys() says no.
// Thread-safety: pure functions, safe from any thread.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_ALGORITHM_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_ALGORITHM_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {

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

// "ECDSAP256SHA256" or "13" (any case) -> Algorithm; InvalidArgument otherwise,
// with a message that lists the accepted names.
absl::StatusOr<Algorithm> ParseAlgorithm(absl::string_view name_or_number);

// The IANA mnemonic, e.g. "ECDSAP256SHA256".
std::string AlgorithmName(Algorithm algorithm);

// False for RSASHA1 and NSEC3RSASHA1 (import only).
bool IsAllowedForNewKeys(Algorithm algorithm);

bool IsRsa(Algorithm algorithm);

// The key size to use: RSA needs `bits` in [1024, 4096]; other algorithms have
// a fixed size and ignore `bits` (nullopt, "-" on the command line).
absl::StatusOr<int> ResolveKeyBits(Algorithm algorithm,
                                   std::optional<int> bits);

}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_ALGORITHM_H_
