// Backups at the key store's level: KeyManager::Backup hands out an unlinked
// copy that matches its summary; the master key id follows the master key
// (same for two copies, new after a rotation); CheckBackupOpens tells the
// store's master key from another; RestoreKeyStore keeps a store with WAL
// content aside whole, and changes nothing when it refuses.
#include "keystore/backup.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "dnssec/algorithm.h"
#include "dnssec/key_actions.h"
#include "gtest/gtest.h"
#include "keystore/key_manager.h"
#include "keystore/restore.h"
#include "keystore/store/key_db.h"
#include "keystore/test_dir.h"

namespace zonekeep {
namespace keystore {
namespace {

constexpr dnssec::Algorithm kEc = dnssec::Algorithm::kEcdsaP256Sha256;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

std::string ReadFd(int fd) {
  std::string data;
  char buf[4096];
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd, buf, sizeof(buf), at);
    if (n <= 0) break;
    data.append(buf, n);
    at += n;
  }
  return data;
}

// Name -> content of every entry of `dir`.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return files;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") files[name] = ReadFile(dir + "/" + name);
  }
  ::closedir(d);
  return files;
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = FreshTestDir("backup_" + name);
    KeyManagerOptions options;
    options.state_dir = dir_;
    absl::StatusOr<std::unique_ptr<KeyManager>> keys =
        KeyManager::Open(options);
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = *std::move(keys);
    ASSERT_TRUE(keys_
                    ->CreateKeys("unix:test", dnssec::CreateWhat::kBoth, kEc,
                                 std::nullopt, "example.com.")
                    .ok());
  }

  // A backup written to `path`.
  BackupSummary BackupTo(const std::string& path) {
    absl::StatusOr<std::unique_ptr<BackupCopy>> copy =
        keys_->Backup("unix:test");
    EXPECT_TRUE(copy.ok()) << copy.status();
    if (!copy.ok()) return {};
    std::ofstream(path, std::ios::binary) << ReadFd((*copy)->fd());
    return (*copy)->summary();
  }

  // A fresh state dir holding only this test's master key, and a restore
  // request of `dir_ + ".backup"` into it.
  RestoreRequest RestoreTarget(const std::string& name) {
    const std::string target = FreshTestDir(name);
    EXPECT_EQ(::mkdir(target.c_str(), 0700), 0);
    EXPECT_EQ(::link((dir_ + "/master.key").c_str(),
                     (target + "/master.key").c_str()),
              0);
    RestoreRequest request;
    request.backup_path = dir_ + ".backup";
    request.state_dir = target;
    request.master_key_path = target + "/master.key";
    request.now = absl::FromUnixSeconds(1800000000);
    return request;
  }

  std::string dir_;
  std::unique_ptr<KeyManager> keys_;
};

TEST_F(BackupTest, CopyMatchesItsSummaryAndLeavesNothingBehind) {
  const auto before = Snapshot(dir_);
  absl::StatusOr<std::unique_ptr<BackupCopy>> copy = keys_->Backup("unix:test");
  ASSERT_TRUE(copy.ok()) << copy.status();
  const BackupSummary& summary = (*copy)->summary();
  EXPECT_EQ(summary.zones, std::vector<std::string>{"example.com."});
  EXPECT_EQ(summary.keys, 3);
  EXPECT_EQ(summary.keys_in_bin, 0);
  EXPECT_EQ(summary.master_key_id.size(), 16u);
  const std::string bytes = ReadFd((*copy)->fd());
  EXPECT_EQ(static_cast<int64_t>(bytes.size()), summary.bytes);
  const std::string file = dir_ + ".copy";
  std::ofstream(file, std::ios::binary) << bytes;
  int64_t size = 0;
  absl::StatusOr<std::string> sha = Sha256OfFile(file, &size);
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, summary.sha256_hex);
  // Only the database's own files changed: no copy left in the state dir.
  for (const auto& [name, content] : Snapshot(dir_)) {
    EXPECT_TRUE(before.count(name) == 1) << name << " left behind";
  }
  absl::StatusOr<std::vector<AuditEntry>> audit = keys_->Audit("", 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  EXPECT_TRUE(absl::StartsWith((*audit)[0].command, "backup (1 zones, 3 keys"))
      << (*audit)[0].command;
  EXPECT_TRUE(absl::StrContains((*audit)[0].command, summary.sha256_hex));
}

TEST_F(BackupTest, OpenRemovesCopiesACrashLeftBehind) {
  const std::string stale = dir_ + "/backup-99999-0.tmp";
  std::ofstream(stale) << "sealed keys of an interrupted backup";
  const std::string other = dir_ + "/backup-notes.txt";
  std::ofstream(other) << "not ours";
  // A restore killed before its rename leaves its copy of the backup.
  std::ofstream(dir_ + "/keystore.db.restoring-4242") << "sealed keys";
  std::ofstream(dir_ + "/keystore.db.restoring-4242-journal") << "journal";
  std::ofstream(dir_ + "/keystore.db.restoring-notes") << "not ours";
  keys_.reset();
  KeyManagerOptions options;
  options.state_dir = dir_;
  absl::StatusOr<std::unique_ptr<KeyManager>> keys = KeyManager::Open(options);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(Snapshot(dir_).count("backup-99999-0.tmp"), 0u);
  EXPECT_EQ(Snapshot(dir_).count("backup-notes.txt"), 1u);
  EXPECT_EQ(Snapshot(dir_).count("keystore.db.restoring-4242"), 0u);
  EXPECT_EQ(Snapshot(dir_).count("keystore.db.restoring-4242-journal"), 0u);
  EXPECT_EQ(Snapshot(dir_).count("keystore.db.restoring-notes"), 1u);
}

TEST_F(BackupTest, RestoreRemovesTheCopyOfAKilledRestore) {
  BackupTo(dir_ + ".backup");
  const RestoreRequest request = RestoreTarget("backup_restore_killed");
  const std::string& target = request.state_dir;
  std::ofstream(target + "/keystore.db.restoring-99999") << "half a copy";
  absl::StatusOr<RestoreResult> done = RestoreKeyStore(request);
  ASSERT_TRUE(done.ok()) << done.status();
  const auto after = Snapshot(target);
  EXPECT_EQ(after.count("keystore.db.restoring-99999"), 0u);
  EXPECT_EQ(after.at("keystore.db"), ReadFile(dir_ + ".backup"));
  EXPECT_EQ(after.size(), 2u) << "only master.key and keystore.db";
}

TEST_F(BackupTest, MasterKeyIdFollowsTheMasterKey) {
  const BackupSummary first = BackupTo(dir_ + ".1");
  const BackupSummary second = BackupTo(dir_ + ".2");
  EXPECT_EQ(first.master_key_id, second.master_key_id);
  absl::StatusOr<MasterKey> key = MasterKey::Load(dir_ + "/master.key");
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(CheckBackupOpens(dir_ + ".1", *key, "master.key").ok());

  ASSERT_TRUE(keys_->RotateMasterKey("unix:test").ok());
  const BackupSummary rotated = BackupTo(dir_ + ".3");
  EXPECT_NE(rotated.master_key_id, first.master_key_id);
  // The old key opens the old backup only; the new key the new one only.
  absl::StatusOr<MasterKey> new_key = MasterKey::Load(dir_ + "/master.key");
  ASSERT_TRUE(new_key.ok());
  EXPECT_TRUE(CheckBackupOpens(dir_ + ".3", *new_key, "master.key").ok());
  absl::Status wrong = CheckBackupOpens(dir_ + ".1", *new_key, "master.key");
  EXPECT_EQ(wrong.code(), absl::StatusCode::kFailedPrecondition) << wrong;
  EXPECT_TRUE(absl::StrContains(wrong.message(), first.master_key_id));
  EXPECT_EQ(CheckBackupOpens(dir_ + ".3", *key, "master.key.old").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(BackupTest, RestoreKeepsAStoreWithWalContentAsideWhole) {
  BackupTo(dir_ + ".backup");
  // A second state dir whose store holds a key in its WAL (the connection
  // stays open, so nothing is checkpointed).
  RestoreRequest request = RestoreTarget("backup_restore_target");
  const std::string target = request.state_dir;
  absl::StatusOr<std::unique_ptr<store::KeyDb>> db =
      store::KeyDb::Open(target + "/keystore.db");
  ASSERT_TRUE(db.ok());
  {
    auto tx = (*db)->BeginWrite();
    ASSERT_TRUE(tx.ok());
    store::ZoneRow zone;
    zone.name = "other.example.";
    ASSERT_TRUE((*tx)->UpsertZone(zone).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  const auto before = Snapshot(target);
  ASSERT_FALSE(before.at("keystore.db-wal").empty());

  absl::StatusOr<RestoreResult> refused = RestoreKeyStore(request);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "keystore.db-wal"))
      << refused.status();
  EXPECT_EQ(Snapshot(target), before);

  request.force = true;
  absl::StatusOr<RestoreResult> done = RestoreKeyStore(request);
  ASSERT_TRUE(done.ok()) << done.status();
  db->reset();
  EXPECT_EQ(done->kept_aside,
            target + "/keystore.db.before-restore-20270115T080000Z");
  const auto after = Snapshot(target);
  EXPECT_EQ(after.at("keystore.db.before-restore-20270115T080000Z"),
            before.at("keystore.db"));
  EXPECT_EQ(after.at("keystore.db.before-restore-20270115T080000Z-wal"),
            before.at("keystore.db-wal"));
  EXPECT_EQ(after.at("keystore.db"), ReadFile(dir_ + ".backup"));
  EXPECT_EQ(after.count("keystore.db-wal"), 0u);
  EXPECT_EQ(after.count("keystore.db-shm"), 0u);
  // The kept store still opens with its WAL: its zone is there.
  absl::StatusOr<std::unique_ptr<store::KeyDb>> kept = store::KeyDb::Open(
      target + "/keystore.db.before-restore-20270115T080000Z");
  ASSERT_TRUE(kept.ok()) << kept.status();
  auto tx = (*kept)->BeginRead();
  ASSERT_TRUE(tx.ok());
  auto zones = (*tx)->ZoneNames();
  ASSERT_TRUE(zones.ok());
  EXPECT_EQ(*zones, std::vector<std::string>{"other.example."});
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
