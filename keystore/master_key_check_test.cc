// Issue 13: keystored never makes a master key for a store that holds sealed
// keys, and refuses a master.key that is not the store's; the store stays
// unchanged byte for byte when it refuses.
#include "keystore/master_key_check.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "dnssec/algorithm.h"
#include "dnssec/key_actions.h"
#include "gtest/gtest.h"
#include "keystore/key_manager.h"
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

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

void CopyFile(const std::string& from, const std::string& to) {
  std::filesystem::remove(to);
  std::filesystem::copy_file(from, to);
  std::filesystem::permissions(to, std::filesystem::perms::owner_read);
}

class MasterKeyCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = FreshTestDir("mkc_" + name);
    other_dir_ = FreshTestDir("mkc_other_" + name);
  }

  absl::StatusOr<std::unique_ptr<KeyManager>> Open(const std::string& dir) {
    KeyManagerOptions options;
    options.state_dir = dir;
    return KeyManager::Open(options);
  }

  // A store with one zone's keys; the manager is closed on return.
  void MakeStoreWithKeys(const std::string& dir) {
    auto manager = Open(dir);
    ASSERT_TRUE(manager.ok()) << manager.status();
    ASSERT_TRUE((*manager)
                    ->CreateKeys("unix:keymaint", dnssec::CreateWhat::kBoth,
                                 kEc, std::nullopt, "example.com.")
                    .ok());
  }

  std::string master() const { return dir_ + "/master.key"; }
  std::string db() const { return dir_ + "/keystore.db"; }

  // Open must refuse with `want` in its one-line message, write no
  // master.key if there was none, and leave keystore.db as it was.
  void ExpectRefused(const std::string& want) {
    const bool had_master = Exists(master());
    const std::string master_before = ReadFile(master());
    const std::string db_before = ReadFile(db());
    auto manager = Open(dir_);
    ASSERT_FALSE(manager.ok());
    EXPECT_EQ(manager.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_TRUE(absl::StrContains(manager.status().message(), want))
        << manager.status();
    EXPECT_FALSE(absl::StrContains(manager.status().message(), "\n"));
    EXPECT_EQ(Exists(master()), had_master);
    EXPECT_EQ(ReadFile(master()), master_before);
    EXPECT_EQ(ReadFile(db()), db_before);
  }

  std::string dir_;
  std::string other_dir_;
};

TEST_F(MasterKeyCheckTest, NewStoreGetsMasterKeyAndOpensAgain) {
  ASSERT_TRUE(Open(dir_).ok());
  EXPECT_TRUE(Exists(master()));
  const std::string key = ReadFile(master());
  ASSERT_TRUE(Open(dir_).ok());
  EXPECT_EQ(ReadFile(master()), key);
}

TEST_F(MasterKeyCheckTest, MissingMasterKeyWithSealedKeysIsRefused) {
  MakeStoreWithKeys(dir_);
  ASSERT_EQ(::unlink(master().c_str()), 0);
  ExpectRefused("master.key is missing but " + db() + " holds 3 keys");
  ExpectRefused("restore master.key from the backup");
}

TEST_F(MasterKeyCheckTest, MissingMasterKeyOfEmptyStoreWithCheckIsRefused) {
  ASSERT_TRUE(Open(dir_).ok());
  ASSERT_EQ(::unlink(master().c_str()), 0);
  ExpectRefused("holds a master key check value");
}

TEST_F(MasterKeyCheckTest, AnotherMasterKeyIsRefused) {
  MakeStoreWithKeys(dir_);
  ASSERT_TRUE(Open(other_dir_).ok());
  CopyFile(other_dir_ + "/master.key", master());
  ExpectRefused("is not the master key of " + db());
}

TEST_F(MasterKeyCheckTest, StoreWithoutCheckValueIsTrialUnsealed) {
  MakeStoreWithKeys(dir_);
  // A store from before check values: only its sealed keys tell.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db().c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "DELETE FROM master_key_check", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  const std::string own_key = ReadFile(master());
  ASSERT_TRUE(Open(other_dir_).ok());
  CopyFile(other_dir_ + "/master.key", master());
  ExpectRefused("of example.com. does not open with it");
  // The right key opens the first key and stores the check value again.
  ASSERT_EQ(::unlink(master().c_str()), 0);
  {
    std::ofstream out(master(), std::ios::binary);
    out << own_key;
  }
  ::chmod(master().c_str(), 0400);
  auto manager = Open(dir_);
  ASSERT_TRUE(manager.ok()) << manager.status();
  ASSERT_TRUE((*manager)->LoadZoneKeys("example.com.").ok());
  manager->reset();
  CopyFile(other_dir_ + "/master.key", master());
  ExpectRefused("does not open the store's check value");
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
