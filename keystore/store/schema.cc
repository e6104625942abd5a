#include "keystore/store/schema.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "keystore/store/sqlite_statement.h"

namespace zonekeep {
namespace store {
namespace {

// Times are INTEGER unix microseconds; NULL means "never".
// keys.role is 'KSK'/'ZSK' and keys.state 'active'/'published', so that
// ORDER BY role, state lists KSKs first and active keys before published ones.
// A zone may hold keys of several algorithms (algorithm rollover): nothing
// here assumes one algorithm per zone. Key tags are unique per (zone,
// algorithm) across live keys and the expired-keys bin (deleted = 1).
constexpr const char* kMigration1 = R"sql(
CREATE TABLE zones (
  name             TEXT PRIMARY KEY NOT NULL,
  max_ttl          INTEGER NOT NULL DEFAULT 0 CHECK (max_ttl >= 0),
  last_signed_at   INTEGER,
  keyset_signed_at INTEGER,
  keyset_tags      TEXT NOT NULL DEFAULT '',
  zsk_stage1_at    INTEGER,
  ksk_stage1_at    INTEGER,
  created_at       INTEGER NOT NULL
);
CREATE TABLE keys (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  zone             TEXT NOT NULL REFERENCES zones(name),
  algorithm        INTEGER NOT NULL CHECK (algorithm BETWEEN 0 AND 255),
  key_tag          INTEGER NOT NULL CHECK (key_tag BETWEEN 0 AND 65535),
  role             TEXT NOT NULL CHECK (role IN ('KSK', 'ZSK')),
  bits             INTEGER NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('active', 'published')),
  rollover         INTEGER NOT NULL DEFAULT 0 CHECK (rollover IN (0, 1)),
  deleted          INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  created_at       INTEGER NOT NULL,
  state_changed_at INTEGER NOT NULL,
  deleted_at       INTEGER,
  dnskey_rdata     BLOB NOT NULL,
  sealed_private   BLOB NOT NULL,
  backend          TEXT NOT NULL DEFAULT 'sealed-sqlite',
  UNIQUE (zone, algorithm, key_tag)
);
CREATE INDEX keys_by_zone ON keys (zone, deleted);
CREATE TABLE audit (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  time     INTEGER NOT NULL,
  identity TEXT NOT NULL,
  command  TEXT NOT NULL,
  zone     TEXT NOT NULL DEFAULT '',
  key_tags TEXT NOT NULL DEFAULT '',
  result   TEXT NOT NULL
);
CREATE INDEX audit_by_zone ON audit (zone, id);
)sql";

// The master key check: one value sealed under the master key when it is made
// (or first checked), so that keystored can tell at start whether master.key
// is the key this database's keys were sealed with.
constexpr const char* kMigration2 = R"sql(
CREATE TABLE master_key_check (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  sealed BLOB NOT NULL
);
)sql";

// Facts the DNS served during a rollover (issue 15), kept apart: the serial
// of the first zone signed after zsk-stage1 and when every zone server was
// first seen serving it; the largest max TTL the zone was signed with since
// each stage 1; when every parent agent was first seen serving a DS for the
// new KSK, the largest DS TTL the parent agents served since ksk-stage1, and
// the largest DNSKEY TTL the zone servers served.
constexpr const char* kMigration3 = R"sql(
ALTER TABLE zones ADD COLUMN zsk_first_serial INTEGER;
ALTER TABLE zones ADD COLUMN zsk_served_at INTEGER;
ALTER TABLE zones ADD COLUMN zsk_wait_ttl INTEGER NOT NULL DEFAULT 0;
ALTER TABLE zones ADD COLUMN ksk_wait_ttl INTEGER NOT NULL DEFAULT 0;
ALTER TABLE zones ADD COLUMN ds_seen_at INTEGER;
ALTER TABLE zones ADD COLUMN ds_ttl INTEGER NOT NULL DEFAULT 0;
ALTER TABLE zones ADD COLUMN dnskey_ttl INTEGER NOT NULL DEFAULT 0;
)sql";

// Stage 1 and CDS (issue 15, second part): when every zone server was first
// seen serving a key's DNSKEY (or, with no DNS to ask, when the key was first
// signed into the zone), and whether the zone asks its parent to go insecure
// (RFC 8078 delete CDS/CDNSKEY, `maintkeydb cds-delete`).
constexpr const char* kMigration4 = R"sql(
ALTER TABLE keys ADD COLUMN dnskey_served_at INTEGER;
ALTER TABLE zones ADD COLUMN cds_delete INTEGER NOT NULL DEFAULT 0;
)sql";

// Refused calls collapsed (issue 16): a refusal within the interval of an
// earlier refused row with the same identity, command and result adds one to
// that row's count instead of inserting, so a flood cannot push real events
// out. Allowed calls and state changes stay refused = 0, count = 1.
constexpr const char* kMigration5 = R"sql(
ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1
  CHECK (count >= 1);
ALTER TABLE audit ADD COLUMN refused INTEGER NOT NULL DEFAULT 0
  CHECK (refused IN (0, 1));
CREATE INDEX audit_refusals ON audit (identity, command, result, id)
  WHERE refused = 1;
)sql";

// Index i holds migration i + 1.
constexpr const char* kMigrations[] = {kMigration1, kMigration2, kMigration3,
                                       kMigration4, kMigration5};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) ==
                  kLatestSchemaVersion,
              "one migration per schema version");

absl::StatusOr<int> ReadVersion(sqlite3* db) {
  absl::Status s = ExecSql(db,
                           "CREATE TABLE IF NOT EXISTS schema_version ("
                           " version INTEGER NOT NULL)");
  if (!s.ok()) return s;
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(
      db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1, &raw,
      nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc, "read schema version");
  Statement query(db, stmt.get());
  absl::StatusOr<bool> row = query.Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<int>(query.Int(0)) : 0;
}

absl::Status WriteVersion(sqlite3* db, int version) {
  absl::Status s = ExecSql(db, "DELETE FROM schema_version");
  if (!s.ok()) return s;
  const std::string sql = absl::StrCat(
      "INSERT INTO schema_version (version) VALUES (", version, ")");
  return ExecSql(db, sql.c_str());
}

}  // namespace

absl::StatusOr<int> MigrateSchema(sqlite3* db) {
  absl::Status s = ExecSql(db, "BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  absl::StatusOr<int> found = ReadVersion(db);
  if (found.ok() && *found > kLatestSchemaVersion) {
    found = absl::FailedPreconditionError(absl::StrCat(
        "the key store database has schema version ", *found,
        ", newer than this program supports (", kLatestSchemaVersion, ")"));
  }
  for (int v = found.ok() ? *found + 1 : kLatestSchemaVersion + 1;
       v <= kLatestSchemaVersion && s.ok(); ++v) {
    s = ExecSql(db, kMigrations[v - 1]);
    if (!s.ok()) {
      s = absl::Status(s.code(),
                       absl::StrCat("schema migration ", v, ": ", s.message()));
    }
  }
  if (found.ok() && s.ok() && *found < kLatestSchemaVersion) {
    s = WriteVersion(db, kLatestSchemaVersion);
  }
  if (!found.ok() || !s.ok()) {
    ExecSql(db, "ROLLBACK").IgnoreError();
    return !found.ok() ? found.status() : s;
  }
  s = ExecSql(db, "COMMIT");
  if (!s.ok()) {
    ExecSql(db, "ROLLBACK").IgnoreError();
    return s;
  }
  return found;
}

}  // namespace store
}  // namespace zonekeep
