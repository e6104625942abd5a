// Reads BIND-format key pairs (K<zone>+<alg>+<tag>.key / .private), as written
// by dnssec-keygen and ldns-keygen, for migration into the key store.
//
// Contract: `base` is the path without extension (a trailing ".key" or
// ".private" is accepted and stripped). The .key file gives zone, flags and
// algorithm; the .private file ("Private-key-format: v1.x") gives the key. The
// public key derived from the private key must equal the one in the .key file.
// Errors name the file and never carry key bytes. Thread-safety: pure function.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_BIND_KEY_FILES_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_BIND_KEY_FILES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "keystore/crypto/private_key.h"

namespace zonekeep {
namespace keystore {

struct BindKeyPair {
  std::string zone;  // normalised, "example.com."
  uint16_t flags = 0;
  uint16_t key_tag = 0;
  std::vector<uint8_t> dnskey_rdata;
  PrivateKey key;
};

absl::StatusOr<BindKeyPair> ReadBindKeyPair(const std::string& base);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_BIND_KEY_FILES_H_
