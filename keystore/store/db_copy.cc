#include "keystore/store/db_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "keystore/store/key_db.h"
#include "keystore/store/schema.h"
#include "keystore/store/sqlite_statement.h"

namespace zonekeep {
namespace store {
namespace {

// Percent-escapes what a file: URI cannot hold verbatim.
std::string UriPath(const std::string& path) {
  std::string out;
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      absl::StrAppend(
          &out, "%", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::Status VacuumInto(const std::string& db_path,
                        const std::string& out_path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  SqlitePtr db(raw);
  if (rc != SQLITE_OK) {
    return SqliteStatus(db.get(), rc, absl::StrCat("open ", db_path));
  }
  sqlite3_busy_timeout(db.get(), 10000);
  sqlite3_stmt* stmt_raw = nullptr;
  rc = sqlite3_prepare_v2(db.get(), "VACUUM INTO ?", -1, &stmt_raw, nullptr);
  StmtPtr stmt(stmt_raw);
  if (rc != SQLITE_OK) return SqliteStatus(db.get(), rc, "prepare VACUUM INTO");
  Statement vacuum(db.get(), stmt.get());
  vacuum.BindText(1, out_path);
  absl::Status s = vacuum.Run();
  if (!s.ok()) {
    return absl::Status(s.code(),
                        absl::StrCat("copy of ", db_path, ": ", s.message()));
  }
  return absl::OkStatus();
}

// The copy as one self-contained file: rollback journal, mode 0600, synced.
absl::Status Seal(const std::string& out_path) {
  if (::chmod(out_path.c_str(), 0600) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot chmod 0600 ", out_path, ": ", std::strerror(errno)));
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(out_path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  SqlitePtr db(raw);
  if (rc != SQLITE_OK) {
    return SqliteStatus(db.get(), rc, absl::StrCat("open ", out_path));
  }
  absl::Status s = ExecSql(db.get(), "PRAGMA journal_mode=DELETE");
  if (!s.ok()) return s;
  db.reset();
  const int fd = ::open(out_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int saved = errno;
    if (fd >= 0) ::close(fd);
    return absl::InternalError(
        absl::StrCat("cannot sync ", out_path, ": ", std::strerror(saved)));
  }
  ::close(fd);
  return absl::OkStatus();
}

}  // namespace

absl::Status CopyDatabase(const std::string& db_path,
                          const std::string& out_path) {
  struct stat st;
  if (::lstat(out_path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("copy of ", db_path, ": ", out_path, " exists"));
  }
  // VACUUM INTO fills an empty file: made here, 0600 from the first byte
  // (O_EXCL: never one that appeared meanwhile).
  const int fd =
      ::open(out_path.c_str(),
             O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", out_path, ": ", std::strerror(errno)));
  }
  ::close(fd);
  absl::Status s = VacuumInto(db_path, out_path);
  if (s.ok()) s = Seal(out_path);
  if (!s.ok()) {
    ::unlink(out_path.c_str());
    ::unlink((out_path + "-journal").c_str());
    ::unlink((out_path + "-wal").c_str());
    ::unlink((out_path + "-shm").c_str());
  }
  return s;
}

absl::StatusOr<std::unique_ptr<KeyDb>> KeyDb::OpenSnapshot(
    const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a regular file"));
  }
  // immutable: SQLite reads the file only (no lock, no -wal/-shm created).
  const std::string uri = absl::StrCat("file:", UriPath(path), "?immutable=1");
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(
      uri.c_str(), &raw,
      SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX, nullptr);
  SqlitePtr db(raw);
  if (rc != SQLITE_OK) {
    return SqliteStatus(db.get(), rc, absl::StrCat("open ", path));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  const auto not_a_store = [&](const absl::Status& why) {
    return absl::DataLossError(absl::StrCat(
        path, " is not an intact zonekeep key store (", why.message(), ")"));
  };
  sqlite3_stmt* stmt_raw = nullptr;
  rc = sqlite3_prepare_v2(db.get(), "PRAGMA integrity_check", -1, &stmt_raw,
                          nullptr);
  StmtPtr check(stmt_raw);
  if (rc != SQLITE_OK) {
    return not_a_store(SqliteStatus(db.get(), rc, "integrity check"));
  }
  {
    Statement q(db.get(), check.get());
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return not_a_store(row.status());
    if (!*row || q.Text(0) != "ok") {
      // SQLite's report spans lines: one line here.
      std::string report = *row ? q.Text(0) : std::string("no answer");
      for (char& c : report) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      return not_a_store(
          absl::DataLossError(absl::StrCat("integrity check: ", report)));
    }
  }
  stmt_raw = nullptr;
  rc = sqlite3_prepare_v2(
      db.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1,
      &stmt_raw, nullptr);
  StmtPtr version_stmt(stmt_raw);
  if (rc != SQLITE_OK) {
    return not_a_store(SqliteStatus(db.get(), rc, "schema version"));
  }
  int version = 0;
  {
    Statement q(db.get(), version_stmt.get());
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return not_a_store(row.status());
    version = *row ? static_cast<int>(q.Int(0)) : 0;
  }
  if (version != kLatestSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " has schema version ", version,
                     ", this keystored reads ", kLatestSchemaVersion,
                     ": restore it with the zonekeep release that "
                     "made it"));
  }
  version_stmt.reset();
  check.reset();
  return std::unique_ptr<KeyDb>(new KeyDb(std::move(db), version, path));
}

}  // namespace store
}  // namespace zonekeep
