// Thin RAII wrappers over the SQLite C API, for keystore/store only.
//
// SqlitePtr / StmtPtr own a connection / prepared statement. Statement borrows
// a cached prepared statement for one execution: bind, step, read columns; its
// destructor resets the statement and clears the bindings so the cache can hand
// it out again. Bind errors are kept and reported by the next Step()/Run().
// Times are stored as INTEGER unix microseconds (NULL for "never").
// Thread-safety: none; the owning KeyDb serialises all use of a connection.
#ifndef ZONEKEEP_KEYSTORE_STORE_SQLITE_STATEMENT_H_
#define ZONEKEEP_KEYSTORE_STORE_SQLITE_STATEMENT_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace zonekeep {
namespace store {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Maps an SQLite result code to a Status: UNIQUE/PRIMARY KEY violations ->
// AlreadyExists, BUSY/LOCKED -> Unavailable, CORRUPT/NOTADB -> DataLoss, other
// constraint failures -> FailedPrecondition, anything else -> Internal. The
// message is "<what>: <sqlite message>" (SQLite's messages name columns, never
// values).
absl::Status SqliteStatus(sqlite3* db, int rc, absl::string_view what);

// Runs SQL text without results (schema, pragmas, BEGIN/COMMIT).
absl::Status ExecSql(sqlite3* db, const char* sql);

int64_t ToDbTime(absl::Time t);
absl::Time FromDbTime(int64_t micros);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, in the order of the '?' in the SQL.
  Statement& BindInt(int index, int64_t value);
  Statement& BindText(int index, absl::string_view value);
  Statement& BindBlob(int index, absl::Span<const uint8_t> value);
  Statement& BindTime(int index, absl::Time value);
  Statement& BindOptionalTime(int index, const std::optional<absl::Time>& t);
  Statement& BindNull(int index);

  // True when a row is ready to read, false when done.
  absl::StatusOr<bool> Step();
  // Steps to completion, ignoring rows.
  absl::Status Run();
  // Rows changed by the last Run() (sqlite3_changes).
  int Changes() const { return sqlite3_changes(db_); }

  // Columns are 0-based.
  bool IsNull(int col) const;
  int64_t Int(int col) const;
  std::string Text(int col) const;
  std::vector<uint8_t> Blob(int col) const;
  absl::Time Time(int col) const;
  std::optional<absl::Time> OptionalTime(int col) const;

 private:
  void CheckBind(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  absl::Status bind_status_;
};

}  // namespace store
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_STORE_SQLITE_STATEMENT_H_
