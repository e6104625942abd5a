// KeyDb: the key store's database, the only place that speaks SQL.
//
// Contract:
// - Open(path) creates the file with mode 0600 (tightening an existing file to
//   0600; SQLite gives its -wal/-shm files the same mode), turns on WAL,
//   foreign keys and a busy timeout, and migrates the schema (schema.h).
// - All reads and writes go through a Transaction: BeginWrite() is BEGIN
//   IMMEDIATE (takes the write lock at once, so a read-check-write sequence
//   inside it cannot interleave with another process), BeginRead() a deferred
//   read transaction. A Transaction not committed rolls back when destroyed.
// - Row functions return NotFound for a missing row where one is required,
//   AlreadyExists for a UNIQUE violation, Unavailable when the database stays
//   locked past the busy timeout.
// A replicated PostgreSQL backend would implement this same surface (BEGIN
// ... SELECT ... FOR UPDATE in place of BEGIN IMMEDIATE; see LockZone).
// - secure_delete is on (freed pages and cells are zeroed), and a transaction
//   that removed or replaced sealed key bytes (PurgeKey, UpdateSealedPrivate)
//   checkpoints the WAL with TRUNCATE when it commits, so the old bytes are in
//   neither keystore.db nor keystore.db-wal afterwards.
// Thread-safety: KeyDb is safe from many threads; a Transaction holds the
// KeyDb's mutex until it commits or is destroyed, so transactions of one KeyDb
// run one at a time (so: never begin a second one on the same thread while the
// first is open). A Transaction itself must be used by one thread.
#ifndef ZONEKEEP_KEYSTORE_STORE_KEY_DB_H_
#define ZONEKEEP_KEYSTORE_STORE_KEY_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "keystore/store/rows.h"
#include "keystore/store/sqlite_statement.h"

namespace zonekeep {
namespace store {

class Transaction;

struct KeyDbOptions {
  absl::Duration busy_timeout = absl::Seconds(10);
};

class KeyDb {
 public:
  static absl::StatusOr<std::unique_ptr<KeyDb>> Open(
      const std::string& path, const KeyDbOptions& options = {});
  ~KeyDb();
  KeyDb(const KeyDb&) = delete;
  KeyDb& operator=(const KeyDb&) = delete;

  absl::StatusOr<std::unique_ptr<Transaction>> BeginWrite();
  absl::StatusOr<std::unique_ptr<Transaction>> BeginRead();

  // A copy made by CopyDatabase (db_copy.h), or any key store file, opened
  // read-only and immutable (nothing is written, no -wal/-shm is made, a
  // -wal beside it is not read): DataLoss when it is not an SQLite file or
  // fails PRAGMA integrity_check or has no schema_version;
  // FailedPrecondition when its schema version is not kLatestSchemaVersion.
  // Only BeginRead() may be used on it.
  static absl::StatusOr<std::unique_ptr<KeyDb>> OpenSnapshot(
      const std::string& path);

  // The schema version found on disk when Open ran (0: new database).
  int opened_schema_version() const { return opened_schema_version_; }
  // The file opened.
  const std::string& path() const { return path_; }

 private:
  friend class Transaction;
  KeyDb(SqlitePtr db, int opened_schema_version, std::string path)
      : db_(std::move(db)),
        opened_schema_version_(opened_schema_version),
        path_(std::move(path)) {}
  absl::StatusOr<std::unique_ptr<Transaction>> Begin(const char* sql);
  // REQUIRES: mu_ held (by a Transaction).
  absl::StatusOr<sqlite3_stmt*> Prepare(const char* sql);

  std::mutex mu_;
  SqlitePtr db_;
  std::unordered_map<std::string, StmtPtr> statements_;  // guarded by mu_
  const int opened_schema_version_;
  const std::string path_;
};

class Transaction {
 public:
  ~Transaction();  // ROLLBACK unless committed
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Ends the transaction; afterwards only destruction is allowed.
  absl::Status Commit();

  // Zones.
  // Serialises with other writers of `zone`. SQLite: a no-op, as BEGIN
  // IMMEDIATE already holds the database's write lock.
  absl::Status LockZone(const std::string& zone);
  absl::StatusOr<std::optional<ZoneRow>> GetZone(const std::string& name);
  // Inserts or replaces every column of the zone's row.
  absl::Status UpsertZone(const ZoneRow& row);

  // Keys.
  // Returns the new row id; AlreadyExists when (zone, algorithm, key_tag) is
  // taken (bin included); the zone row must exist.
  absl::StatusOr<int64_t> InsertKey(const KeyRow& row);
  // Sets state, rollover and state_changed_at of key `id`.
  absl::Status UpdateKeyState(int64_t id, dnssec::KeyState state, bool rollover,
                              absl::Time changed_at);
  // Replaces the sealed bytes of key `id` (re-sealing); the old bytes are
  // wiped from the files when the transaction commits.
  absl::Status UpdateSealedPrivate(int64_t id,
                                   const std::vector<uint8_t>& sealed);
  // Moves key `id` into the bin (deleted = true, deleted_at = at) or out of it;
  // either way its state changed at `at` (the SINCE of `list`).
  absl::Status SetKeyDeleted(int64_t id, bool deleted, absl::Time at);
  // Sets (or clears) when every zone server was first seen serving key `id`.
  absl::Status SetKeyServedAt(int64_t id, std::optional<absl::Time> at);
  // Removes key `id` for good, its sealed bytes included (wiped from the
  // files when the transaction commits); NotFound unless it is in the bin.
  absl::Status PurgeKey(int64_t id);
  // Ordered by deleted (live first), role (KSK first), state (active first),
  // key tag, id.
  absl::StatusOr<std::vector<KeyRow>> KeysOfZone(const std::string& zone,
                                                 bool include_deleted);
  // Every zone's keys, ordered by zone, then as KeysOfZone.
  absl::StatusOr<std::vector<KeyRow>> AllKeys(bool include_deleted);
  absl::StatusOr<std::optional<KeyRow>> FindKey(const std::string& zone,
                                                dnssec::Algorithm algorithm,
                                                uint16_t key_tag);

  // Keys stored by `backend`, the expired-keys bin included.
  absl::StatusOr<int64_t> CountKeysOfBackend(const std::string& backend);
  // The first (lowest id) key stored by `backend`, bin included.
  absl::StatusOr<std::optional<KeyRow>> FirstKeyOfBackend(
      const std::string& backend);

  // Every zone's name, sorted.
  absl::StatusOr<std::vector<std::string>> ZoneNames();

  // The master key check value (see schema.cc); nullopt when none is stored.
  absl::StatusOr<std::optional<std::vector<uint8_t>>> GetMasterKeyCheck();
  // Stores the check value, replacing any earlier one.
  absl::Status SetMasterKeyCheck(const std::vector<uint8_t>& sealed);

  // Audit.
  absl::StatusOr<int64_t> InsertAudit(const AuditRow& row);
  // A refused call: adds one to the count of the newest refused row with the
  // same identity, command and result whose time is at or after
  // `window_start`; with none, inserts `row` as a refused row of count 1.
  // Returns the id of the row counted or inserted.
  absl::StatusOr<int64_t> CountRefusal(const AuditRow& row,
                                       absl::Time window_start);
  // Newest first; `zone` empty: all zones. At most `limit` rows.
  absl::StatusOr<std::vector<AuditRow>> ReadAudit(const std::string& zone,
                                                  int limit);

 private:
  friend class KeyDb;
  Transaction(KeyDb* db, std::unique_lock<std::mutex> lock)
      : db_(db), lock_(std::move(lock)) {}
  absl::StatusOr<std::vector<KeyRow>> ReadKeys(const char* sql,
                                               const std::string* zone);
  absl::StatusOr<sqlite3_stmt*> Prepare(const char* sql) {
    return db_->Prepare(sql);
  }
  sqlite3* raw() const { return db_->db_.get(); }

  KeyDb* db_;
  std::unique_lock<std::mutex> lock_;
  bool done_ = false;
  bool sealed_removed_ = false;  // checkpoint (TRUNCATE) after the commit
};

}  // namespace store
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_STORE_KEY_DB_H_
