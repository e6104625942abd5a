#include "keystore/master_key_check.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "keystore/crypto/secret_bytes.h"
#include "keystore/key_backend.h"
#include "keystore/store/rows.h"

namespace zonekeep {
namespace keystore {
namespace {

// The check value's plaintext and associated data: not secret, it only proves
// that a master key is the one that sealed it.
constexpr char kCheckPlaintext[] = "zonekeep master key check";
constexpr char kCheckAad[] = "zonekeep-master-key-check-v1";

absl::StatusOr<std::vector<uint8_t>> SealCheck(const MasterKey& key) {
  return SealMasterKeyCheck(key);
}

bool OpensCheck(const MasterKey& key, const std::vector<uint8_t>& sealed) {
  return OpensMasterKeyCheck(key, sealed);
}

// What the database holds that only its own master key can open.
struct Sealed {
  std::optional<std::vector<uint8_t>> check;
  int64_t keys = 0;
  std::optional<store::KeyRow> first_key;
};

absl::StatusOr<Sealed> ReadSealed(store::KeyDb& db) {
  absl::StatusOr<std::unique_ptr<store::Transaction>> tx = db.BeginRead();
  if (!tx.ok()) return tx.status();
  Sealed sealed;
  absl::StatusOr<std::optional<std::vector<uint8_t>>> check =
      (*tx)->GetMasterKeyCheck();
  if (!check.ok()) return check.status();
  sealed.check = *std::move(check);
  absl::StatusOr<int64_t> keys =
      (*tx)->CountKeysOfBackend(store::kSealedSqliteBackend);
  if (!keys.ok()) return keys.status();
  sealed.keys = *keys;
  absl::StatusOr<std::optional<store::KeyRow>> first =
      (*tx)->FirstKeyOfBackend(store::kSealedSqliteBackend);
  if (!first.ok()) return first.status();
  sealed.first_key = *std::move(first);
  return sealed;
}

absl::Status StoreCheck(store::KeyDb& db, const MasterKey& key) {
  absl::StatusOr<std::vector<uint8_t>> check = SealCheck(key);
  if (!check.ok()) return check.status();
  absl::StatusOr<std::unique_ptr<store::Transaction>> tx = db.BeginWrite();
  if (!tx.ok()) return tx.status();
  absl::Status s = (*tx)->SetMasterKeyCheck(*check);
  if (!s.ok()) return s;
  return (*tx)->Commit();
}

std::string WhatIsSealed(const Sealed& sealed) {
  if (sealed.keys == 0) return "a master key check value";
  return absl::StrCat(sealed.keys, sealed.keys == 1 ? " key" : " keys",
                      " sealed under a master key");
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> SealMasterKeyCheck(const MasterKey& key) {
  const std::string text = kCheckPlaintext;
  return key.Seal(SecretBytes(text.begin(), text.end()), kCheckAad);
}

bool OpensMasterKeyCheck(const MasterKey& key,
                         const std::vector<uint8_t>& sealed) {
  absl::StatusOr<SecretBytes> plain = key.Open(sealed, kCheckAad);
  return plain.ok() &&
         std::string(plain->begin(), plain->end()) == kCheckPlaintext;
}

absl::StatusOr<MasterKey> OpenMasterKeyOfStore(const std::string& master_path,
                                               const std::string& db_path,
                                               store::KeyDb& db) {
  absl::StatusOr<Sealed> sealed = ReadSealed(db);
  if (!sealed.ok()) return sealed.status();
  absl::StatusOr<MasterKey> key = MasterKey::Load(master_path);
  if (absl::IsNotFound(key.status())) {
    if (sealed->check.has_value() || sealed->keys > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          master_path, " is missing but ", db_path, " holds ",
          WhatIsSealed(*sealed),
          ": restore master.key from the backup of this key store (a new "
          "master key would make those keys unusable, so none is made)"));
    }
    key = MasterKey::Create(master_path);
    if (!key.ok()) return key.status();
    absl::Status s = StoreCheck(db, *key);
    if (!s.ok()) return s;
    return key;
  }
  if (!key.ok()) return key.status();
  if (sealed->check.has_value()) {
    if (!OpensCheck(*key, *sealed->check)) {
      return absl::FailedPreconditionError(absl::StrCat(
          master_path, " is not the master key of ", db_path,
          " (it does not open the store's check value): restore the "
          "master.key that was backed up with this keystore.db"));
    }
    return key;
  }
  if (sealed->first_key.has_value()) {
    const store::KeyRow& row = *sealed->first_key;
    const KeyBinding binding{row.zone, row.key_tag, row.algorithm, row.role,
                             row.dnskey_rdata};
    if (!key->Open(row.sealed_private, CanonicalKeyBinding(binding)).ok() &&
        !key->Open(row.sealed_private, CanonicalKeyBindingV1(binding)).ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          master_path, " is not the master key of ", db_path, " (key ",
          row.key_tag, " (", dnssec::AlgorithmName(row.algorithm), ") of ",
          row.zone,
          " does not open with it): restore the master.key that was backed "
          "up with this keystore.db"));
    }
  }
  absl::Status s = StoreCheck(db, *key);
  if (!s.ok()) return s;
  return key;
}

}  // namespace keystore
}  // namespace zonekeep
