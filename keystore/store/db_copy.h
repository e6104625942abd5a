// Whole-database operations of the key store for backup and restore: a
// consistent copy of a live database, and a read-only view of such a copy.
//
// Contract:
// - CopyDatabase(db_path, out_path) writes a consistent snapshot of the
//   database at `db_path` (its WAL content included) to `out_path`, which
//   must not exist, with SQLite's VACUUM INTO from a connection of its own,
//   so writers of `db_path` wait for nothing and the copy holds one committed
//   state. The copy is mode 0600, in rollback-journal mode (one self-contained
//   file, no -wal/-shm), has no free pages (no bytes of purged keys), and is
//   fsynced. On failure nothing is left at `out_path`.
// - KeyDb::OpenSnapshot (key_db.h) opens such a copy read-only.
// Thread-safety: the functions share nothing; call from any thread.
#ifndef ZONEKEEP_KEYSTORE_STORE_DB_COPY_H_
#define ZONEKEEP_KEYSTORE_STORE_DB_COPY_H_

#include <string>

#include "absl/status/status.h"

namespace zonekeep {
namespace store {

absl::Status CopyDatabase(const std::string& db_path,
                          const std::string& out_path);

}  // namespace store
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_STORE_DB_COPY_H_
