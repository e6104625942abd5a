// Stage 2 gated on DNS facts (key_manager_dns.cc), with a scripted observer
// and a fake clock: the serial the zone servers serve, the DS the parent
// agents serve and its TTL, "first seen" kept in the store, the largest TTL
// since stage 1, refusals with one line per server, --force audited with
// what was seen. tests/e2e/dns_rollover_test.cc does the same against a real
// knotd and unbound.
#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dnssec/algorithm.h"
#include "dnssec/digest_type.h"
#include "dnssec/ds.h"
#include "dnssec/key_actions.h"
#include "dnssec/name.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "keystore/clock.h"
#include "keystore/dns_observer.h"
#include "keystore/key_manager.h"
#include "keystore/test_dir.h"

namespace zonekeep {
namespace keystore {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr dnssec::Algorithm kEc = dnssec::Algorithm::kEcdsaP256Sha256;
const char kZone[] = "example.com.";
const char kAdmin[] = "unix:keymaint";

// Serves what the test sets; two zone servers and one parent agent.
class ScriptedObserver final : public DnsObserver {
 public:
  std::vector<ServerSeen> ZoneSerials(const std::string&) const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<ServerSeen> out;
    for (size_t i = 0; i < serials.size(); ++i) {
      ServerSeen s;
      s.server = absl::StrCat("192.0.2.", 53 + i, ":53");
      if (serials[i] == 0) {
        s.error = "no answer (timeout)";
      } else {
        s.answered = true;
        s.serial = serials[i];
      }
      out.push_back(s);
    }
    return out;
  }
  std::vector<ServerSeen> ParentDs(const std::string&) const override {
    std::lock_guard<std::mutex> lock(mu_);
    ServerSeen s;
    s.server = "192.0.2.1:53";
    s.answered = true;
    s.ttl = ds_ttl;
    s.rdata = ds;
    return {s};
  }
  std::vector<ServerSeen> ZoneDnskeys(const std::string&) const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<ServerSeen> out;
    for (size_t i = 0; i < dnskeys.size(); ++i) {
      ServerSeen s;
      s.server = absl::StrCat("192.0.2.", 53 + i, ":53");
      s.answered = true;
      s.ttl = dnskey_ttl;
      s.rdata = dnskeys[i];
      out.push_back(s);
    }
    return out;
  }
  // One DNSKEY RRset per zone server (RDATA wire form).
  void ServeDnskeys(std::vector<std::vector<std::string>> sets, uint32_t ttl) {
    std::lock_guard<std::mutex> lock(mu_);
    dnskeys = std::move(sets);
    dnskey_ttl = ttl;
  }
  void Serve(std::vector<uint32_t> s) {
    std::lock_guard<std::mutex> lock(mu_);
    serials = std::move(s);
  }
  void ServeDs(std::vector<std::string> d, uint32_t ttl) {
    std::lock_guard<std::mutex> lock(mu_);
    ds = std::move(d);
    ds_ttl = ttl;
  }

 private:
  mutable std::mutex mu_;
  std::vector<uint32_t> serials;  // 0: no answer
  std::vector<std::string> ds;
  uint32_t ds_ttl = 0;
  std::vector<std::vector<std::string>> dnskeys;
  uint32_t dnskey_ttl = 300;
};

std::string RdataOf(const KeyView& key) {
  return std::string(key.dnskey_rdata.begin(), key.dnskey_rdata.end());
}

std::string DsOf(const KeyView& key) {
  auto wire = dnssec::CanonicalNameWire(kZone);
  auto ds = dnssec::BuildDsRdata(
      *wire, std::string(key.dnskey_rdata.begin(), key.dnskey_rdata.end()),
      dnssec::DigestType::kSha256);
  return *ds;
}

class KeyManagerDnsTest : public ::testing::Test {
 protected:
  KeyManagerDnsTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    observer_ = std::make_shared<ScriptedObserver>();
    KeyManagerOptions options;
    options.state_dir = FreshTestDir(absl::StrCat(
        "kmdns_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    options.propagation_delay = absl::Hours(1);
    options.clock = &clock_;
    options.dns_observer = observer_;
    auto manager = KeyManager::Open(options);
    ASSERT_TRUE(manager.ok()) << manager.status();
    manager_ = *std::move(manager);
    auto keys = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kBoth, kEc,
                                     std::nullopt, kZone);
    ASSERT_TRUE(keys.ok()) << keys.status();
    ASSERT_TRUE(Sign(3600).ok());
    // Both zone servers serve the keys, long enough for a stage 1.
    ServeAllDnskeys();
    ASSERT_TRUE(manager_->CheckPendingRollovers().ok());
    clock_.Advance(absl::Hours(2));
  }

  // Both zone servers serve the DNSKEY of every live key.
  void ServeAllDnskeys(uint32_t ttl = 300) {
    std::vector<std::string> set;
    for (const KeyView& key : Keys()) set.push_back(RdataOf(key));
    observer_->ServeDnskeys({set, set}, ttl);
  }

  // The active tags of the keys as they are now (what LoadZoneKeys gives).
  std::vector<uint16_t> ActiveTags() {
    std::vector<uint16_t> tags;
    for (const KeyView& key : Keys()) {
      if (key.state == dnssec::KeyState::kActive) tags.push_back(key.key_tag);
    }
    return tags;
  }
  absl::Status Sign(uint32_t max_ttl) {
    return SignWith(ActiveTags(), max_ttl);
  }
  absl::Status SignWith(const std::vector<uint16_t>& active, uint32_t max_ttl) {
    std::vector<uint16_t> tags;
    for (const KeyView& key : Keys()) tags.push_back(key.key_tag);
    return manager_->RecordZoneSigned(
        "signer", kZone, SignedZone{tags, active, max_ttl, ++serial_});
  }
  std::vector<KeyView> Keys() {
    auto keys = manager_->ListKeys(kZone, false);
    return keys.ok() ? *keys : std::vector<KeyView>();
  }
  std::vector<KeyView> Ksks(bool rollover) {
    std::vector<KeyView> out;
    for (const KeyView& key : Keys()) {
      if (key.role == dnssec::KeyRole::kKsk && key.rollover == rollover) {
        out.push_back(key);
      }
    }
    return out;
  }
  absl::Status Roll(dnssec::RolloverStage stage, bool force = false) {
    return manager_->Rollover(kAdmin, stage, kEc, kZone, force).status();
  }

  FakeClock clock_;
  std::shared_ptr<ScriptedObserver> observer_;
  std::unique_ptr<KeyManager> manager_;
  uint32_t serial_ = 100;
};

TEST_F(KeyManagerDnsTest, ZskStage2WaitsForEveryZoneServerThenTheMaxTtl) {
  observer_->Serve({serial_, serial_});
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  absl::Status s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_THAT(s.message(), HasSubstr("has not been signed since zsk-stage1"));

  ASSERT_TRUE(Sign(3600).ok());  // serial 102: the one to wait for
  clock_.Advance(absl::Hours(5));
  observer_->Serve({serial_, 0});
  s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("not every zone server"));
  EXPECT_THAT(s.message(),
              HasSubstr("\n  192.0.2.53:53: serves serial 102; waiting for "
                        "the other servers"));
  EXPECT_THAT(s.message(),
              HasSubstr("\n  192.0.2.54:53: no answer (timeout); not yet"));
  observer_->Serve({serial_, serial_ - 1});
  s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_THAT(s.message(),
              HasSubstr("192.0.2.54:53: serves serial 101 (needs >= 102)"));

  // A later signing at a small TTL does not shorten the wait: 3600 s stays.
  ASSERT_TRUE(Sign(2).ok());
  observer_->Serve({serial_, serial_});
  ASSERT_TRUE(manager_->CheckPendingRollovers().ok());  // first seen: now
  clock_.Advance(absl::Hours(1) + absl::Seconds(10));
  s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_THAT(s.message(), HasSubstr("max TTL 3600s"));
  EXPECT_THAT(s.message(), HasSubstr("wait 59m50s more"));
  EXPECT_THAT(s.message(), HasSubstr("192.0.2.53:53: serves serial 103; "
                                     "59m50s left"));
  auto status = manager_->Status(kZone);
  ASSERT_TRUE(status.ok()) << status.status();
  ASSERT_EQ(status->size(), 1u);
  EXPECT_TRUE((*status)[0].rollover_under_way);
  EXPECT_THAT((*status)[0].next_steps[0],
              HasSubstr("zsk-stage2 ECDSAP256SHA256: waiting: wait 59m50s"));
  clock_.Advance(absl::Minutes(60));
  EXPECT_TRUE(Roll(dnssec::RolloverStage::kZskStage2).ok());
}

TEST_F(KeyManagerDnsTest, KskStage2WaitsForTheNewDsThenTheOldDsTtl) {
  const KeyView old_ksk = Ksks(false).at(0);
  observer_->ServeDs({DsOf(old_ksk)}, 86400);
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  ASSERT_TRUE(manager_->CheckPendingRollovers().ok());  // sees DS TTL 86400
  ASSERT_TRUE(Sign(3600).ok());
  // Every TTL long past, no new DS at the parent: refused.
  clock_.Advance(absl::Hours(100));
  absl::Status s = Roll(dnssec::RolloverStage::kKskStage2);
  EXPECT_THAT(s.message(), HasSubstr("does not serve a DS for the new KSK"));
  EXPECT_THAT(s.message(), HasSubstr(absl::StrCat(
                               "\n  192.0.2.1:53: serves DS ", old_ksk.key_tag,
                               " (TTL 86400), none for "
                               "KSK ")));
  // The parent publishes the new DS, now with a TTL of 60: the old DS's
  // TTL (86400, as the parent served it) is what caches may hold.
  const KeyView new_ksk = Ksks(false).at(0);
  observer_->ServeDs({DsOf(old_ksk), DsOf(new_ksk)}, 60);
  s = Roll(dnssec::RolloverStage::kKskStage2);
  EXPECT_THAT(s.message(), HasSubstr("wait 25h more"));
  EXPECT_THAT(s.message(), HasSubstr("DS TTL 86400s"));
  EXPECT_THAT(s.message(), HasSubstr("DNSKEY TTL 300s"));
  clock_.Advance(absl::Hours(25) - absl::Seconds(1));
  s = Roll(dnssec::RolloverStage::kKskStage2);
  EXPECT_THAT(s.message(), HasSubstr("1s left"));
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Roll(dnssec::RolloverStage::kKskStage2).ok());
  EXPECT_TRUE(Ksks(true).empty());
}

// A signing that loaded its keys before zsk-stage1 and ends after it signed
// with the old ZSK: it is not "the first zone signed after stage 1".
TEST_F(KeyManagerDnsTest, SigningThatLoadedKeysBeforeStage1DoesNotCount) {
  const std::vector<uint16_t> before = ActiveTags();
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  ASSERT_TRUE(SignWith(before, 3600).ok());
  observer_->Serve({serial_, serial_});
  clock_.Advance(absl::Hours(5));
  absl::Status s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_THAT(s.message(), HasSubstr("has not been signed since zsk-stage1"));
  auto audit = manager_->Audit(kZone, 2);
  ASSERT_TRUE(audit.ok());
  EXPECT_THAT(audit->at(1).command, HasSubstr("starts no stage-2 wait"));
  ASSERT_TRUE(Sign(3600).ok());
  s = Roll(dnssec::RolloverStage::kZskStage2);
  EXPECT_THAT(s.message(),
              HasSubstr(absl::StrCat("serves serial >= ", serial_)));
}

TEST_F(KeyManagerDnsTest, ZskStage1ActivatesTheZskPublishedLongest) {
  uint16_t old_published = 0;
  for (const KeyView& key : Keys()) {
    if (key.role == dnssec::KeyRole::kZsk &&
        key.state == dnssec::KeyState::kPublished) {
      old_published = key.key_tag;
    }
  }
  // Fresh ZSKs until one has a lower tag than the long-published one.
  clock_.Advance(absl::Hours(24));
  for (int i = 0; i < 20; ++i) {
    auto fresh = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kZsk, kEc,
                                      std::nullopt, kZone);
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    if (fresh->at(0).key_tag < old_published) break;
  }
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  for (const KeyView& key : Keys()) {
    if (key.role == dnssec::KeyRole::kZsk &&
        key.state == dnssec::KeyState::kActive) {
      EXPECT_EQ(key.key_tag, old_published);
    }
  }
}

TEST_F(KeyManagerDnsTest, ForcedStage2IsAuditedWithWhatWasSeen) {
  observer_->Serve({serial_, 0});
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage2, true).ok());
  auto audit = manager_->Audit(kZone, 1);
  ASSERT_TRUE(audit.ok());
  EXPECT_THAT(audit->at(0).command,
              HasSubstr("--force (seen: zone server "
                        "192.0.2.53:53 serial 101; zone "
                        "server 192.0.2.54:53 no answer"));
}

TEST_F(KeyManagerDnsTest, RefusalsAreAuditedOnOneLine) {
  observer_->Serve({0, 0});
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  ASSERT_TRUE(Sign(3600).ok());
  EXPECT_FALSE(Roll(dnssec::RolloverStage::kZskStage2).ok());
  auto audit = manager_->Audit(kZone, 1);
  ASSERT_TRUE(audit.ok());
  EXPECT_THAT(audit->at(0).result, HasSubstr(" |   192.0.2.53:53: no answer"));
  EXPECT_THAT(audit->at(0).result, Not(HasSubstr("\n")));
}

// --- stage 1, CDS, KeyTrap, undo, expire, purge (issue 15, second part) ----

class KeyManagerStage1Test : public KeyManagerDnsTest {
 protected:
  std::vector<KeyView> Of(dnssec::KeyRole role, dnssec::KeyState state) {
    std::vector<KeyView> out;
    for (const KeyView& key : Keys()) {
      if (key.role == role && key.state == state) out.push_back(key);
    }
    return out;
  }
  // The DNSKEY set without `missing` at the second zone server.
  void ServeAllBut(uint16_t missing) {
    std::vector<std::string> all, some;
    for (const KeyView& key : Keys()) {
      all.push_back(RdataOf(key));
      if (key.key_tag != missing) some.push_back(RdataOf(key));
    }
    observer_->ServeDnskeys({all, some}, 300);
  }
};

TEST_F(KeyManagerStage1Test, ZskStage1WaitsUntilTheNewZskIsServedLongEnough) {
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage2, true).ok());
  const uint16_t fresh =
      Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kPublished).at(0).key_tag;
  // Created 0 s ago and not served by the second zone server.
  ServeAllBut(fresh);
  absl::Status s = Roll(dnssec::RolloverStage::kZskStage1);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(),
              HasSubstr(absl::StrCat("not every zone server of example.com. "
                                     "serves the DNSKEY of ZSK ",
                                     fresh)));
  EXPECT_THAT(s.message(),
              HasSubstr(absl::StrCat("  192.0.2.54:53: serves 2 DNSKEY, not "
                                     "that of ",
                                     fresh, " (TTL 300); not yet")));
  EXPECT_THAT(s.message(), HasSubstr("  192.0.2.53:53: serves the DNSKEY"));
  // Served everywhere now: propagation-delay 1h + DNSKEY TTL 300 s to go.
  ServeAllDnskeys();
  s = Roll(dnssec::RolloverStage::kZskStage1);
  EXPECT_THAT(s.message(), HasSubstr("wait 1h5m more"));
  EXPECT_THAT(s.message(), HasSubstr("DNSKEY TTL 300s"));
  clock_.Advance(absl::Minutes(64));
  s = Roll(dnssec::RolloverStage::kZskStage1);
  EXPECT_THAT(s.message(), HasSubstr("1m left"));
  EXPECT_EQ(Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kPublished).size(), 1u)
      << "a refused stage 1 changes nothing";
  auto status = manager_->Status(kZone);
  ASSERT_TRUE(status.ok());
  EXPECT_THAT(absl::StrJoin(status->at(0).next_steps, "\n"),
              HasSubstr("zsk-stage1 ECDSAP256SHA256: waiting: wait 1m more"));
  clock_.Advance(absl::Minutes(1));
  status = manager_->Status(kZone);
  EXPECT_THAT(absl::StrJoin(status->at(0).next_steps, "\n"),
              HasSubstr(absl::StrCat("zsk-stage1 ECDSAP256SHA256: ready "
                                     "(activates ZSK ",
                                     fresh)));
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  EXPECT_EQ(Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kActive).at(0).key_tag,
            fresh);
}

TEST_F(KeyManagerStage1Test, ForcedStage1IsAuditedWithWhatWasSeen) {
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage2, true).ok());
  ASSERT_FALSE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1, true).ok());
  auto audit = manager_->Audit(kZone, 1);
  ASSERT_TRUE(audit.ok());
  EXPECT_THAT(audit->at(0).command,
              HasSubstr("rollover zsk-stage1 ECDSAP256SHA256 --force (seen: "
                        "zone server 192.0.2.53:53 3 DNSKEY TTL 300; zone "
                        "server 192.0.2.54:53 3 DNSKEY TTL 300)"));
}

TEST_F(KeyManagerStage1Test, KskStage1PromotesAPublishedKskOnceServed) {
  auto made = manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kKsk, kEc,
                                   std::nullopt, kZone);
  ASSERT_TRUE(made.ok()) << made.status();
  const uint16_t pre = made->at(0).key_tag;
  EXPECT_EQ(made->at(0).state, dnssec::KeyState::kPublished);
  ServeAllDnskeys();
  absl::Status s = Roll(dnssec::RolloverStage::kKskStage1);
  EXPECT_THAT(s.message(), HasSubstr("wait 1h5m more"));
  clock_.Advance(absl::Minutes(65));
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  // No new key: the published one is the new active KSK.
  std::vector<KeyView> ksks = Ksks(false);
  ASSERT_EQ(ksks.size(), 1u);
  EXPECT_EQ(ksks[0].key_tag, pre);
  EXPECT_EQ(ksks[0].state, dnssec::KeyState::kActive);
  EXPECT_EQ(Ksks(true).size(), 1u);
}

// One rule for parentdata and CDS: the new KSK only once its DNSKEY has been
// served for propagation-delay + the DNSKEY TTL; the (R) KSK until stage 2.
TEST_F(KeyManagerStage1Test, ParentDataAndCdsNameANewKskOnlyOnceServed) {
  auto cds_tags = [&] {
    std::vector<uint16_t> tags;
    auto keys = manager_->LoadZoneKeys(kZone);
    for (const dnssec::ZoneKey& key : *keys) {
      if (key.cds) tags.push_back(key.key_tag);
    }
    return tags;
  };
  auto parent_tags = [&] {
    std::vector<uint16_t> tags;
    for (const KeyView& key : Keys()) {
      if (key.for_parent) tags.push_back(key.key_tag);
    }
    return tags;
  };
  const uint16_t old_ksk = Ksks(false).at(0).key_tag;
  EXPECT_EQ(cds_tags(), std::vector<uint16_t>{old_ksk});
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  const uint16_t new_ksk = Ksks(false).at(0).key_tag;
  ASSERT_TRUE(Sign(3600).ok());
  EXPECT_EQ(cds_tags(), std::vector<uint16_t>{old_ksk});
  EXPECT_EQ(parent_tags(), std::vector<uint16_t>{old_ksk});
  ServeAllDnskeys();
  ASSERT_TRUE(manager_->CheckPendingRollovers().ok());
  clock_.Advance(absl::Minutes(64));
  EXPECT_EQ(cds_tags(), std::vector<uint16_t>{old_ksk});
  clock_.Advance(absl::Minutes(1));
  std::vector<uint16_t> both = {old_ksk, new_ksk};
  std::sort(both.begin(), both.end());
  std::vector<uint16_t> got = cds_tags();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, both);
  got = parent_tags();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, both);
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage2, true).ok());
  EXPECT_EQ(cds_tags(), std::vector<uint16_t>{new_ksk});
  EXPECT_EQ(parent_tags(), std::vector<uint16_t>{new_ksk});
}

TEST_F(KeyManagerStage1Test, CdsDeleteUntilUndone) {
  auto choice = manager_->CdsOf(kZone);
  ASSERT_TRUE(choice.ok());
  EXPECT_FALSE(choice->delete_form);
  ASSERT_TRUE(manager_->SetCdsDelete(kAdmin, kZone, true).ok());
  EXPECT_TRUE(manager_->CdsOf(kZone)->delete_form);
  EXPECT_EQ(manager_->Audit(kZone, 1)->at(0).command, "cds-delete");
  ASSERT_TRUE(manager_->SetCdsDelete(kAdmin, kZone, false).ok());
  EXPECT_FALSE(manager_->CdsOf(kZone)->delete_form);
  EXPECT_EQ(manager_->Audit(kZone, 1)->at(0).command, "cds-delete --undo");
}

TEST_F(KeyManagerStage1Test, NoChangeLeavesMoreThanTwoActiveKsksOfAnAlgorithm) {
  const uint16_t first = Ksks(false).at(0).key_tag;
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage2, true).ok());
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  // Two active KSKs now; the first one back would make three.
  absl::StatusOr<KeyView> back =
      manager_->UndeleteKey(kAdmin, kZone, kEc, first);
  EXPECT_EQ(back.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(back.status().message(),
              HasSubstr("3 active KSKs of ECDSAP256SHA256"));
  EXPECT_THAT(back.status().message(), HasSubstr("KeyTrap"));
  EXPECT_EQ(Of(dnssec::KeyRole::kKsk, dnssec::KeyState::kActive).size(), 2u);
}

TEST_F(KeyManagerStage1Test, UndoTakesStage1Back) {
  const uint16_t old_zsk =
      Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kActive).at(0).key_tag;
  const uint16_t next_zsk =
      Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kPublished).at(0).key_tag;
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskUndo).ok());
  EXPECT_EQ(Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kActive).at(0).key_tag,
            old_zsk);
  EXPECT_EQ(
      Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kPublished).at(0).key_tag,
      next_zsk);
  for (const KeyView& key : Keys()) EXPECT_FALSE(key.rollover);
  EXPECT_THAT(Roll(dnssec::RolloverStage::kZskUndo).message(),
              HasSubstr("nothing to undo"));
  // KSK: refused while the parent no longer serves the old KSK's DS.
  const KeyView old_ksk = Ksks(false).at(0);
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  const KeyView new_ksk = Ksks(false).at(0);
  observer_->ServeDs({DsOf(new_ksk)}, 600);
  absl::Status s = Roll(dnssec::RolloverStage::kKskUndo);
  EXPECT_THAT(s.message(), HasSubstr("no longer serves a DS for KSK"));
  observer_->ServeDs({DsOf(old_ksk), DsOf(new_ksk)}, 600);
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskUndo).ok());
  ASSERT_EQ(Ksks(false).size(), 2u);
  EXPECT_EQ(Of(dnssec::KeyRole::kKsk, dnssec::KeyState::kActive).at(0).key_tag,
            old_ksk.key_tag);
  EXPECT_EQ(
      Of(dnssec::KeyRole::kKsk, dnssec::KeyState::kPublished).at(0).key_tag,
      new_ksk.key_tag);
}

TEST_F(KeyManagerStage1Test, OneRolloverOfAKindAtATime) {
  auto ed =
      manager_->CreateKeys(kAdmin, dnssec::CreateWhat::kBoth,
                           dnssec::Algorithm::kEd25519, std::nullopt, kZone);
  ASSERT_TRUE(ed.ok()) << ed.status();
  ServeAllDnskeys();
  ASSERT_TRUE(manager_->CheckPendingRollovers().ok());
  clock_.Advance(absl::Hours(2));
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  absl::Status s = manager_
                       ->Rollover(kAdmin, dnssec::RolloverStage::kZskStage1,
                                  dnssec::Algorithm::kEd25519, kZone, false)
                       .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("a ZSK rollover is already under way"));
  EXPECT_THAT(s.message(), HasSubstr("zsk-stage2 ECDSAP256SHA256"));
  // A KSK rollover is another kind.
  EXPECT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
}

TEST_F(KeyManagerStage1Test, DeleteOrExpireOfTheRolledZskWaitsLikeStage2) {
  const uint16_t old_zsk =
      Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kActive).at(0).key_tag;
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kZskStage1).ok());
  auto gone = manager_->DeleteKey(kAdmin, kZone, kEc, old_zsk, false);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(gone.status().message(), HasSubstr("is marked (R)"));
  EXPECT_THAT(gone.status().message(), HasSubstr("has not been signed"));
  gone = manager_->ExpireKey(kAdmin, kZone, kEc, old_zsk, false);
  EXPECT_THAT(gone.status().message(), HasSubstr("is marked (R)"));
  // The last active ZSK: only with --force.
  const uint16_t active =
      Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kActive).at(0).key_tag;
  gone = manager_->ExpireKey(kAdmin, kZone, kEc, active, false);
  EXPECT_THAT(gone.status().message(), HasSubstr("is the only active ZSK"));
  // An active key beside another (the new KSK after ksk-stage1): its
  // signatures may be cached, so only with --force too.
  ASSERT_TRUE(Roll(dnssec::RolloverStage::kKskStage1).ok());
  gone =
      manager_->ExpireKey(kAdmin, kZone, kEc, Ksks(false).at(0).key_tag, false);
  EXPECT_THAT(gone.status().message(), HasSubstr("is active: resolvers"));
  // Once the stage-2 wait has passed, expire goes through.
  ASSERT_TRUE(Sign(3600).ok());
  observer_->Serve({serial_, serial_});
  ASSERT_FALSE(manager_->ExpireKey(kAdmin, kZone, kEc, old_zsk, false).ok());
  clock_.Advance(absl::Hours(2));
  gone = manager_->ExpireKey(kAdmin, kZone, kEc, old_zsk, false);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_TRUE(gone->at(0).deleted);
  EXPECT_EQ(manager_->Audit(kZone, 1)->at(0).command, "expire ECDSAP256SHA256");
}

TEST_F(KeyManagerStage1Test, PurgeEmptiesTheBinOfKeysDeletedLongAgo) {
  const uint16_t spare =
      Of(dnssec::KeyRole::kZsk, dnssec::KeyState::kPublished).at(0).key_tag;
  ASSERT_TRUE(manager_->DeleteKey(kAdmin, kZone, kEc, spare, false).ok());
  absl::StatusOr<std::vector<KeyView>> purged =
      manager_->PurgeBin(kAdmin, kZone, absl::Hours(1));
  EXPECT_EQ(purged.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(purged.status().message(), HasSubstr("purge-min-age is 168h"));
  purged = manager_->PurgeBin(kAdmin, kZone, std::nullopt);
  ASSERT_TRUE(purged.ok());
  EXPECT_TRUE(purged->empty());
  clock_.Advance(absl::Hours(24 * 7));
  purged = manager_->PurgeBin(kAdmin, kZone, std::nullopt);
  ASSERT_TRUE(purged.ok()) << purged.status();
  ASSERT_EQ(purged->size(), 1u);
  EXPECT_EQ(purged->at(0).key_tag, spare);
  EXPECT_EQ(manager_->ListKeys(kZone, true)->size(), 2u);
  EXPECT_EQ(manager_->UndeleteKey(kAdmin, kZone, kEc, spare).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_->Audit(kZone, 2)->at(1).command,
            "purge --older-than 168h");
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
