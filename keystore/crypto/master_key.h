// MasterKey: the AES-256-GCM key that seals private keys at rest.
//
// The key lives in its own file (32 random bytes, mode 0400), created on first
// start with temp file + fsync + rename; the temp file of a creator killed
// before the rename is removed by RemoveAbandonedTempFiles. A sealed blob is
//   version(1)=1 | nonce(12) | ciphertext | tag(16)
// and authenticates its associated data: a blob opened with other associated
// data (another zone, tag, algorithm or role), or with one flipped bit, fails
// with DataLoss and a message that carries no key bytes. Thread-safety: const
// methods are safe from many threads at once.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_MASTER_KEY_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_MASTER_KEY_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "keystore/crypto/secret_bytes.h"

namespace zonekeep {
namespace keystore {

class MasterKey {
 public:
  // Reads `path`, or creates it (0400) if it does not exist. Fails if the file
  // has the wrong size or is readable by group/others.
  static absl::StatusOr<MasterKey> LoadOrCreate(const std::string& path);
  // Reads `path`; NotFound when it does not exist (nothing is created).
  static absl::StatusOr<MasterKey> Load(const std::string& path);
  // Creates `path` (0400) with a new random key; AlreadyExists (and nothing
  // written) when it exists.
  static absl::StatusOr<MasterKey> Create(const std::string& path);
  // Removes the temporary files (`path`.tmp.XXXXXX) that a Create killed
  // between its temp file and its rename left behind: each holds a key that
  // seals nothing, and it would stay on disk for good. A temp file whose
  // creator still runs is kept: Create holds an flock on it until the rename.
  // (A creator between mkstemp and its flock, a few instructions, is not
  // told apart: call this where no other process can be creating `path`,
  // as keystored does under its state-dir lock.) Returns how many files it
  // removed.
  static absl::StatusOr<int> RemoveAbandonedTempFiles(const std::string& path);

  absl::StatusOr<std::vector<uint8_t>> Seal(const SecretBytes& plaintext,
                                            absl::string_view aad) const;
  absl::StatusOr<SecretBytes> Open(absl::Span<const uint8_t> sealed,
                                   absl::string_view aad) const;

  // An authentication tag over `data` for one `purpose` (e.g.
  // "signature-record"): HMAC-SHA256 under a key derived from the master key
  // with HKDF-SHA256 (info "zonekeep-tag-v1|" + purpose), so tags of one
  // purpose say nothing about another's and no tag reveals the master key.
  // Another master key (rotation) gives other tags.
  using TagBytes = std::array<uint8_t, 32>;
  absl::StatusOr<TagBytes> Tag(absl::string_view purpose,
                               absl::string_view data) const;

 private:
  explicit MasterKey(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_MASTER_KEY_H_
