// Issue 16: rotate-master-key re-seals every key in one transaction while
// signing goes on; the old master key no longer opens the store; a crash at
// each step leaves one of the two keys complete and Open recovers.
#include "keystore/master_key_rotation.h"

#include <stdio.h>
#include <sys/stat.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "dnssec/algorithm.h"
#include "dnssec/key_actions.h"
#include "gtest/gtest.h"
#include "keystore/crypto/master_key.h"
#include "keystore/key_manager.h"
#include "keystore/test_dir.h"

namespace zonekeep {
namespace keystore {
namespace {

constexpr dnssec::Algorithm kEc = dnssec::Algorithm::kEcdsaP256Sha256;
const std::vector<std::string> kZones = {"a.example.", "b.example.",
                                         "c.example."};

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

class MasterKeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir(
        std::string("mkr_") +
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  absl::StatusOr<std::unique_ptr<KeyManager>> Open() {
    KeyManagerOptions options;
    options.state_dir = dir_;
    return KeyManager::Open(options);
  }
  std::unique_ptr<KeyManager> OpenOk() {
    auto manager = Open();
    EXPECT_TRUE(manager.ok()) << manager.status();
    return manager.ok() ? *std::move(manager) : nullptr;
  }
  void CreateZones(KeyManager& keys) {
    for (const std::string& zone : kZones) {
      ASSERT_TRUE(keys.CreateKeys("unix:keymaint", dnssec::CreateWhat::kBoth,
                                  kEc, std::nullopt, zone)
                      .ok());
    }
    // One key in the bin, which must be re-sealed too.
    auto listed = keys.ListKeys("c.example.", false);
    ASSERT_TRUE(listed.ok());
    ASSERT_TRUE(keys.DeleteZone("unix:keymaint", "c.example.", true).ok());
  }
  // Every zone's active keys load and sign.
  void ExpectAllSign(const KeyManager& keys) {
    const std::vector<uint8_t> data = {1, 2, 3};
    for (const std::string& zone : {kZones[0], kZones[1]}) {
      auto loaded = keys.LoadZoneKeys(zone);
      ASSERT_TRUE(loaded.ok()) << zone << ": " << loaded.status();
      int signers = 0;
      for (const dnssec::ZoneKey& key : *loaded) {
        if (key.signer == nullptr) continue;
        ++signers;
        EXPECT_TRUE(key.signer->Sign(data).ok());
      }
      EXPECT_EQ(signers, 2) << zone;
    }
  }
  std::string master() const { return dir_ + "/master.key"; }
  std::string dir_;
};

TEST_F(MasterKeyRotationTest, RotatesWhileSigningAndOldKeyNoLongerOpens) {
  auto keys = OpenOk();
  ASSERT_NE(keys, nullptr);
  CreateZones(*keys);
  std::atomic<bool> stop{false};
  std::atomic<int> signed_ok{0}, failed{0};
  std::thread signer([&] {
    const std::vector<uint8_t> data = {4, 5, 6};
    while (!stop) {
      auto loaded = keys->LoadZoneKeys("a.example.");
      if (!loaded.ok()) {
        ++failed;
        continue;
      }
      for (const dnssec::ZoneKey& key : *loaded) {
        if (key.signer == nullptr) continue;
        if (key.signer->Sign(data).ok()) {
          ++signed_ok;
        } else {
          ++failed;
        }
      }
    }
  });
  auto rotated = keys->RotateMasterKey("unix:keymaint");
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(rotated->keys_resealed, 9);  // three zones, the bin included
  EXPECT_EQ(rotated->old_key_path, master() + ".old");
  auto again = keys->RotateMasterKey("unix:keymaint");  // .old still there
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(again.status().message(), "master.key.old"));
  const int before = signed_ok;
  while (signed_ok < before + 20) std::this_thread::yield();
  stop = true;
  signer.join();
  EXPECT_EQ(failed, 0);
  ExpectAllSign(*keys);
  auto audit = keys->Audit("", 10);
  ASSERT_TRUE(audit.ok());
  bool audited = false;
  for (const AuditEntry& e : *audit) {
    if (e.command == "rotate-master-key (9 keys re-sealed)" &&
        e.result == "ok") {
      audited = true;
    }
  }
  EXPECT_TRUE(audited);
  keys.reset();

  // A fresh start opens every key; the bin's keys come back and open too.
  keys = OpenOk();
  ASSERT_NE(keys, nullptr);
  ExpectAllSign(*keys);
  ASSERT_TRUE(keys->UndeleteKey("unix:keymaint", "c.example.", kEc,
                                (*keys->ListKeys("", true)).back().key_tag)
                  .ok());
  keys.reset();

  // The old master key does not open the store any more.
  ASSERT_EQ(rename(master().c_str(), (master() + ".new-saved").c_str()), 0);
  ASSERT_EQ(rename((master() + ".old").c_str(), master().c_str()), 0);
  auto refused = Open();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(refused.status().message(), "is not the master key of"))
      << refused.status();
}

// Crash after master.key.new was written: the store is still the old key's;
// Open removes master.key.new.
TEST_F(MasterKeyRotationTest, RecoversFromCrashAfterNewKey) {
  {
    auto keys = OpenOk();
    CreateZones(*keys);
  }
  ASSERT_TRUE(MasterKey::Create(master() + ".new").ok());
  auto keys = OpenOk();
  ASSERT_NE(keys, nullptr);
  EXPECT_FALSE(Exists(master() + ".new"));
  EXPECT_FALSE(Exists(master() + ".old"));
  ExpectAllSign(*keys);
}

// Crash after the commit (no rename yet) and after the first rename: the
// store is the new key's; Open completes the renames.
TEST_F(MasterKeyRotationTest, RecoversFromCrashAfterCommitAndFirstRename) {
  for (bool first_rename_done : {false, true}) {
    SCOPED_TRACE(first_rename_done ? "after-first-rename" : "after-commit");
    dir_ = FreshTestDir(std::string("mkr_commit_") +
                        (first_rename_done ? "1" : "0"));
    {
      auto keys = OpenOk();
      CreateZones(*keys);
      ASSERT_TRUE(keys->RotateMasterKey("unix:keymaint").ok());
    }
    // Undo the renames of a finished rotation to recreate the crash point.
    ASSERT_EQ(rename(master().c_str(), (master() + ".new").c_str()), 0);
    if (!first_rename_done) {
      ASSERT_EQ(rename((master() + ".old").c_str(), master().c_str()), 0);
    }
    auto keys = OpenOk();
    ASSERT_NE(keys, nullptr);
    EXPECT_TRUE(Exists(master()));
    EXPECT_TRUE(Exists(master() + ".old"));
    EXPECT_FALSE(Exists(master() + ".new"));
    ExpectAllSign(*keys);
  }
}

// Neither file opens the check value: refused, nothing renamed.
TEST_F(MasterKeyRotationTest, StrangerNewKeyWithWrongMasterKeyRefused) {
  {
    auto keys = OpenOk();
    CreateZones(*keys);
  }
  ASSERT_EQ(unlink(master().c_str()), 0);
  ASSERT_TRUE(MasterKey::Create(master()).ok());
  ASSERT_TRUE(MasterKey::Create(master() + ".new").ok());
  auto refused = Open();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(refused.status().message(),
                                "interrupted master key rotation"));
  EXPECT_TRUE(Exists(master() + ".new"));
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
