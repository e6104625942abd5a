// VerifyZone on a zone with enough signatures by one ECDSA key for its table
// to be built and its signatures to be verified in batches: corruptions must
// be reported with the same texts, and the first one in zone order must win,
// as when every RRSIG was checked on its own.
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "signer/zone_signer.h"
#include "signer/zone_verifier.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr int64_t kNow = 1800000000;
constexpr int kDelegations = 800;  // 1,600 signatures by the ZSK

class ZoneVerifierBatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
    ASSERT_TRUE(keys.ok()) << keys.status();
    std::string zone =
        "$ORIGIN example.\n$TTL 3600\n"
        "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
        "@ IN NS ns1\nns1 IN A 192.0.2.1\n";
    for (int i = 0; i < kDelegations; ++i) {
      absl::StrAppend(&zone, "d", i, " IN NS ns.host.test.\nd", i,
                      " IN DS 12345 13 2 ", std::string(64, 'A' + i % 6), "\n");
    }
    SignOptions options;
    options.origin = "example.";
    options.now = kNow;
    signed_ = new std::string;
    auto report = SignZone(zone, "batch.zone", *keys, options, signed_);
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->verified);
    signatures_ = report->signatures;
    earliest_ = report->earliest_expiration;
    for (const dnssec::ZoneKey& key : *keys) {
      if (key.role == dnssec::KeyRole::kZsk &&
          key.state == dnssec::KeyState::kActive) {
        zsk_tag_ = key.key_tag;
      }
      if (key.role == dnssec::KeyRole::kKsk) ksk_tag_ = key.key_tag;
    }
  }
  static void TearDownTestSuite() { delete signed_; }

  // The signed zone with `edit` applied to the fields of the RRSIG records
  // over `type` at `owner`, by key `tag` if given (fields: owner, TTL, IN,
  // RRSIG, covered type, algorithm, labels, original TTL, expiration,
  // inception, key tag, signer, signature).
  static std::string Edit(
      std::string text, const std::string& owner, const std::string& type,
      const std::function<void(std::vector<std::string>*)>& edit,
      int tag = -1) {
    std::vector<std::string> lines = absl::StrSplit(text, '\n');
    bool found = false;
    for (std::string& line : lines) {
      std::vector<std::string> fields =
          absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
      if (fields.size() == 13 && fields[0] == owner && fields[3] == "RRSIG" &&
          fields[4] == type && (tag < 0 || fields[10] == absl::StrCat(tag))) {
        edit(&fields);
        line = absl::StrJoin(fields, " ");
        found = true;
      }
    }
    EXPECT_TRUE(found) << owner << " " << type;
    return absl::StrJoin(lines, "\n");
  }
  // Changes one character of the base64 signature: some bits of r.
  static void CorruptSignature(std::vector<std::string>* fields) {
    std::string& sig = (*fields)[12];
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
  }
  static void WrongOriginalTtl(std::vector<std::string>* fields) {
    (*fields)[7] = "3601";
  }
  static void UnknownKey(std::vector<std::string>* fields) {
    (*fields)[10] = "1";
  }

  static std::string Error(const std::string& text, int threads) {
    auto report = VerifySignedZone(text, "example.", kNow, threads);
    if (report.ok()) return "verified";
    return std::string(report.status().message());
  }

  static std::string* signed_;
  static size_t signatures_;
  static int64_t earliest_;
  static uint16_t zsk_tag_;
  static uint16_t ksk_tag_;
};
std::string* ZoneVerifierBatchTest::signed_ = nullptr;
size_t ZoneVerifierBatchTest::signatures_ = 0;
int64_t ZoneVerifierBatchTest::earliest_ = 0;
uint16_t ZoneVerifierBatchTest::zsk_tag_ = 0;
uint16_t ZoneVerifierBatchTest::ksk_tag_ = 0;

TEST_F(ZoneVerifierBatchTest, CleanZoneVerifies) {
  for (int threads : {1, 2}) {
    auto report = VerifySignedZone(*signed_, "example.", kNow, threads);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->signatures_checked, signatures_);
    EXPECT_GT(report->signatures_checked, 2u * kDelegations);
    EXPECT_EQ(report->earliest_expiration, earliest_);
  }
}

TEST_F(ZoneVerifierBatchTest, BadSignatureLateInTheZone) {
  const std::string text =
      Edit(*signed_, "d799.example.", "DS", CorruptSignature);
  for (int threads : {1, 2}) {
    EXPECT_EQ(Error(text, threads),
              absl::StrCat("bad RRSIG for d799.example./DS by key ", zsk_tag_));
  }
}

TEST_F(ZoneVerifierBatchTest, BadKskSignatureOverTheDnskeySet) {
  const std::string text =
      Edit(*signed_, "example.", "DNSKEY", CorruptSignature, ksk_tag_);
  EXPECT_EQ(Error(text, 2),
            absl::StrCat("bad RRSIG for example./DNSKEY by key ", ksk_tag_));
}

TEST_F(ZoneVerifierBatchTest, FirstErrorInZoneOrderWins) {
  // Canonical order: d300 < d301 < d302, neighbours in one block of RRsets.
  const std::string bad_then_cheap =
      Edit(Edit(*signed_, "d300.example.", "DS", CorruptSignature),
           "d301.example.", "DS", WrongOriginalTtl);
  const std::string cheap_then_bad =
      Edit(Edit(*signed_, "d300.example.", "DS", WrongOriginalTtl),
           "d301.example.", "DS", CorruptSignature);
  // Far apart (other blocks): an unknown key late, a bad signature early.
  const std::string early_bad_late_unknown =
      Edit(Edit(*signed_, "d700.example.", "DS", UnknownKey), "d100.example.",
           "DS", CorruptSignature);
  for (int threads : {1, 2}) {
    EXPECT_EQ(Error(bad_then_cheap, threads),
              absl::StrCat("bad RRSIG for d300.example./DS by key ", zsk_tag_));
    EXPECT_EQ(Error(cheap_then_bad, threads),
              "RRSIG for d300.example./DS has original TTL 3601, RRset TTL "
              "is 3600");
    EXPECT_EQ(Error(early_bad_late_unknown, threads),
              absl::StrCat("bad RRSIG for d100.example./DS by key ", zsk_tag_));
  }
  EXPECT_EQ(Error(Edit(*signed_, "d700.example.", "DS", UnknownKey), 2),
            "RRSIG for d700.example./DS by key 1 (algorithm 13) which is not "
            "in the DNSKEY RRset");
}

TEST_F(ZoneVerifierBatchTest, WithinAnRRsetTheFirstFailingRrsigWins) {
  // A second RRSIG over d300/DS, after the first (its original TTL sorts it
  // there too) and failing a cheap check.
  std::string second;
  Edit(*signed_, "d300.example.", "DS", [&](std::vector<std::string>* fields) {
    WrongOriginalTtl(fields);
    second = absl::StrJoin(*fields, " ");
  });
  const std::string two_sigs = absl::StrCat(*signed_, "\n", second, "\n");
  const std::string ttl_error =
      "RRSIG for d300.example./DS has original TTL 3601, RRset TTL is 3600";
  EXPECT_EQ(Error(two_sigs, 2), ttl_error);
  // With the first one's signature corrupted, that one is the error.
  const std::string bad_first =
      Edit(*signed_, "d300.example.", "DS", CorruptSignature);
  EXPECT_EQ(Error(absl::StrCat(bad_first, "\n", second, "\n"), 2),
            absl::StrCat("bad RRSIG for d300.example./DS by key ", zsk_tag_));
}

TEST_F(ZoneVerifierBatchTest, EveryCorruptedSignatureOfABlockIsCaught) {
  // One at a time, neighbours of many positions in the same blocks as
  // valid signatures: each alone must fail the zone.
  for (int i = 0; i < kDelegations; i += 97) {
    const std::string owner = absl::StrCat("d", i, ".example.");
    EXPECT_EQ(Error(Edit(*signed_, owner, "DS", CorruptSignature), 2),
              absl::StrCat("bad RRSIG for ", owner, "/DS by key ", zsk_tag_));
    EXPECT_EQ(Error(Edit(*signed_, owner, "NSEC", CorruptSignature), 2),
              absl::StrCat("bad RRSIG for ", owner, "/NSEC by key ", zsk_tag_));
  }
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
