// KeyManager::Backup: a consistent copy of the database for `maintkeydb
// backup` (keystore/backup.h, store/db_copy.h).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "keystore/backup.h"
#include "keystore/key_manager_impl.h"
#include "keystore/store/db_copy.h"

namespace zonekeep {
namespace keystore {
namespace key_manager_internal {

absl::StatusOr<std::unique_ptr<BackupCopy>> KeyManagerImpl::Backup(
    const std::string& identity) {
  static std::atomic<int> counter{0};
  AuditInfo audit{identity, "backup", "", {}};
  const std::string& db_path = db_->path();
  const std::string dir = db_path.substr(0, db_path.rfind('/'));
  const std::string temp =
      absl::StrCat(dir, "/backup-", getpid(), "-", counter++, ".tmp");
  absl::Status s = store::CopyDatabase(db_path, temp);
  if (!s.ok()) return Refuse(audit, s);
  absl::StatusOr<BackupSummary> summary = DescribeBackup(temp);
  const int fd = summary.ok() ? ::open(temp.c_str(), O_RDONLY | O_CLOEXEC) : -1;
  const int saved_errno = errno;
  ::unlink(temp.c_str());  // the copy lives on only through `fd`
  if (!summary.ok()) return Refuse(audit, summary.status());
  if (fd < 0) {
    return Refuse(audit, absl::InternalError(absl::StrCat(
                             "cannot reopen the backup copy ", temp, ": ",
                             std::strerror(saved_errno))));
  }
  auto copy = std::make_unique<BackupCopy>(fd, *std::move(summary));
  const BackupSummary& got = copy->summary();
  audit.command = absl::StrCat("backup (", got.zones.size(), " zones, ",
                               got.keys + got.keys_in_bin, " keys, ", got.bytes,
                               " bytes, sha256 ", got.sha256_hex,
                               ", master key id ", got.master_key_id, ")");
  absl::StatusOr<int> audited = Mutate<int>(
      audit, [](Transaction&, absl::Time) -> absl::StatusOr<int> { return 0; });
  if (!audited.ok()) return audited.status();
  return copy;
}

}  // namespace key_manager_internal
}  // namespace keystore
}  // namespace zonekeep
