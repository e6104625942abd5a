// KeyBackend: where private keys are generated, kept and turned into signing
// handles. The seam for a later PKCS#11/HSM backend; KeyManager sees only
// PendingKey, opaque stored blobs and SigningHandles, never key bytes.
//
// Flow: Generate() or Import() gives a PendingKey whose public key the caller
// turns into a DNSKEY and a key tag; Store() then binds it to its identity
// (zone, tag, algorithm, role) and returns an opaque blob for the keys table;
// Load() turns a blob + the same binding back into a dnssec::SigningHandle. A
// blob loaded with another binding (swapped rows, edited columns) or altered by
// one bit fails with DataLoss. Thread-safety: all methods are safe from many
// threads at once.
#ifndef ZONEKEEP_KEYSTORE_KEY_BACKEND_H_
#define ZONEKEEP_KEYSTORE_KEY_BACKEND_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "keystore/crypto/master_key.h"
#include "keystore/crypto/private_key.h"
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace keystore {

// What a stored key is bound to: everything that identifies it.
struct KeyBinding {
  std::string zone;  // normalised
  uint16_t key_tag = 0;
  dnssec::Algorithm algorithm = dnssec::Algorithm::kEcdsaP256Sha256;
  dnssec::KeyRole role = dnssec::KeyRole::kZsk;
  std::vector<uint8_t> dnskey_rdata;  // the key's DNSKEY RDATA
};

// "zonekeep-key-v2|example.com.|12345|13|KSK|<DNSKEY RDATA in hex>": the
// associated data sealed keys are bound to (the "v2" is the version marker).
std::string CanonicalKeyBinding(const KeyBinding& binding);
// "zonekeep-key-v1|example.com.|12345|13|KSK": the associated data of keys
// sealed before issue 16 (without the DNSKEY RDATA); read only to re-seal
// them (UpgradeSealedKeys).
std::string CanonicalKeyBindingV1(const KeyBinding& binding);

// A key generated or imported but not yet stored. Destroying it without Store
// discards the key.
class PendingKey {
 public:
  virtual ~PendingKey() = default;
  virtual dnssec::Algorithm algorithm() const = 0;
  virtual int bits() const = 0;
  // The DNSKEY public key field (RFC 3110, RFC 6605, RFC 8080).
  virtual std::vector<uint8_t> DnskeyPublicKey() const = 0;
};

class KeyBackend {
 public:
  virtual ~KeyBackend() = default;
  // Stored in keys.backend, e.g. "sealed-sqlite".
  virtual std::string name() const = 0;
  // REQUIRES: bits from dnssec::ResolveKeyBits(algorithm, ...).
  virtual absl::StatusOr<std::unique_ptr<PendingKey>> Generate(
      dnssec::Algorithm algorithm, int bits) = 0;
  virtual absl::StatusOr<std::unique_ptr<PendingKey>> Import(
      PrivateKey key) = 0;
  // REQUIRES: `key` came from this backend.
  virtual absl::StatusOr<std::vector<uint8_t>> Store(
      const PendingKey& key, const KeyBinding& binding) = 0;
  virtual absl::StatusOr<std::shared_ptr<const dnssec::SigningHandle>> Load(
      absl::Span<const uint8_t> blob, const KeyBinding& binding) const = 0;
  // An authentication tag over `data` for `purpose`, under a secret only this
  // backend holds (state the daemon keeps outside the database, e.g. the
  // signature records of incremental signing, is checked with it).
  virtual absl::StatusOr<MasterKey::TagBytes> Tag(
      absl::string_view purpose, absl::string_view data) const = 0;
};

// Keys sealed with AES-256-GCM under the master key (PKCS#8 DER plaintext,
// CanonicalKeyBinding as associated data); the blob lives in the database.
class SealedKeyBackend final : public KeyBackend {
 public:
  explicit SealedKeyBackend(MasterKey master_key)
      : master_key_(std::move(master_key)) {}

  std::string name() const override;
  absl::StatusOr<std::unique_ptr<PendingKey>> Generate(
      dnssec::Algorithm algorithm, int bits) override;
  absl::StatusOr<std::unique_ptr<PendingKey>> Import(PrivateKey key) override;
  absl::StatusOr<std::vector<uint8_t>> Store(
      const PendingKey& key, const KeyBinding& binding) override;
  absl::StatusOr<std::shared_ptr<const dnssec::SigningHandle>> Load(
      absl::Span<const uint8_t> blob, const KeyBinding& binding) const override;
  // MasterKey::Tag.
  absl::StatusOr<MasterKey::TagBytes> Tag(
      absl::string_view purpose, absl::string_view data) const override {
    return master_key_.Tag(purpose, data);
  }

  // A blob sealed with the v1 associated data re-sealed with the current
  // one; nullopt when `blob` already opens with the current one. DataLoss
  // when it opens with neither.
  absl::StatusOr<std::optional<std::vector<uint8_t>>> UpgradeSeal(
      absl::Span<const uint8_t> blob, const KeyBinding& binding) const;

  // The blob opened under this backend's master key and sealed again under
  // `to`'s (master key rotation); the plaintext never leaves the secure
  // heap. DataLoss when it does not open under this one.
  absl::StatusOr<std::vector<uint8_t>> Reseal(absl::Span<const uint8_t> blob,
                                              const KeyBinding& binding,
                                              const SealedKeyBackend& to) const;

 private:
  const MasterKey master_key_;
};

// Re-seals, in one transaction, every sealed-sqlite key of `db` that is still
// sealed with the v1 associated data; returns how many. Rows that open with
// neither are left as they are (they fail to load, as before). KeyManager::Open
// runs it at every start.
absl::StatusOr<int> UpgradeSealedKeys(store::KeyDb& db,
                                      const SealedKeyBackend& backend);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_KEY_BACKEND_H_
