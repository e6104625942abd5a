// RemoveInterruptedCopies: deletes the private copies of the key store that a
// killed backup or restore left in a state dir.
//
// Contract: removes, directly in `state_dir`, the files named
//  - backup-*.tmp and backup-*.tmp-journal (KeyManager::Backup's copy), and
//  - keystore.db.restoring-<pid> and keystore.db.restoring-<pid>-journal
//    (RestoreKeyStore's copy of the backup being installed);
// each hold sealed keys and would stay for good otherwise. Nothing else is
// touched (backup-notes.txt, keystore.db.before-restore-* stay). One line
// per removed file goes to stderr; errors are ignored (a file that cannot be
// removed is reported again at the next start).
// Thread-safety: the caller holds the state dir lock, so no backup or
// restore of this state dir is running (their copies would be removed).
#ifndef ZONEKEEP_KEYSTORE_INTERRUPTED_COPIES_H_
#define ZONEKEEP_KEYSTORE_INTERRUPTED_COPIES_H_

#include <string>

namespace zonekeep {
namespace keystore {

void RemoveInterruptedCopies(const std::string& state_dir);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_INTERRUPTED_COPIES_H_
