// Backups of the key store: what a backup file holds, and whether a master
// key opens it.
//
// A backup is a copy of keystore.db made by store::CopyDatabase: one SQLite
// file, every key still sealed (AES-256-GCM under the master key), the master
// key itself not in it. The master key id names the master key that opens a
// backup without revealing anything of it: the first 8 bytes (hex) of
// SHA-256 over a label and the store's master key check value (a constant
// sealed under the key with a random nonce, master_key_check.h). Two copies
// of one store share the id; a rotation of the master key changes it.
// Thread-safety: the functions share nothing.
#ifndef ZONEKEEP_KEYSTORE_BACKUP_H_
#define ZONEKEEP_KEYSTORE_BACKUP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "keystore/crypto/master_key.h"

namespace zonekeep {
namespace keystore {

struct BackupSummary {
  std::vector<std::string> zones;  // sorted
  int keys = 0;                    // live keys
  int keys_in_bin = 0;             // the expired-keys bin
  int schema_version = 0;
  std::string master_key_id;  // "none": the store has no check value
  int64_t bytes = 0;
  std::string sha256_hex;
};

// A backup made by KeyManager::Backup: a file already unlinked from the
// state dir, open for reading from offset 0, closed when this is destroyed.
class BackupCopy {
 public:
  BackupCopy(int fd, BackupSummary summary)
      : fd_(fd), summary_(std::move(summary)) {}
  ~BackupCopy();
  BackupCopy(const BackupCopy&) = delete;
  BackupCopy& operator=(const BackupCopy&) = delete;
  int fd() const { return fd_; }
  const BackupSummary& summary() const { return summary_; }

 private:
  const int fd_;
  const BackupSummary summary_;
};

// "3f9c0a1b2c3d4e5f" for a check value (see top).
std::string MasterKeyIdOf(const std::vector<uint8_t>& check_value);

// Lowercase hex SHA-256 of the file at `path`, and its size.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path,
                                         int64_t* bytes);

// Reads a backup (or any key store file) read-only: KeyDb::OpenSnapshot's
// checks (integrity, schema version), then what it holds.
absl::StatusOr<BackupSummary> DescribeBackup(const std::string& path);

// OK when `key` opens the backup's check value and every sealed key in it
// (the bin included). FailedPrecondition naming `path`, `key_path` and the
// backup's master key id otherwise; DataLoss when the check value opens but
// a key does not (a damaged backup).
absl::Status CheckBackupOpens(const std::string& path, const MasterKey& key,
                              const std::string& key_path);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_BACKUP_H_
