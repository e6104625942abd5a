// Test support: the key store's tables as the sqlite3 command-line tool reads
// them (Debian's sqlite3, a second reader of the file besides keystored).
//
// ReadStoreSnapshot runs `PRAGMA integrity_check`, `PRAGMA foreign_key_check`
// and two SELECTs on keystore.db, each with the CLI in -ascii mode (unit and
// record separators, so audit text with '|' or newlines reads back whole).
// It only reads: safe while keystored runs (WAL readers do not block it) and
// with keystored stopped. A CLI failure (e.g. "database disk image is
// malformed") is kept in `integrity`, so a damaged file never reads as ok.
// Thread-safety: plain functions and values.
#ifndef ZONEKEEP_TESTS_E2E_STORE_SNAPSHOT_H_
#define ZONEKEEP_TESTS_E2E_STORE_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zonekeep::testing {

// One row of the `keys` table.
struct StoreKey {
  int64_t id = 0;
  std::string zone;
  int algorithm = 0;
  int key_tag = 0;
  std::string role;   // "KSK" | "ZSK"
  std::string state;  // "active" | "published"
  bool rollover = false;
  bool deleted = false;
  std::string dnskey_hex;  // DNSKEY RDATA, upper-case hex
  // Unix microseconds, as stored; nullopt for NULL.
  int64_t created_at = 0;
  int64_t state_changed_at = 0;
  std::optional<int64_t> deleted_at;
};

// One row of the `zones` table (the columns the crash test checks).
struct StoreZone {
  std::string name;
  int64_t created_at = 0;
  std::optional<int64_t> last_signed_at;
  std::optional<int64_t> zsk_stage1_at;
  std::optional<int64_t> ksk_stage1_at;
};

// One row of the `audit` table.
struct AuditRecord {
  int64_t id = 0;
  int64_t time = 0;  // unix microseconds: the `now` of its transaction
  std::string command;
  std::string zone;
  std::string key_tags;  // "1,2,3" or ""
  std::string result;    // "ok" or the reason
};

struct StoreSnapshot {
  std::string integrity;       // "ok" when PRAGMA integrity_check found nothing
  std::string foreign_key;     // PRAGMA foreign_key_check output ("" = none)
  std::vector<StoreKey> keys;  // by id
  std::vector<StoreZone> zones;    // by name
  std::vector<AuditRecord> audit;  // by id (commit order)
};

// Reads `db_path` (keystore.db) with the sqlite3 CLI.
StoreSnapshot ReadStoreSnapshot(const std::string& db_path);

// Runs one SQL statement that changes `db_path` (tests that damage a copy).
// Returns the CLI's stderr; empty on success.
std::string ExecSqlite(const std::string& db_path, const std::string& sql);

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_STORE_SNAPSHOT_H_
