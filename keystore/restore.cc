#include "keystore/restore.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "keystore/crypto/master_key.h"
#include "keystore/interrupted_copies.h"
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace keystore {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Copies `from` to a new file `to` (0600, fsynced).
absl::Status CopyFile(const std::string& from, const std::string& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    return absl::NotFoundError(absl::StrCat("cannot read the backup ", from,
                                            ": ", std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(in);
    return absl::InvalidArgumentError(
        absl::StrCat("the backup ", from, " is not a regular file"));
  }
  const int out = ::open(
      to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0) {
    const absl::Status s = Errno(absl::StrCat("cannot create ", to));
    ::close(in);
    return s;
  }
  absl::Status s;
  char buf[1 << 16];
  while (s.ok()) {
    const ssize_t n = ::read(in, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s = Errno(absl::StrCat("cannot read the backup ", from));
      break;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, buf + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        s = Errno(absl::StrCat("cannot write ", to));
        break;
      }
      done += w;
    }
  }
  if (s.ok() && ::fsync(out) != 0) s = Errno(absl::StrCat("cannot sync ", to));
  ::close(in);
  ::close(out);
  if (!s.ok()) ::unlink(to.c_str());
  return s;
}

absl::Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(absl::StrCat("cannot open ", dir));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno(absl::StrCat("cannot sync ", dir));
  return absl::OkStatus();
}

// Why an existing store must not be replaced without --force ("": it holds
// nothing).
std::string WhatTheStoreHolds(const std::string& db_path) {
  struct stat st;
  const std::string wal = db_path + "-wal";
  if (::stat(wal.c_str(), &st) == 0 && st.st_size > 0) {
    return absl::StrCat("has unmerged changes in ", wal);
  }
  absl::StatusOr<BackupSummary> summary = DescribeBackup(db_path);
  if (!summary.ok()) {
    return absl::StrCat("cannot be read (", summary.status().message(), ")");
  }
  const int keys = summary->keys + summary->keys_in_bin;
  if (keys == 0) return "";
  return absl::StrCat("holds ", keys, keys == 1 ? " key" : " keys");
}

// keystore.db.before-restore-20261201T011500Z (with -2, -3... if taken).
std::string KeptAsideName(const std::string& db_path, absl::Time now) {
  const std::string base = absl::StrCat(
      db_path, ".before-restore-",
      absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()));
  std::string name = base;
  for (int i = 2; Exists(name) || Exists(name + "-wal"); ++i) {
    name = absl::StrCat(base, "-", i);
  }
  return name;
}

absl::StatusOr<RestoreResult> Install(const RestoreRequest& request,
                                      const std::string& temp,
                                      BackupSummary summary) {
  RestoreResult result;
  result.summary = std::move(summary);
  result.db_path = request.state_dir + "/keystore.db";
  const std::string& db = result.db_path;
  if (Exists(db)) {
    const std::string holds = WhatTheStoreHolds(db);
    if (!holds.empty() && !request.force) {
      return absl::FailedPreconditionError(absl::StrCat(
          db, " ", holds,
          ": restoring would replace it; run again with --force to keep it "
          "aside as keystore.db.before-restore-TIME and restore"));
    }
    result.kept_aside = KeptAsideName(db, request.now);
    if (::rename(db.c_str(), result.kept_aside.c_str()) != 0) {
      return Errno(absl::StrCat("cannot move ", db, " aside"));
    }
    ::chmod(result.kept_aside.c_str(), 0600);
    if (Exists(db + "-wal") &&
        ::rename((db + "-wal").c_str(), (result.kept_aside + "-wal").c_str()) !=
            0) {
      const absl::Status s = Errno(absl::StrCat("cannot move ", db, "-wal"));
      ::rename(result.kept_aside.c_str(), db.c_str());  // undo
      return s;
    }
  }
  ::unlink((db + "-shm").c_str());
  ::unlink((db + "-journal").c_str());
  if (::rename(temp.c_str(), db.c_str()) != 0) {
    return Errno(absl::StrCat("cannot install ", db));
  }
  absl::Status s = SyncDir(request.state_dir);
  if (!s.ok()) return s;
  return result;
}

}  // namespace

absl::StatusOr<RestoreResult> RestoreKeyStore(const RestoreRequest& request) {
  RemoveInterruptedCopies(request.state_dir);
  const std::string temp =
      absl::StrCat(request.state_dir, "/keystore.db.restoring-", getpid());
  absl::Status s = CopyFile(request.backup_path, temp);
  if (!s.ok()) return s;
  const auto fail = [&](absl::Status error) {
    ::unlink(temp.c_str());
    return error;
  };
  // Messages name the backup, not its copy.
  const auto named = [&](const absl::Status& error) {
    std::string message(error.message());
    for (size_t at; (at = message.find(temp)) != std::string::npos;) {
      message.replace(at, temp.size(), request.backup_path);
    }
    return absl::Status(error.code(), message);
  };
  if (!request.expected_sha256.empty()) {
    absl::StatusOr<std::string> sha = Sha256OfFile(temp, nullptr);
    if (!sha.ok()) return fail(named(sha.status()));
    if (*sha != absl::AsciiStrToLower(request.expected_sha256)) {
      return fail(absl::DataLossError(
          absl::StrCat("the backup ", request.backup_path, " has SHA-256 ",
                       *sha, ", not the ", request.expected_sha256,
                       " given: it is not the file maintkeydb backup wrote")));
    }
  }
  absl::StatusOr<BackupSummary> summary = DescribeBackup(temp);
  if (!summary.ok()) return fail(named(summary.status()));
  absl::StatusOr<MasterKey> key = MasterKey::Load(request.master_key_path);
  if (absl::IsNotFound(key.status())) {
    return fail(absl::FailedPreconditionError(absl::StrCat(
        "no master key at ", request.master_key_path, ": the keys in ",
        request.backup_path, " are sealed under master key id ",
        summary->master_key_id,
        "; put the master.key that was backed up with it there (0400)")));
  }
  if (!key.ok()) return fail(key.status());
  s = CheckBackupOpens(temp, *key, request.master_key_path);
  if (!s.ok()) return fail(named(s));
  absl::StatusOr<RestoreResult> result =
      Install(request, temp, *std::move(summary));
  if (!result.ok()) return fail(result.status());
  return result;
}

}  // namespace keystore
}  // namespace zonekeep
