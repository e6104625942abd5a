// The key store's SQL schema and its migrations.
//
// Contract: migration N turns a schema at version N-1 into version N; they run
// in order, each inside the caller's transaction, and the schema_version table
// records the result. A database whose version is newer than
// kLatestSchemaVersion is refused (FailedPrecondition), never modified.
// Migrations are append-only: never edit one that has shipped.
// Thread-safety: none; call with the connection held exclusively.
#ifndef ZONEKEEP_KEYSTORE_STORE_SCHEMA_H_
#define ZONEKEEP_KEYSTORE_STORE_SCHEMA_H_

#include <sqlite3.h>

#include "absl/status/statusor.h"

namespace zonekeep {
namespace store {

inline constexpr int kLatestSchemaVersion = 5;

// Brings the schema up to kLatestSchemaVersion in one IMMEDIATE transaction.
// Returns the version found before migrating (0 for a new database).
absl::StatusOr<int> MigrateSchema(sqlite3* db);

}  // namespace store
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_STORE_SCHEMA_H_
