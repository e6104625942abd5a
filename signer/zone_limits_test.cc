// ZoneLimits in the engine: the deep-names NSEC3 zone of issue 16 refused
// quickly with the limit named; counts checked before the work they bound.
#include "signer/zone_limits.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "signer/zone_signer.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr char kHead[] =
    "$ORIGIN example.\n$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ IN NS ns1\nns1 IN A 192.0.2.1\n";

// `names` owners of `labels` labels (example.'s own counted), each with its own
// chain of empty non-terminals (the attack's shape).
std::string DeepNamesZone(int names, int labels) {
  std::string text = kHead;
  const char kDigits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int i = 0; i < names; ++i) {
    std::string owner;
    for (int l = 0; l < labels - 4; ++l) owner += "a.";
    owner += kDigits[(i / 1296) % 36];
    owner += '.';
    owner += kDigits[(i / 36) % 36];
    owner += '.';
    owner += kDigits[i % 36];
    absl::StrAppend(&text, owner, " IN TXT \"x\"\n");
  }
  return text;
}

class ZoneLimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = new std::vector<dnssec::ZoneKey>(*std::move(keys));
  }
  static void TearDownTestSuite() { delete keys_; }
  static SignOptions Nsec3Options() {
    SignOptions o;
    o.origin = "example.";
    o.nsec3.enabled = true;
    return o;
  }
  static std::vector<dnssec::ZoneKey>* keys_;
};
std::vector<dnssec::ZoneKey>* ZoneLimitsTest::keys_ = nullptr;

TEST(NameLabelsTest, CountsLabels) {
  EXPECT_EQ(NameLabels(std::string("\0", 1)), 0);
  EXPECT_EQ(NameLabels(std::string("\3www\7example\0", 14)), 2);
}

TEST_F(ZoneLimitsTest, DeepNamesNsec3ZoneRefusedQuicklyNamingTheLimit) {
  const std::string zone = DeepNamesZone(5000, 117);
  SignOptions options = Nsec3Options();
  options.limits.max_name_labels = 40;
  const absl::Time start = absl::Now();
  std::string out;
  auto report = SignZone(zone, "deep.zone", *keys_, options, &out);
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(report.status())) << report.status();
  EXPECT_TRUE(absl::StrContains(report.status().message(), "max-name-labels"))
      << report.status();
  EXPECT_TRUE(absl::StrContains(report.status().message(), "117 labels"))
      << report.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(out.empty());
}

TEST_F(ZoneLimitsTest, SignaturesCountedFromTheModelBeforeSigning) {
  // 200 names 20 labels deep: ~3,400 NSEC3 records from empty
  // non-terminals, which a count of records alone would miss.
  const std::string zone = DeepNamesZone(200, 20);
  SignOptions options = Nsec3Options();
  options.limits.max_signatures = 2000;
  std::string out;
  auto report = SignZone(zone, "deep.zone", *keys_, options, &out);
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(report.status())) << report.status();
  EXPECT_TRUE(absl::StrContains(report.status().message(), "max-signatures"))
      << report.status();
  // The same zone under a limit it fits: the estimate is an upper bound of
  // what is made.
  options.limits.max_signatures = 10000;
  report = SignZone(zone, "deep.zone", *keys_, options, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_LE(static_cast<int64_t>(report->signatures), 10000);
  EXPECT_GT(report->signatures, 2000u);
}

TEST_F(ZoneLimitsTest, EstimateIsExactForNsecAndNsec3) {
  const std::string zone = DeepNamesZone(50, 6);
  for (bool nsec3 : {false, true}) {
    SignOptions options = Nsec3Options();
    options.nsec3.enabled = nsec3;
    std::string out;
    auto report = SignZone(zone, "deep.zone", *keys_, options, &out);
    ASSERT_TRUE(report.ok()) << report.status();
    // Just at the count: signs; one below: refused.
    options.limits.max_signatures = report->signatures;
    EXPECT_TRUE(SignZone(zone, "deep.zone", *keys_, options, &out).ok())
        << "nsec3=" << nsec3;
    options.limits.max_signatures = report->signatures - 1;
    EXPECT_TRUE(absl::IsResourceExhausted(
        SignZone(zone, "deep.zone", *keys_, options, &out).status()))
        << "nsec3=" << nsec3;
  }
}

TEST_F(ZoneLimitsTest, RecordCountRefusedNamingTheLimit) {
  SignOptions options = Nsec3Options();
  options.limits.max_records = 10;
  std::string out;
  auto report = SignZone(DeepNamesZone(20, 3), "z", *keys_, options, &out);
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(report.status()));
  EXPECT_TRUE(absl::StrContains(report.status().message(),
                                "23 records, more than 10 (max-records)"))
      << report.status();
  options.limits.max_records = 23;
  EXPECT_TRUE(SignZone(DeepNamesZone(20, 3), "z", *keys_, options, &out).ok());
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
