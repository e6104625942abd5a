// OpenMasterKeyOfStore: the master key that belongs to a key store's database.
//
// keystored must never make a new master key for a database that already
// holds keys sealed under another one (those keys could never be opened
// again), nor start with a master key that is not the database's. So:
// - master.key missing and the database holds sealed keys or a check value:
//   FailedPrecondition, nothing is written;
// - master.key missing and the database holds neither: a new key is made and
//   a check value (a constant sealed under it) is stored in the database;
// - master.key present: it must open the stored check value, or (a database
//   from before check values) the first sealed key, after which the check
//   value is stored. If it does not: FailedPrecondition, nothing is written.
// Messages are one line, name both files and say what to do.
// Thread-safety: call before the database is shared (KeyManager::Open).
#ifndef ZONEKEEP_KEYSTORE_MASTER_KEY_CHECK_H_
#define ZONEKEEP_KEYSTORE_MASTER_KEY_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "keystore/crypto/master_key.h"
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace keystore {

// `master_path`: master.key; `db_path`: keystore.db (for messages only).
absl::StatusOr<MasterKey> OpenMasterKeyOfStore(const std::string& master_path,
                                               const std::string& db_path,
                                               store::KeyDb& db);

// The check value: a constant sealed under `key`, stored in the database so
// that a master key can be told to be the store's without opening a key.
absl::StatusOr<std::vector<uint8_t>> SealMasterKeyCheck(const MasterKey& key);
// True when `key` opens `sealed` (a check value) to the constant.
bool OpensMasterKeyCheck(const MasterKey& key,
                         const std::vector<uint8_t>& sealed);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_MASTER_KEY_CHECK_H_
