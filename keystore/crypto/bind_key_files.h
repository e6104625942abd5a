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
#include "absl/strings/string_view.h"
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

// Reads only regular files (O_NOFOLLOW|O_NONBLOCK, then fstat): a symlink,
// FIFO or device is refused at once. Messages never carry raw file bytes:
// everything from a file or a path goes through PrintableText.
absl::StatusOr<BindKeyPair> ReadBindKeyPair(const std::string& base);

// `text` with control bytes, DEL, non-ASCII bytes and backslash as \xNN.
std::string PrintableText(absl::string_view text);

// The key file base `base` (relative: to `import_dir`) if it lies inside
// `import_dir` (no ".." component; its directory, symlinks resolved, inside
// import_dir's). Empty `import_dir`: import is off (FailedPrecondition
// naming the "import-dir" key).
absl::StatusOr<std::string> ResolveImportBase(const std::string& import_dir,
                                              const std::string& base);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_BIND_KEY_FILES_H_
