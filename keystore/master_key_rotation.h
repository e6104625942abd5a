// The files of a master key rotation, and recovery from a crash in one.
//
// `maintkeydb rotate-master-key` (KeyManager::RotateMasterKey) runs:
//   1. master.key.new: a new key, written durably (MasterKey::Create);
//   2. one transaction re-seals every key under it and stores its check
//      value (master_key_check.h);
//   3. master.key -> master.key.old, master.key.new -> master.key, fsync of
//      the directory.
// At every point one of the files opens the database's check value, so
// RecoverMasterKeyRotation (run by KeyManager::Open before the master key is
// read) can finish or undo an interrupted rotation: master.key.new that
// opens the check value means step 2 committed, and step 3 is completed;
// otherwise master.key.new is removed. master.key.old is kept until the
// operator removes it; a second rotation is refused while it exists.
//
// Tests crash keystored at the steps' seams: with ZONEKEEP_TEST_CRASH_AT set
// to after-new-key, after-commit or after-first-rename, CrashPointForTests
// of that name ends the process with _exit(137) (as a kill -9 would).
// Thread-safety: the functions touch files; callers serialise rotations.
#ifndef ZONEKEEP_KEYSTORE_MASTER_KEY_ROTATION_H_
#define ZONEKEEP_KEYSTORE_MASTER_KEY_ROTATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace keystore {

struct MasterKeyFiles {
  std::string current;  // master.key
  std::string next;     // master.key.new
  std::string old;      // master.key.old
  static MasterKeyFiles For(const std::string& master_path) {
    return {master_path, master_path + ".new", master_path + ".old"};
  }
};

// Step 3: master.key -> master.key.old, master.key.new -> master.key, fsync
// of the directory. REQUIRES: the database's check value opens with
// master.key.new. When master.key is gone (a crash after the first rename)
// only the second rename is done. Refuses (nothing renamed) when master.key
// and master.key.old both exist.
absl::Status InstallNextMasterKey(const MasterKeyFiles& files);

// Finishes or undoes a rotation that a crash interrupted (see top). Returns
// what it did in one line ("" when there was nothing to do).
// FailedPrecondition, changing nothing, when neither file opens the check
// value.
absl::StatusOr<std::string> RecoverMasterKeyRotation(
    const std::string& master_path, store::KeyDb& db);

// _exit(137) when $ZONEKEEP_TEST_CRASH_AT equals `point`.
void CrashPointForTests(const char* point);

bool FileExists(const std::string& path);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_MASTER_KEY_ROTATION_H_
