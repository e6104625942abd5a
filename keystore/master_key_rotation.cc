#include "keystore/master_key_rotation.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "keystore/crypto/master_key.h"
#include "keystore/master_key_check.h"

namespace zonekeep {
namespace keystore {
namespace {

absl::Status ErrnoError(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(errno)));
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status SyncDir(const std::string& path) {
  const std::string dir = DirOf(path);
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat("cannot open ", dir));
  const int synced = fsync(fd);
  close(fd);
  if (synced != 0) return ErrnoError(absl::StrCat("cannot fsync ", dir));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::vector<uint8_t>>> ReadCheck(
    store::KeyDb& db) {
  absl::StatusOr<std::unique_ptr<store::Transaction>> tx = db.BeginRead();
  if (!tx.ok()) return tx.status();
  return (*tx)->GetMasterKeyCheck();
}

bool Opens(const std::string& path, const std::vector<uint8_t>& check) {
  absl::StatusOr<MasterKey> key = MasterKey::Load(path);
  return key.ok() && OpensMasterKeyCheck(*key, check);
}

}  // namespace

bool FileExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

void CrashPointForTests(const char* point) {
  const char* at = getenv("ZONEKEEP_TEST_CRASH_AT");
  if (at == nullptr || strcmp(at, point) != 0) return;
  fprintf(stderr, "keystore: ZONEKEEP_TEST_CRASH_AT=%s: exiting\n", point);
  _exit(137);
}

absl::Status InstallNextMasterKey(const MasterKeyFiles& files) {
  // master.key gone: a crash came after the first rename.
  if (FileExists(files.current)) {
    if (FileExists(files.old)) {
      return absl::FailedPreconditionError(absl::StrCat(
          files.old, " exists: nothing renamed (move it away and restart)"));
    }
    if (rename(files.current.c_str(), files.old.c_str()) != 0) {
      return ErrnoError(
          absl::StrCat("cannot rename ", files.current, " to ", files.old));
    }
    CrashPointForTests("after-first-rename");
  }
  if (rename(files.next.c_str(), files.current.c_str()) != 0) {
    return ErrnoError(
        absl::StrCat("cannot rename ", files.next, " to ", files.current));
  }
  return SyncDir(files.current);
}

absl::StatusOr<std::string> RecoverMasterKeyRotation(
    const std::string& master_path, store::KeyDb& db) {
  const MasterKeyFiles files = MasterKeyFiles::For(master_path);
  if (!FileExists(files.next)) return std::string();
  absl::StatusOr<std::optional<std::vector<uint8_t>>> check = ReadCheck(db);
  if (!check.ok()) return check.status();
  if (check->has_value() && Opens(files.next, **check)) {
    // The re-sealing committed: complete the renames.
    absl::Status s = InstallNextMasterKey(files);
    if (!s.ok()) return s;
    return absl::StrCat("finished an interrupted master key rotation: ",
                        files.next, " is now ", files.current);
  }
  if (check->has_value() && Opens(files.current, **check)) {
    // The re-sealing never committed: the new key sealed nothing.
    if (unlink(files.next.c_str()) != 0) {
      return ErrnoError(absl::StrCat("cannot remove ", files.next));
    }
    absl::Status s = SyncDir(files.next);
    if (!s.ok()) return s;
    return absl::StrCat("undid an interrupted master key rotation: removed ",
                        files.next, " (the store is still sealed under ",
                        files.current, ")");
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "an interrupted master key rotation left ", files.next,
      ", and neither it nor ", files.current,
      " opens the store's check value: restore master.key and keystore.db "
      "from the same backup"));
}

}  // namespace keystore
}  // namespace zonekeep
