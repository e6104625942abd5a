#include "keystore/key_manager.h"

#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dnssec/algorithm.h"
#include "dnssec/key_actions.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "keystore/clock.h"
#include "keystore/test_dir.h"

namespace zonekeep {
namespace keystore {
namespace {

constexpr dnssec::Algorithm kEc = dnssec::Algorithm::kEcdsaP256Sha256;
const char kZone[] = "example.com.";
const char kAdmin[] = "unix:keymaint";

std::string FreshDir(const std::string& name) {
  return FreshTestDir("km_" + name);
}

// "KSK active" / "ZSK published R" / "... deleted": what a test asserts on.
std::string Describe(const KeyView& key) {
  return absl::StrCat(
      key.role == dnssec::KeyRole::kKsk ? "KSK" : "ZSK", " ",
      key.state == dnssec::KeyState::kActive ? "active" : "published",
      key.rollover ? " R" : "", key.deleted ? " deleted" : "");
}

std::vector<std::string> Describe(const std::vector<KeyView>& keys) {
  std::vector<std::string> out;
  for (const KeyView& key : keys) out.push_back(Describe(key));
  return out;
}

// Everything a failed call must leave unchanged.
std::string Snapshot(const std::vector<KeyView>& keys) {
  std::vector<std::string> out;
  for (const KeyView& key : keys) {
    out.push_back(absl::StrCat(
        key.zone, "/", key.key_tag, "/", static_cast<int>(key.algorithm), "/",
        Describe(key), "/", absl::ToUnixMicros(key.state_changed)));
  }
  return absl::StrJoin(out, ";");
}

const KeyView* Find(const std::vector<KeyView>& keys, uint16_t tag) {
  for (const KeyView& key : keys) {
    if (key.key_tag == tag) return &key;
  }
  return nullptr;
}

class KeyManagerTest : public ::testing::Test {
 protected:
  KeyManagerTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    options_.state_dir = FreshDir(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    options_.propagation_delay = absl::Hours(1);
    options_.clock = &clock_;
    Reopen();
  }

  void Reopen() {
    manager_.reset();
    auto manager = KeyManager::Open(options_);
    ASSERT_TRUE(manager.ok()) << manager.status();
    manager_ = *std::move(manager);
  }

  std::vector<KeyView> CreateBoth(const std::string& zone = kZone) {
    auto keys = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kBoth, kEc,
                                     std::nullopt, zone);
    EXPECT_TRUE(keys.ok()) << keys.status();
    return keys.ok() ? *keys : std::vector<KeyView>();
  }

  std::vector<KeyView> List(bool include_deleted = false) {
    auto keys = manager_->ListKeys(kZone, include_deleted);
    EXPECT_TRUE(keys.ok()) << keys.status();
    return keys.ok() ? *keys : std::vector<KeyView>();
  }

  std::vector<uint16_t> LiveTags() {
    std::vector<uint16_t> tags;
    for (const KeyView& key : List()) tags.push_back(key.key_tag);
    return tags;
  }

  absl::Status Roll(dnssec::RolloverStage stage, bool force = false) {
    return manager_->Rollover(kAdmin, stage, kEc, kZone, force).status();
  }

  absl::Status Signed(uint32_t max_ttl = 3600) {
    return manager_->RecordZoneSigned(
        "signer1", kZone, SignedZone{LiveTags(), {}, max_ttl, ++serial_});
  }

  AuditEntry LastAudit() {
    auto audit = manager_->Audit("", 1);
    EXPECT_TRUE(audit.ok() && audit->size() == 1);
    return audit.ok() && !audit->empty() ? (*audit)[0] : AuditEntry();
  }

  FakeClock clock_;
  KeyManagerOptions options_;
  std::unique_ptr<KeyManager> manager_;
  uint32_t serial_ = 2024010100;
};

TEST_F(KeyManagerTest, CreateBothMakesActiveKskActiveAndPublishedZsk) {
  std::vector<KeyView> created = CreateBoth("Example.COM");
  ASSERT_EQ(created.size(), 3u);
  EXPECT_EQ(
      Describe(created),
      (std::vector<std::string>{"KSK active", "ZSK active", "ZSK published"}));
  for (const KeyView& key : created) {
    EXPECT_EQ(key.zone, kZone);
    EXPECT_EQ(key.algorithm, kEc);
    EXPECT_EQ(key.bits, 256);
    EXPECT_EQ(key.created, clock_.Now());
    ASSERT_GE(key.dnskey_rdata.size(), 4u);
    EXPECT_EQ(key.dnskey_rdata[1], key.role == dnssec::KeyRole::kKsk ? 1 : 0);
  }
  EXPECT_NE(created[0].key_tag, created[1].key_tag);
  EXPECT_NE(created[1].key_tag, created[2].key_tag);
  EXPECT_NE(created[0].key_tag, created[2].key_tag);

  const AuditEntry audit = LastAudit();
  EXPECT_EQ(audit.identity, kAdmin);
  EXPECT_EQ(audit.command, "create both ECDSAP256SHA256");
  EXPECT_EQ(audit.zone, kZone);
  EXPECT_EQ(audit.result, "ok");
  EXPECT_EQ(
      std::vector<std::string>(absl::StrSplit(audit.key_tags, ',')).size(), 3u);
}

TEST_F(KeyManagerTest, ListOrderIsZoneRoleStateTag) {
  CreateBoth("b.example.");
  CreateBoth("a.example.");
  auto zsk = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kZsk, kEc,
                                  std::nullopt, "a.example.");
  ASSERT_TRUE(zsk.ok()) << zsk.status();
  auto all = manager_->ListKeys("", false);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 7u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ((*all)[i].zone, "a.example.");
  EXPECT_EQ(Describe(*all)[0], "KSK active");
  EXPECT_EQ(Describe(*all)[1], "ZSK active");
  EXPECT_EQ(Describe(*all)[2], "ZSK published");
  EXPECT_EQ(Describe(*all)[3], "ZSK published");
  EXPECT_LT((*all)[2].key_tag, (*all)[3].key_tag);
  EXPECT_EQ((*all)[4].zone, "b.example.");
}

TEST_F(KeyManagerTest, CreateSingleKeysPickActiveThenPublished) {
  auto k1 = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kKsk, kEc,
                                 std::nullopt, kZone);
  auto k2 = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kKsk, kEc,
                                 std::nullopt, kZone);
  auto z1 = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kZsk, kEc,
                                 std::nullopt, kZone);
  auto z2 = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kZsk, kEc,
                                 std::nullopt, kZone);
  ASSERT_TRUE(k1.ok() && k2.ok() && z1.ok() && z2.ok());
  EXPECT_EQ(Describe((*k1)[0]), "KSK active");
  EXPECT_EQ(Describe((*k2)[0]), "KSK published");
  EXPECT_EQ(Describe((*z1)[0]), "ZSK active");
  EXPECT_EQ(Describe((*z2)[0]), "ZSK published");

  // Same algorithm again with "both": refused; a second algorithm: fine.
  auto again = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kBoth, kEc,
                                    std::nullopt, kZone);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  auto ed =
      manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kBoth,
                           dnssec::Algorithm::kEd25519, std::nullopt, kZone);
  ASSERT_TRUE(ed.ok()) << ed.status();
  EXPECT_EQ(Describe(*ed), (std::vector<std::string>{"KSK active", "ZSK active",
                                                     "ZSK published"}));
  EXPECT_EQ(List().size(), 7u);
}

TEST_F(KeyManagerTest, FullZskCycle) {
  std::vector<KeyView> keys = CreateBoth();
  const uint16_t ksk = keys[0].key_tag;
  const uint16_t old_zsk = keys[1].key_tag;
  const uint16_t next_zsk = keys[2].key_tag;

  clock_.Advance(absl::Minutes(5));
  ASSERT_TRUE(Signed().ok());  // signed before stage 1: does not count
  clock_.Advance(absl::Hours(3));
  auto after1 = manager_->Rollover(kAdmin, dnssec::RolloverStage::kZskStage1,
                                   kEc, kZone, false);
  ASSERT_TRUE(after1.ok()) << after1.status();
  EXPECT_EQ(Describe(*Find(*after1, old_zsk)), "ZSK published R");
  EXPECT_EQ(Describe(*Find(*after1, next_zsk)), "ZSK active");
  EXPECT_EQ(Describe(*Find(*after1, ksk)), "KSK active");
  EXPECT_EQ(Find(*after1, next_zsk)->state_changed, clock_.Now());

  // A second stage 1 while one is under way: refused.
  EXPECT_EQ(Roll(dnssec::RolloverStage::kZskStage1).code(),
            absl::StatusCode::kFailedPrecondition);

  absl::Status s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "example.com. has not been signed since zsk-stage1: sign it, then "
            "wait propagation-delay 1h + its max TTL");

  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(Signed(3600).ok());
  clock_.Advance(absl::Minutes(57) + absl::Seconds(57));
  s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StartsWith(
      s.message(),
      "wait 1h2m3s more (propagation-delay 1h + max TTL 3600s since "
      "example.com. was signed at 2026-"))
      << s;
  // Signing again with the same key set does not restart the wait.
  ASSERT_TRUE(Signed(3600).ok());
  clock_.Advance(absl::Hours(1) + absl::Minutes(2));
  s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_NE(s.message().find("wait 3s more"), std::string::npos) << s;
  clock_.Advance(absl::Seconds(3));

  auto after2 = manager_->Rollover(kAdmin, dnssec::RolloverStage::kZskStage2,
                                   kEc, kZone, false);
  ASSERT_TRUE(after2.ok()) << after2.status();
  ASSERT_EQ(after2->size(), 3u);
  EXPECT_EQ(Find(*after2, old_zsk), nullptr);
  EXPECT_EQ(Describe(*Find(*after2, next_zsk)), "ZSK active");
  const KeyView* fresh = nullptr;
  for (const KeyView& key : *after2) {
    if (key.key_tag != ksk && key.key_tag != next_zsk) fresh = &key;
  }
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(Describe(*fresh), "ZSK published");
  EXPECT_EQ(fresh->bits, 256);
  EXPECT_EQ(fresh->algorithm, kEc);

  std::vector<KeyView> all = List(true);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(Describe(*Find(all, old_zsk)), "ZSK published R deleted");
  EXPECT_EQ(Describe(all.back()), "ZSK published R deleted");

  const AuditEntry audit = LastAudit();
  EXPECT_EQ(audit.command, "rollover zsk-stage2 ECDSAP256SHA256");
  EXPECT_EQ(audit.result, "ok");
  EXPECT_EQ(audit.key_tags, absl::StrCat(old_zsk, ",", fresh->key_tag));

  // The cycle can run again.
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
}

TEST_F(KeyManagerTest, FullKskCycle) {
  std::vector<KeyView> keys = CreateBoth();
  const uint16_t old_ksk = keys[0].key_tag;
  auto after1 = manager_->Rollover(kAdmin, dnssec::RolloverStage::kKskStage1,
                                   kEc, kZone, false);
  ASSERT_TRUE(after1.ok()) << after1.status();
  ASSERT_EQ(after1->size(), 4u);
  EXPECT_EQ(Describe(*Find(*after1, old_ksk)), "KSK active R");
  uint16_t new_ksk = 0;
  for (const KeyView& key : *after1) {
    if (key.role == dnssec::KeyRole::kKsk && key.key_tag != old_ksk) {
      new_ksk = key.key_tag;
      EXPECT_EQ(Describe(key), "KSK active");
      EXPECT_EQ(key.bits, 256);
    }
  }
  ASSERT_NE(new_ksk, 0);
  EXPECT_EQ(Roll(dnssec::RolloverStage::kKskStage1).code(),
            absl::StatusCode::kFailedPrecondition);

  absl::Status s = Roll(dnssec::RolloverStage::kKskStage2);
  EXPECT_EQ(s.message(),
            "example.com. has not been signed since ksk-stage1: sign it, then "
            "wait propagation-delay 1h + its max TTL");
  ASSERT_TRUE(Signed(600).ok());
  clock_.Advance(absl::Minutes(30));
  s = Roll(dnssec::RolloverStage::kKskStage2);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StartsWith(
      s.message(), "wait 40m more (propagation-delay 1h + max TTL 600s since"))
      << s;
  clock_.Advance(absl::Minutes(40));
  auto after2 = manager_->Rollover(kAdmin, dnssec::RolloverStage::kKskStage2,
                                   kEc, kZone, false);
  ASSERT_TRUE(after2.ok()) << after2.status();
  EXPECT_EQ(
      Describe(*after2),
      (std::vector<std::string>{"KSK active", "ZSK active", "ZSK published"}));
  EXPECT_EQ((*after2)[0].key_tag, new_ksk);
  EXPECT_EQ(Describe(*Find(List(true), old_ksk)), "KSK active R deleted");
  const AuditEntry audit = LastAudit();
  EXPECT_EQ(audit.command,
            "rollover ksk-stage2 ECDSAP256SHA256 (parent DS not checked)");
  EXPECT_EQ(audit.key_tags, absl::StrCat(old_ksk));
}

class RefusingParent final : public ParentDsChecker {
 public:
  ParentDsResult Check(const std::string&,
                       const std::vector<KeyView>& keys) const override {
    return {ParentDsResult::Kind::kNotServed,
            absl::StrCat("no DS for key ", keys.empty() ? 0 : keys[0].key_tag)};
  }
};

TEST_F(KeyManagerTest, KskStage2AsksTheParentUnlessForced) {
  options_.parent_ds_checker = std::make_shared<RefusingParent>();
  Reopen();
  CreateBoth();
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  ASSERT_TRUE(Signed(0).ok());
  clock_.Advance(absl::Hours(2));
  absl::Status s = Roll(dnssec::RolloverStage::kKskStage2);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("does not serve the new DS yet: no DS for key"),
            std::string::npos)
      << s;
  EXPECT_TRUE(Roll(dnssec::RolloverStage::kKskStage2, /*force=*/true).ok());
}

TEST_F(KeyManagerTest, ForceSkipsTheWaitAndIsAudited) {
  CreateBoth();
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  EXPECT_FALSE(Roll(dnssec::RolloverStage::kZskStage2).ok());
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage2, /*force=*/true).ok());
  AuditEntry audit = LastAudit();
  EXPECT_EQ(audit.command, "rollover zsk-stage2 ECDSAP256SHA256 --force");
  EXPECT_EQ(audit.result, "ok");
  EXPECT_EQ(List().size(), 3u);
  EXPECT_EQ(List(true).size(), 4u);

  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage2, /*force=*/true).ok());
  audit = LastAudit();
  EXPECT_EQ(audit.command,
            "rollover ksk-stage2 ECDSAP256SHA256 --force (parent DS not "
            "checked (forced))");
}

TEST_F(KeyManagerTest, DeleteUndeleteAndDeleteZone) {
  std::vector<KeyView> keys = CreateBoth();
  const uint16_t zsk = keys[2].key_tag;
  auto deleted = manager_->DeleteKey(kAdmin, kZone, kEc, zsk, false);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  ASSERT_EQ(deleted->size(), 1u);
  EXPECT_EQ(Describe((*deleted)[0]), "ZSK published deleted");
  EXPECT_EQ(List().size(), 2u);
  EXPECT_EQ(Describe(*Find(List(true), zsk)), "ZSK published deleted");
  EXPECT_EQ(LastAudit().command, "delete_id ECDSAP256SHA256");
  EXPECT_EQ(LastAudit().key_tags, absl::StrCat(zsk));

  EXPECT_EQ(manager_->DeleteKey(kAdmin, kZone, kEc, zsk, false).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Without its published ZSK, a ZSK rollover cannot start.
  EXPECT_EQ(Roll(dnssec::RolloverStage::kZskStage1).code(),
            absl::StatusCode::kFailedPrecondition);

  auto back = manager_->UndeleteKey(kAdmin, kZone, kEc, zsk);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(Describe(*back), "ZSK published");
  EXPECT_EQ(List().size(), 3u);
  EXPECT_EQ(manager_->UndeleteKey(kAdmin, kZone, kEc, zsk).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());

  auto gone = manager_->DeleteZone(kAdmin, "EXAMPLE.com", true);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(gone->size(), 3u);
  EXPECT_TRUE(List().empty());
  EXPECT_EQ(List(true).size(), 3u);
  EXPECT_EQ(LastAudit().command, "delete_name --force");
  EXPECT_EQ(manager_->DeleteZone(kAdmin, kZone, true).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_->LoadZoneKeys(kZone).status().code(),
            absl::StatusCode::kNotFound);

  // The bin keeps the tags: undelete brings a key back in its state, but
  // without its (R) mark (the rollover it was part of is over).
  auto r = manager_->UndeleteKey(kAdmin, kZone, kEc, keys[1].key_tag);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Describe(*r), "ZSK published");
  for (const KeyView& key : List()) EXPECT_FALSE(key.rollover);
}

TEST_F(KeyManagerTest, LastActiveKeyOfAnAlgorithmIsRemovedOnlyWithForce) {
  std::vector<KeyView> keys = CreateBoth();
  const uint16_t ksk = keys[0].key_tag;
  const uint16_t zsk = keys[1].key_tag;
  // Another algorithm's keys do not count: the limit is per algorithm.
  ASSERT_TRUE(manager_
                  ->CreateKeys(kAdmin, dnssec::CreateWhat::kBoth,
                               dnssec::Algorithm::kEd25519, std::nullopt, kZone)
                  .ok());
  const std::string before = Snapshot(List(true));

  absl::Status s = manager_->DeleteKey(kAdmin, kZone, kEc, ksk, false).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            absl::StrCat("example.com.: key ", ksk,
                         " is the only active KSK (ECDSAP256SHA256); deleting "
                         "it leaves the zone unsigned; add --force to do it "
                         "anyway"));
  EXPECT_EQ(LastAudit().result, s.message());
  s = manager_->DeleteKey(kAdmin, kZone, kEc, zsk, false).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.message(), "is the only active ZSK")) << s;
  s = manager_->DeleteZone(kAdmin, kZone, false).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(
      s.message(), "deleting all of the zone's keys leaves the zone unsigned"))
      << s;
  EXPECT_EQ(Snapshot(List(true)), before);

  // A published key is never the last active one.
  EXPECT_TRUE(
      manager_->DeleteKey(kAdmin, kZone, kEc, keys[2].key_tag, false).ok());
  auto forced = manager_->DeleteKey(kAdmin, kZone, kEc, ksk, true);
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_EQ(LastAudit().command, "delete_id ECDSAP256SHA256 --force");
  EXPECT_EQ(LastAudit().result, "ok");
}

TEST_F(KeyManagerTest, KskStage2ThatLeavesNoActiveKskNeedsForce) {
  CreateBoth();
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  uint16_t fresh = 0;
  for (const KeyView& key : List()) {
    if (key.role == dnssec::KeyRole::kKsk && !key.rollover) {
      fresh = key.key_tag;
    }
  }
  // The old KSK (R) is still active, so the new one may go without --force.
  ASSERT_TRUE(manager_->DeleteKey(kAdmin, kZone, kEc, fresh, false).ok());
  ASSERT_TRUE(Signed().ok());
  clock_.Advance(absl::Hours(3));
  absl::Status s = Roll(dnssec::RolloverStage::kKskStage2);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.message(), "is the only active KSK"));
  EXPECT_TRUE(absl::StrContains(s.message(), "rolling it away (ksk-stage2)"));
  EXPECT_TRUE(absl::StrContains(s.message(), "add --force")) << s;
  EXPECT_TRUE(Roll(dnssec::RolloverStage::kKskStage2, true).ok());
  EXPECT_TRUE(absl::StrContains(LastAudit().command, "--force"));
}

TEST_F(KeyManagerTest, ErrorCases) {
  CreateBoth();
  absl::Status s = manager_
                       ->Rollover(kAdmin, dnssec::RolloverStage::kZskStage1,
                                  kEc, "nope.example", false)
                       .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no zone nope.example. in the key store");
  EXPECT_EQ(manager_->ListKeys("nope.example", false).status().code(),
            absl::StatusCode::kNotFound);

  s = manager_->DeleteKey(kAdmin, kZone, kEc, 1, false).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no key 1 (ECDSAP256SHA256) in example.com.");
  EXPECT_EQ(manager_->UndeleteKey(kAdmin, kZone, kEc, 1).status().code(),
            absl::StatusCode::kNotFound);

  s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "no ZSK of ECDSAP256SHA256 in rollover for example.com.: run "
            "zsk-stage1 first");
  s = Roll(dnssec::RolloverStage::kKskStage2, /*force=*/true);
  EXPECT_EQ(s.message(),
            "no KSK of ECDSAP256SHA256 in rollover for example.com.: run "
            "ksk-stage1 first");
  // Keys of another algorithm do not count.
  EXPECT_EQ(manager_
                ->Rollover(kAdmin, dnssec::RolloverStage::kZskStage1,
                           dnssec::Algorithm::kEd25519, kZone, false)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);

  for (const std::string& bad :
       {std::string(64, 'a') + ".com", std::string("a..b"), std::string(""),
        std::string("..")}) {
    EXPECT_EQ(manager_
                  ->CreateKeys(kAdmin, dnssec::CreateWhat::kBoth, kEc,
                               std::nullopt, bad)
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument)
        << "'" << bad << "'";
  }
  EXPECT_EQ(manager_
                ->CreateKeys(kAdmin, dnssec::CreateWhat::kZsk,
                             dnssec::Algorithm::kRsaSha256, std::nullopt, kZone)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(manager_
                ->CreateKeys(kAdmin, dnssec::CreateWhat::kZsk,
                             dnssec::Algorithm::kRsaSha256, 512, kZone)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  s = manager_
          ->CreateKeys(kAdmin, dnssec::CreateWhat::kZsk,
                       dnssec::Algorithm::kRsaSha1, 1024, kZone)
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "RSASHA1 is accepted for imported keys only");
  EXPECT_EQ(manager_
                ->RecordZoneSigned("signer", "nope.example",
                                   SignedZone{{1}, {}, 60, 1})
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(KeyManagerTest, FailedCallsChangeNothingAndAreAudited) {
  CreateBoth();
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  const std::string before = Snapshot(List(true));
  auto audit_before = manager_->Audit("", 1000);
  ASSERT_TRUE(audit_before.ok());
  clock_.Advance(absl::Minutes(1));

  EXPECT_FALSE(Roll(dnssec::RolloverStage::kZskStage2).ok());  // not signed
  EXPECT_FALSE(
      Roll(dnssec::RolloverStage::kZskStage1).ok());  // already rolling
  EXPECT_FALSE(Roll(dnssec::RolloverStage::kKskStage2).ok());  // nothing in R
  EXPECT_FALSE(manager_->DeleteKey(kAdmin, kZone, kEc, 1, false).ok());
  EXPECT_FALSE(manager_
                   ->CreateKeys(kAdmin, dnssec::CreateWhat::kBoth, kEc,
                                std::nullopt, kZone)
                   .ok());
  EXPECT_FALSE(manager_
                   ->CreateKeys(kAdmin, dnssec::CreateWhat::kBoth, kEc,
                                std::nullopt, "a..b")
                   .ok());
  EXPECT_FALSE(manager_->DeleteZone(kAdmin, "other.example", false).ok());

  EXPECT_EQ(Snapshot(List(true)), before);
  auto audit = manager_->Audit("", 1000);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), audit_before->size() + 7);
  for (int i = 0; i < 7; ++i) {
    EXPECT_NE((*audit)[i].result, "ok");
    EXPECT_EQ((*audit)[i].identity, kAdmin);
    EXPECT_EQ((*audit)[i].time, clock_.Now());
  }
  EXPECT_EQ((*audit)[0].zone, "other.example.");
  EXPECT_EQ((*audit)[0].result, "no zone other.example. in the key store");
  EXPECT_EQ((*audit)[1].zone, "a..b");
  EXPECT_EQ((*audit)[6].command, "rollover zsk-stage2 ECDSAP256SHA256");
  auto per_zone = manager_->Audit(kZone, 2);
  ASSERT_TRUE(per_zone.ok());
  ASSERT_EQ(per_zone->size(), 2u);
  EXPECT_EQ((*per_zone)[0].command, "create both ECDSAP256SHA256");
}

TEST_F(KeyManagerTest, LoadZoneKeysSignsWithActiveKeysOnly) {
  std::vector<KeyView> created = CreateBoth();
  auto keys = manager_->LoadZoneKeys("example.COM");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 3u);
  const std::vector<uint8_t> data = {0, 1, 2, 3, 4};
  for (size_t i = 0; i < keys->size(); ++i) {
    const dnssec::ZoneKey& key = (*keys)[i];
    EXPECT_EQ(key.key_tag, created[i].key_tag);
    EXPECT_EQ(key.dnskey_rdata, created[i].dnskey_rdata);
    EXPECT_EQ(key.flags, key.role == dnssec::KeyRole::kKsk ? 257 : 256);
    if (key.state == dnssec::KeyState::kActive) {
      ASSERT_NE(key.signer, nullptr);
      auto signature = key.signer->Sign(data);
      ASSERT_TRUE(signature.ok()) << signature.status();
      EXPECT_EQ(signature->size(), 64u);
    } else {
      EXPECT_EQ(key.signer, nullptr);
    }
  }
  EXPECT_EQ(manager_->LoadZoneKeys("nope.example").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_->LoadZoneKeys("a..b").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(KeyManagerTest, ReopenKeepsKeysAndTheyStillSign) {
  const std::vector<KeyView> created = CreateBoth();
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  const std::string before = Snapshot(List(true));
  Reopen();
  EXPECT_EQ(Snapshot(List(true)), before);
  auto keys = manager_->LoadZoneKeys(kZone);
  ASSERT_TRUE(keys.ok()) << keys.status();
  int signers = 0;
  for (const dnssec::ZoneKey& key : *keys) {
    if (key.signer == nullptr) continue;
    ++signers;
    EXPECT_TRUE(key.signer->Sign({1, 2, 3}).ok());
  }
  EXPECT_EQ(signers, 2);
  struct stat st;
  ASSERT_EQ(::stat(options_.state_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
}

// keystored killed during its first start, between the master key's temp
// file and its rename: the next start makes the key again and leaves no file
// with key bytes behind; the keys it then makes still open after a reopen.
TEST_F(KeyManagerTest, OpenRemovesMasterKeyTempFilesAKillLeft) {
  manager_.reset();
  const std::string dir = FreshDir("km_first_start_killed");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  const std::string stale = dir + "/master.key.tmp.Ab12Cd";
  std::ofstream(stale) << std::string(32, 'k');
  const std::string rotation = dir + "/master.key.new.tmp.Ef34Gh";
  std::ofstream(rotation) << std::string(32, 'k');
  struct stat st;
  ASSERT_EQ(::lstat(stale.c_str(), &st), 0);
  ASSERT_EQ(::lstat(rotation.c_str(), &st), 0);
  options_.state_dir = dir;
  Reopen();
  EXPECT_NE(::lstat(stale.c_str(), &st), 0) << stale << " is still there";
  EXPECT_NE(::lstat(rotation.c_str(), &st), 0) << rotation;
  EXPECT_EQ(::lstat((dir + "/master.key").c_str(), &st), 0);
  CreateBoth();
  Reopen();
  EXPECT_EQ(List().size(), 3u);
  EXPECT_TRUE(manager_->LoadZoneKeys(kZone).ok());
}

TEST_F(KeyManagerTest, TwoManagersOnOneDatabaseRollOnce) {
  CreateBoth();
  auto second = KeyManager::Open(options_);
  ASSERT_TRUE(second.ok()) << second.status();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (KeyManager* m :
       {manager_.get(), second->get(), manager_.get(), second->get()}) {
    threads.emplace_back([m, &ok] {
      if (m->Rollover(kAdmin, dnssec::RolloverStage::kZskStage1, kEc, kZone,
                      false)
              .ok()) {
        ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(Describe(List()),
            (std::vector<std::string>{"KSK active", "ZSK active",
                                      "ZSK published R"}));
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
