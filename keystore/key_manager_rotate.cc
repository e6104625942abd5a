// KeyManager::RotateMasterKey: every key re-sealed under a new master key in
// one transaction; the file steps and crash recovery are in
// master_key_rotation.h.
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "keystore/crypto/master_key.h"
#include "keystore/key_backend.h"
#include "keystore/key_manager_impl.h"
#include "keystore/master_key_check.h"
#include "keystore/master_key_rotation.h"

namespace zonekeep {
namespace keystore {
namespace key_manager_internal {

absl::StatusOr<MasterKeyRotation> KeyManagerImpl::RotateMasterKey(
    const std::string& identity) {
  AuditInfo audit{identity, "rotate-master-key", "", {}};
  std::lock_guard<std::mutex> rotating(rotate_mu_);
  const MasterKeyFiles files = MasterKeyFiles::For(master_key_path_);
  if (!master_key_rotatable_) {
    return Refuse(audit, absl::FailedPreconditionError(absl::StrCat(
                             "the master key is ", master_key_path_,
                             " (a systemd credential), which keystored does "
                             "not write: rotate-master-key works on "
                             "state-dir/master.key only")));
  }
  if (FileExists(files.old)) {
    return Refuse(audit, absl::FailedPreconditionError(absl::StrCat(
                             files.old,
                             " is left from an earlier rotation: store it "
                             "with the backups it opens, remove it, then "
                             "rotate again")));
  }
  if (FileExists(files.next)) {
    return Refuse(audit, absl::FailedPreconditionError(absl::StrCat(
                             files.next,
                             " exists (an interrupted rotation): restart "
                             "keystored, which finishes or undoes it")));
  }
  const std::shared_ptr<KeyBackend> current = backend_.Get();
  const auto* old_backend =
      dynamic_cast<const SealedKeyBackend*>(current.get());
  if (old_backend == nullptr) {
    return Refuse(audit, absl::FailedPreconditionError(
                             absl::StrCat("backend ", current->name(),
                                          " has no master key to rotate")));
  }

  // 1. master.key.new, durably.
  absl::StatusOr<MasterKey> next_key = MasterKey::Create(files.next);
  if (!next_key.ok()) return Refuse(audit, next_key.status());
  CrashPointForTests("after-new-key");
  absl::StatusOr<std::vector<uint8_t>> check = SealMasterKeyCheck(*next_key);
  if (!check.ok()) {
    unlink(files.next.c_str());
    return Refuse(audit, check.status());
  }
  auto next = std::make_shared<SealedKeyBackend>(*std::move(next_key));

  // 2. One transaction: every key re-sealed, the new check value. The new
  // backend is swapped in before the commit, while this transaction still
  // holds the database, so no reader pairs new seals with the old key.
  absl::StatusOr<int> resealed = Mutate<int>(
      audit, [&](Transaction& tx, absl::Time) -> absl::StatusOr<int> {
        absl::StatusOr<std::vector<KeyRow>> rows = tx.AllKeys(true);
        if (!rows.ok()) return rows.status();
        int count = 0;
        for (const KeyRow& row : *rows) {
          if (row.backend != old_backend->name()) continue;
          const KeyBinding binding{row.zone, row.key_tag, row.algorithm,
                                   row.role, row.dnskey_rdata};
          absl::StatusOr<std::vector<uint8_t>> blob =
              old_backend->Reseal(row.sealed_private, binding, *next);
          if (!blob.ok()) return blob.status();
          absl::Status s = tx.UpdateSealedPrivate(row.id, *blob);
          if (!s.ok()) return s;
          ++count;
        }
        absl::Status s = tx.SetMasterKeyCheck(*check);
        if (!s.ok()) return s;
        audit.command =
            absl::StrCat("rotate-master-key (", count,
                         count == 1 ? " key" : " keys", " re-sealed)");
        backend_.Set(next);
        return count;
      });
  if (!resealed.ok()) {
    backend_.Set(current);  // the transaction rolled back
    unlink(files.next.c_str());
    return resealed.status();
  }
  CrashPointForTests("after-commit");

  // 3. master.key -> master.key.old, master.key.new -> master.key.
  absl::Status s = InstallNextMasterKey(files);
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat(
        "the keys are re-sealed under ", files.next, " but ", s.message(),
        "; restart keystored, which finishes the rotation"));
  }
  return MasterKeyRotation{*resealed, files.old};
}

}  // namespace key_manager_internal
}  // namespace keystore
}  // namespace zonekeep
