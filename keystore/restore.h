// RestoreKeyStore: installs a backup (backup.h) as a state dir's keystore.db,
// offline (keystored --restore FILE; the caller holds the state dir lock).
//
// Contract, in order; every refusal is one line naming the reason and leaves
// the state dir as it was, byte for byte, except that copies a killed backup
// or restore left there are removed first (interrupted_copies.h):
// 1. the backup is copied into the state dir (a private temp file, 0600,
//    fsynced); every later check reads that copy, which is what gets
//    installed;
// 2. with `expected_sha256` set, the copy's SHA-256 equals it (the one
//    `maintkeydb backup` printed): DataLoss otherwise; then the copy passes
//    KeyDb::OpenSnapshot (an SQLite file, integrity_check,
//    the schema version this build reads): else DataLoss/FailedPrecondition;
// 3. the master key keystored would use (`master_key_path`) exists
//    (FailedPrecondition naming it and the backup's master key id) and opens
//    the backup's check value and every sealed key in it (CheckBackupOpens);
// 4. an existing keystore.db that holds keys (or a non-empty -wal, or one
//    that cannot be read) is replaced only with `force`: FailedPrecondition
//    otherwise;
// 5. an existing keystore.db (with its -wal) is kept aside as
//    keystore.db.before-restore-YYYYMMDDTHHMMSSZ (0600), its -shm removed;
//    the copy is renamed to keystore.db and the directory fsynced, so no
//    stale -wal/-shm can shadow it.
// Thread-safety: one restore per state dir (the caller's lock).
#ifndef ZONEKEEP_KEYSTORE_RESTORE_H_
#define ZONEKEEP_KEYSTORE_RESTORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "keystore/backup.h"

namespace zonekeep {
namespace keystore {

struct RestoreRequest {
  std::string backup_path;
  std::string state_dir;        // REQUIRES: exists
  std::string master_key_path;  // state-dir/master.key or a credential
  bool force = false;
  // Lowercase or uppercase hex; empty: not checked (the structure, the check
  // value and every sealed key still are).
  std::string expected_sha256;
  absl::Time now;
};

struct RestoreResult {
  BackupSummary summary;   // of the installed file
  std::string db_path;     // state-dir/keystore.db
  std::string kept_aside;  // the old store's new name, "" when there was none
};

absl::StatusOr<RestoreResult> RestoreKeyStore(const RestoreRequest& request);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_RESTORE_H_
