// RecordRefusal: refused calls collapse into one counted row per identity,
// command and reason per interval; allowed calls stay rows of their own.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "keystore/clock.h"
#include "keystore/key_manager.h"
#include "keystore/test_dir.h"

namespace zonekeep {
namespace keystore {
namespace {

const char kIntruder[] = "unix:nobody";
const char kAdmin[] = "unix:keymaint";

class AuditRefusalTest : public ::testing::Test {
 protected:
  AuditRefusalTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    options_.state_dir = FreshTestDir(
        std::string("audit_refusal_") +
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    options_.clock = &clock_;
    options_.audit_refusal_interval = absl::Seconds(60);
    auto manager = KeyManager::Open(options_);
    ASSERT_TRUE(manager.ok()) << manager.status();
    manager_ = *std::move(manager);
  }

  absl::Status Refuse(const std::string& reason = "not an admin") {
    return manager_->RecordRefusal(kIntruder, "list", "",
                                   absl::PermissionDeniedError(reason));
  }

  std::vector<AuditEntry> All() {
    auto audit = manager_->Audit("", 1000);
    EXPECT_TRUE(audit.ok()) << audit.status();
    return audit.ok() ? *audit : std::vector<AuditEntry>();
  }

  FakeClock clock_;
  KeyManagerOptions options_;
  std::unique_ptr<KeyManager> manager_;
};

TEST_F(AuditRefusalTest, TenThousandRefusalsInOneIntervalAreOneRow) {
  const absl::Time start = clock_.Now();
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(Refuse().ok());
    if (i % 1000 == 999) clock_.Advance(absl::Seconds(5));
  }
  std::vector<AuditEntry> rows = All();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].count, 10000);
  EXPECT_EQ(rows[0].identity, kIntruder);
  EXPECT_EQ(rows[0].command, "list");
  EXPECT_EQ(rows[0].result, "not an admin");
  EXPECT_EQ(rows[0].time, start);  // the first refusal of the interval
}

TEST_F(AuditRefusalTest, ANewIntervalStartsANewRow) {
  ASSERT_TRUE(Refuse().ok());
  clock_.Advance(absl::Seconds(59));
  ASSERT_TRUE(Refuse().ok());
  clock_.Advance(absl::Seconds(1));  // 60 s after the row began
  ASSERT_TRUE(Refuse().ok());
  std::vector<AuditEntry> rows = All();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].count, 1);  // newest first
  EXPECT_EQ(rows[1].count, 2);
}

TEST_F(AuditRefusalTest, AllowedCallsAreRowsOfTheirOwn) {
  ASSERT_TRUE(Refuse().ok());
  ASSERT_TRUE(
      manager_->RecordAudit(kAdmin, "list", "", "", absl::OkStatus()).ok());
  ASSERT_TRUE(
      manager_->RecordAudit(kAdmin, "list", "", "", absl::OkStatus()).ok());
  // A failed allowed call is not a refusal either.
  ASSERT_TRUE(manager_
                  ->RecordAudit(kIntruder, "list", "", "",
                                absl::PermissionDeniedError("not an admin"))
                  .ok());
  ASSERT_TRUE(Refuse().ok());
  std::vector<AuditEntry> rows = All();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3].count, 2);  // the refusals, counted in their first row
  EXPECT_EQ(rows[2].identity, kAdmin);
  EXPECT_EQ(rows[2].count, 1);
  EXPECT_EQ(rows[1].count, 1);
  EXPECT_EQ(rows[0].count, 1);
}

TEST_F(AuditRefusalTest, OtherReasonsCommandsAndIdentitiesAreOtherRows) {
  ASSERT_TRUE(Refuse("not an admin").ok());
  ASSERT_TRUE(Refuse("too many connections").ok());
  ASSERT_TRUE(manager_
                  ->RecordRefusal(kIntruder, "audit", "",
                                  absl::PermissionDeniedError("not an admin"))
                  .ok());
  ASSERT_TRUE(manager_
                  ->RecordRefusal("unix:other", "list", "",
                                  absl::PermissionDeniedError("not an admin"))
                  .ok());
  ASSERT_TRUE(Refuse("not an admin").ok());
  std::vector<AuditEntry> rows = All();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3].count, 2);
}

TEST_F(AuditRefusalTest, AnAllowedCallIsNotARefusal) {
  EXPECT_FALSE(
      manager_->RecordRefusal(kIntruder, "list", "", absl::OkStatus()).ok());
  EXPECT_TRUE(All().empty());
}

TEST_F(AuditRefusalTest, ZeroIntervalKeepsEveryRefusal) {
  options_.audit_refusal_interval = absl::ZeroDuration();
  manager_.reset();
  auto manager = KeyManager::Open(options_);
  ASSERT_TRUE(manager.ok()) << manager.status();
  manager_ = *std::move(manager);
  ASSERT_TRUE(Refuse().ok());
  ASSERT_TRUE(Refuse().ok());
  EXPECT_EQ(All().size(), 2u);
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
