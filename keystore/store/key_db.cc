#include "keystore/store/key_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "keystore/store/schema.h"

namespace zonekeep {
namespace store {
namespace {

// Creates `path` 0600 if missing, tightens it to 0600 if it exists, before
// SQLite writes a byte; SQLite then creates -wal/-shm with the same mode.
absl::Status CreatePrivateFile(const std::string& path) {
  const int fd =
      ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  const int rc = ::fchmod(fd, 0600);
  const int saved_errno = errno;
  ::close(fd);
  if (rc != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot chmod 0600 ", path, ": ", std::strerror(saved_errno)));
  }
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string side = path + suffix;
    struct stat st;
    if (::lstat(side.c_str(), &st) == 0 && (st.st_mode & 0077) != 0 &&
        ::chmod(side.c_str(), 0600) != 0) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot chmod 0600 ", side, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::Status RequireWal(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc, "enable WAL");
  Statement pragma(db, stmt.get());
  absl::StatusOr<bool> row = pragma.Step();
  if (!row.ok()) return row.status();
  if (!*row || pragma.Text(0) != "wal") {
    return absl::FailedPreconditionError(
        "the key store database cannot use WAL journaling");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<KeyDb>> KeyDb::Open(
    const std::string& path, const KeyDbOptions& options) {
  absl::Status s = CreatePrivateFile(path);
  if (!s.ok()) return s;
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
  SqlitePtr db(raw);
  if (rc != SQLITE_OK) {
    return SqliteStatus(db.get(), rc, absl::StrCat("open ", path));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(
      db.get(),
      static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));
  s = RequireWal(db.get());
  if (s.ok()) s = ExecSql(db.get(), "PRAGMA foreign_keys=ON");
  // Key material: every commit reaches the disk; freed pages are zeroed.
  if (s.ok()) s = ExecSql(db.get(), "PRAGMA synchronous=FULL");
  if (s.ok()) s = ExecSql(db.get(), "PRAGMA secure_delete=ON");
  if (!s.ok()) return s;
  absl::StatusOr<int> found = MigrateSchema(db.get());
  if (!found.ok()) return found.status();
  return std::unique_ptr<KeyDb>(new KeyDb(std::move(db), *found, path));
}

KeyDb::~KeyDb() {
  std::lock_guard<std::mutex> lock(mu_);
  statements_.clear();  // finalize before the connection closes
}

absl::StatusOr<std::unique_ptr<Transaction>> KeyDb::BeginWrite() {
  return Begin("BEGIN IMMEDIATE");
}

absl::StatusOr<std::unique_ptr<Transaction>> KeyDb::BeginRead() {
  return Begin("BEGIN DEFERRED");
}

absl::StatusOr<std::unique_ptr<Transaction>> KeyDb::Begin(const char* sql) {
  std::unique_lock<std::mutex> lock(mu_);
  absl::Status s = ExecSql(db_.get(), sql);
  if (!s.ok()) return s;
  return std::unique_ptr<Transaction>(new Transaction(this, std::move(lock)));
}

absl::StatusOr<sqlite3_stmt*> KeyDb::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql, -1,
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqliteStatus(db_.get(), rc, "sqlite prepare");
  sqlite3_stmt* result = stmt.get();
  statements_.emplace(sql, std::move(stmt));
  return result;
}

Transaction::~Transaction() {
  if (!done_) ExecSql(raw(), "ROLLBACK").IgnoreError();
}

absl::Status Transaction::Commit() {
  if (done_) return absl::FailedPreconditionError("transaction already ended");
  absl::Status s = ExecSql(raw(), "COMMIT");
  if (!s.ok()) return s;  // the destructor rolls back
  done_ = true;
  if (sealed_removed_) {
    // Old sealed bytes may sit in WAL frames: copy the pages back (zeroed by
    // secure_delete) and truncate the WAL. The commit stands either way.
    s = ExecSql(raw(), "PRAGMA wal_checkpoint(TRUNCATE)");
    if (!s.ok()) {
      fprintf(stderr, "keystore: WAL checkpoint after a key left: %s\n",
              std::string(s.message()).c_str());
    }
  }
  lock_.unlock();  // the KeyDb is free for the next transaction
  return absl::OkStatus();
}

absl::Status Transaction::LockZone(const std::string& /*zone*/) {
  return absl::OkStatus();
}

}  // namespace store
}  // namespace zonekeep
