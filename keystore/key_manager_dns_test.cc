// Stage 2 gated on DNS facts (key_manager_dns.cc), with a scripted observer
// and a fake clock: the serial the zone servers serve, the DS the parent
// agents serve and its TTL, "first seen" kept in the store, the largest TTL
// since stage 1, refusals with one line per server, --force audited with
// what was seen. tests/e2e/dns_rollover_test.cc does the same against a real
// knotd and unbound.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
    ServerSeen s;
    s.server = "192.0.2.53:53";
    s.answered = true;
    s.ttl = 300;
    s.rdata = {"x"};
    return {s};
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
};

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

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
