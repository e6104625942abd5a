#include "keystore/store/sqlite_statement.h"

#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace store {

absl::Status SqliteStatus(sqlite3* db, int rc, absl::string_view what) {
  const std::string message = absl::StrCat(
      what, ": ", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return absl::OkStatus();
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE ||
          rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::AlreadyExistsError(message);
      }
      return absl::FailedPreconditionError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status ExecSql(sqlite3* db, const char* sql) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc, "sqlite exec");
  return absl::OkStatus();
}

int64_t ToDbTime(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromDbTime(int64_t micros) { return absl::FromUnixMicros(micros); }

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::CheckBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ =
        SqliteStatus(db_, rc, absl::StrCat("sqlite bind parameter ", index));
  }
}

Statement& Statement::BindInt(int index, int64_t value) {
  CheckBind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::BindText(int index, absl::string_view value) {
  CheckBind(sqlite3_bind_text(stmt_, index, value.data(),
                              static_cast<int>(value.size()), SQLITE_TRANSIENT),
            index);
  return *this;
}

Statement& Statement::BindBlob(int index, absl::Span<const uint8_t> value) {
  // A zero-length blob must still bind as a blob, not NULL.
  static const uint8_t kEmpty = 0;
  CheckBind(
      sqlite3_bind_blob(stmt_, index, value.empty() ? &kEmpty : value.data(),
                        static_cast<int>(value.size()), SQLITE_TRANSIENT),
      index);
  return *this;
}

Statement& Statement::BindTime(int index, absl::Time value) {
  return BindInt(index, ToDbTime(value));
}

Statement& Statement::BindOptionalTime(int index,
                                       const std::optional<absl::Time>& t) {
  if (t.has_value()) return BindTime(index, *t);
  CheckBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  CheckBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  if (!bind_status_.ok()) return bind_status_;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(db_, sqlite3_extended_errcode(db_), "sqlite step");
}

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

bool Statement::IsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

int64_t Statement::Int(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::string Statement::Text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text),
                     sqlite3_column_bytes(stmt_, col));
}

std::vector<uint8_t> Statement::Blob(int col) const {
  const auto* data =
      static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
  if (data == nullptr) return {};
  return std::vector<uint8_t>(data, data + sqlite3_column_bytes(stmt_, col));
}

absl::Time Statement::Time(int col) const { return FromDbTime(Int(col)); }

std::optional<absl::Time> Statement::OptionalTime(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Time(col);
}

}  // namespace store
}  // namespace zonekeep
