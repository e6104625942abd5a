#include "keystore/key_backend.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "keystore/store/rows.h"

namespace zonekeep {
namespace keystore {
namespace {

class SealedPendingKey final : public PendingKey {
 public:
  explicit SealedPendingKey(PrivateKey key) : key_(std::move(key)) {}
  dnssec::Algorithm algorithm() const override { return key_.algorithm(); }
  int bits() const override { return key_.bits(); }
  std::vector<uint8_t> DnskeyPublicKey() const override {
    return key_.DnskeyPublicKey();
  }
  const PrivateKey& key() const { return key_; }

 private:
  PrivateKey key_;
};

std::string BindingForMessages(const KeyBinding& binding) {
  return absl::StrCat("key ", binding.key_tag, " (",
                      dnssec::AlgorithmName(binding.algorithm), ") of ",
                      binding.zone);
}

}  // namespace

std::string CanonicalKeyBindingV1(const KeyBinding& binding) {
  return absl::StrCat("zonekeep-key-v1|", binding.zone, "|", binding.key_tag,
                      "|", static_cast<int>(binding.algorithm), "|",
                      binding.role == dnssec::KeyRole::kKsk ? "KSK" : "ZSK");
}

std::string CanonicalKeyBinding(const KeyBinding& binding) {
  const std::string rdata(binding.dnskey_rdata.begin(),
                          binding.dnskey_rdata.end());
  return absl::StrCat("zonekeep-key-v2|", binding.zone, "|", binding.key_tag,
                      "|", static_cast<int>(binding.algorithm), "|",
                      binding.role == dnssec::KeyRole::kKsk ? "KSK" : "ZSK",
                      "|", absl::BytesToHexString(rdata));
}

std::string SealedKeyBackend::name() const {
  return store::kSealedSqliteBackend;
}

absl::StatusOr<std::unique_ptr<PendingKey>> SealedKeyBackend::Generate(
    dnssec::Algorithm algorithm, int bits) {
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(algorithm, bits);
  if (!key.ok()) return key.status();
  return std::unique_ptr<PendingKey>(
      std::make_unique<SealedPendingKey>(*std::move(key)));
}

absl::StatusOr<std::unique_ptr<PendingKey>> SealedKeyBackend::Import(
    PrivateKey key) {
  return std::unique_ptr<PendingKey>(
      std::make_unique<SealedPendingKey>(std::move(key)));
}

absl::StatusOr<std::vector<uint8_t>> SealedKeyBackend::Store(
    const PendingKey& key, const KeyBinding& binding) {
  const auto* sealed = dynamic_cast<const SealedPendingKey*>(&key);
  if (sealed == nullptr) {
    return absl::InvalidArgumentError(
        "key was not made by the sealed-sqlite backend");
  }
  if (sealed->algorithm() != binding.algorithm) {
    return absl::InvalidArgumentError(
        absl::StrCat("algorithm mismatch for ", BindingForMessages(binding)));
  }
  absl::StatusOr<SecretBytes> der = sealed->key().ExportPkcs8ForSealing();
  if (!der.ok()) return der.status();
  return master_key_.Seal(*der, CanonicalKeyBinding(binding));
}

absl::StatusOr<std::shared_ptr<const dnssec::SigningHandle>>
SealedKeyBackend::Load(absl::Span<const uint8_t> blob,
                       const KeyBinding& binding) const {
  absl::StatusOr<SecretBytes> der =
      master_key_.Open(blob, CanonicalKeyBinding(binding));
  if (!der.ok()) {
    return absl::DataLossError(
        absl::StrCat("sealed ", BindingForMessages(binding),
                     " does not open: tampered with or not this key's "
                     "(",
                     der.status().message(), ")"));
  }
  absl::StatusOr<PrivateKey> key =
      PrivateKey::FromPkcs8(binding.algorithm, *der);
  if (!key.ok()) {
    return absl::DataLossError(
        absl::StrCat("sealed ", BindingForMessages(binding),
                     " holds no valid key: ", key.status().message()));
  }
  return PrivateKey::IntoSigningHandle(*std::move(key));
}

absl::StatusOr<std::optional<std::vector<uint8_t>>>
SealedKeyBackend::UpgradeSeal(absl::Span<const uint8_t> blob,
                              const KeyBinding& binding) const {
  if (master_key_.Open(blob, CanonicalKeyBinding(binding)).ok()) {
    return std::optional<std::vector<uint8_t>>();
  }
  absl::StatusOr<SecretBytes> der =
      master_key_.Open(blob, CanonicalKeyBindingV1(binding));
  if (!der.ok()) {
    return absl::DataLossError(
        absl::StrCat("sealed ", BindingForMessages(binding),
                     " does not open: tampered with or not this key's"));
  }
  absl::StatusOr<std::vector<uint8_t>> sealed =
      master_key_.Seal(*der, CanonicalKeyBinding(binding));
  if (!sealed.ok()) return sealed.status();
  return std::optional<std::vector<uint8_t>>(*std::move(sealed));
}

absl::StatusOr<std::vector<uint8_t>> SealedKeyBackend::Reseal(
    absl::Span<const uint8_t> blob, const KeyBinding& binding,
    const SealedKeyBackend& to) const {
  const std::string aad = CanonicalKeyBinding(binding);
  absl::StatusOr<SecretBytes> der = master_key_.Open(blob, aad);
  if (!der.ok()) {
    return absl::DataLossError(
        absl::StrCat("sealed ", BindingForMessages(binding),
                     " does not open under the current master key"));
  }
  return to.master_key_.Seal(*der, aad);
}

absl::StatusOr<int> UpgradeSealedKeys(store::KeyDb& db,
                                      const SealedKeyBackend& backend) {
  absl::StatusOr<std::unique_ptr<store::Transaction>> tx = db.BeginWrite();
  if (!tx.ok()) return tx.status();
  absl::StatusOr<std::vector<store::KeyRow>> rows = (*tx)->AllKeys(true);
  if (!rows.ok()) return rows.status();
  int upgraded = 0;
  for (const store::KeyRow& row : *rows) {
    if (row.backend != backend.name()) continue;
    const KeyBinding binding{row.zone, row.key_tag, row.algorithm, row.role,
                             row.dnskey_rdata};
    absl::StatusOr<std::optional<std::vector<uint8_t>>> blob =
        backend.UpgradeSeal(row.sealed_private, binding);
    if (!blob.ok() || !blob->has_value()) continue;
    absl::Status s = (*tx)->UpdateSealedPrivate(row.id, **blob);
    if (!s.ok()) return s;
    ++upgraded;
  }
  if (upgraded == 0) return 0;  // nothing written: the destructor rolls back
  absl::Status s = (*tx)->Commit();
  if (!s.ok()) return s;
  return upgraded;
}

}  // namespace keystore
}  // namespace zonekeep
