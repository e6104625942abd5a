// The engine's reuse rule (SignOptions::reuse) with real keys: an unchanged
// zone reuses every signature and comes out byte-identical; a changed TTL or
// RDATA, a key that no longer signs, a signature expiring within the
// interval are signed afresh; RRSIGs in the input are never reused; a
// recorded signature that does not verify makes self-verify refuse the zone;
// only self-verified runs are recorded. With a verified-before record
// (SignOptions::reuse_verified_before) self-verify skips the arithmetic of
// exactly the RRSIGs byte-identical to the record's entries: a changed
// signature byte, another key or an expired signature is still refused.
#include <openssl/evp.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "signer/signature_record.h"
#include "signer/zone_signer.h"
#include "signer/zone_verifier.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr int64_t kNow = 1700000000;
const std::string kOriginWire("\7example\0", 9);

constexpr char kZone[] =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
    "  IN NS ns1\n"
    "  IN MX 10 mail\n"
    "ns1 IN A 192.0.2.1\n"
    "mail IN AAAA 2001:db8::25\n"
    "*.wild IN TXT \"wildcard\"\n"
    "a.b.c IN A 192.0.2.7\n"
    "sub IN NS ns.sub\n"
    "ns.sub IN A 192.0.2.53\n"
    "sec IN NS ns.sec\n"
    "sec IN DS 12345 13 2 "
    "AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899\n"
    "ns.sec IN A 192.0.2.54\n";

// RRSIG lines of a signed zone, keyed by "owner covered-type".
std::map<std::string, std::string> Rrsigs(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string owner, ttl, cls, type, covered;
    f >> owner >> ttl >> cls >> type >> covered;
    if (type == "RRSIG") out[owner + " " + covered] = line;
  }
  return out;
}

struct SignRun {
  SignReport report;
  std::string text;
};

class IncrementalSignTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = new std::vector<dnssec::ZoneKey>(*std::move(keys));
  }
  static void TearDownTestSuite() { delete keys_; }

  static SignOptions Options() {
    SignOptions o;
    o.origin = "example.";
    o.now = kNow;
    o.record_signatures = true;
    return o;
  }

  static SignRun Sign(const std::string& zone, const SignOptions& o,
                      const std::vector<dnssec::ZoneKey>& keys = *keys_) {
    SignRun run;
    auto report = SignZone(zone, "example.zone", keys, o, &run.text);
    EXPECT_TRUE(report.ok()) << report.status();
    if (report.ok()) run.report = *std::move(report);
    return run;
  }

  static SignatureRecord RecordOf(const SignRun& run) {
    auto record =
        SignatureRecord::Parse(run.report.signature_record, kOriginWire);
    EXPECT_TRUE(record.ok()) << record.status();
    return *std::move(record);
  }

  static std::vector<dnssec::ZoneKey>* keys_;
};
std::vector<dnssec::ZoneKey>* IncrementalSignTest::keys_ = nullptr;

TEST_F(IncrementalSignTest, UnchangedZoneReusesEverySignatureByteForByte) {
  const SignRun first = Sign(kZone, Options());
  EXPECT_EQ(first.report.signatures_reused, 0u);
  EXPECT_EQ(first.report.signatures_new, first.report.signatures);
  const SignatureRecord record = RecordOf(first);
  EXPECT_EQ(record.size(), first.report.signatures);

  SignOptions o = Options();
  o.now = kNow + 3600;
  o.refresh = 86400;
  o.reuse = &record;
  const SignRun second = Sign(kZone, o);
  EXPECT_EQ(second.report.signatures_reused, first.report.signatures);
  EXPECT_EQ(second.report.signatures_new, 0u);
  EXPECT_TRUE(second.report.verified);
  EXPECT_EQ(second.text, first.text);
  // Reused signatures keep their expiration, which the report shows.
  EXPECT_EQ(second.report.earliest_expiration,
            first.report.earliest_expiration);
}

TEST_F(IncrementalSignTest, ChangedTtlOrRdataIsSignedAfresh) {
  const SignRun first = Sign(kZone, Options());
  const SignatureRecord record = RecordOf(first);
  std::string changed = absl::StrReplaceAll(
      kZone, {{"ns1 IN A 192.0.2.1", "ns1 60 IN A 192.0.2.1"},
              {"2001:db8::25", "2001:db8::26"}});
  SignOptions o = Options();
  o.refresh = 86400;
  o.reuse = &record;
  const SignRun second = Sign(changed, o);
  const auto before = Rrsigs(first.text);
  const auto after = Rrsigs(second.text);
  EXPECT_NE(after.at("ns1.example. A"), before.at("ns1.example. A"));
  EXPECT_NE(after.at("mail.example. AAAA"), before.at("mail.example. AAAA"));
  EXPECT_EQ(after.at("a.b.c.example. A"), before.at("a.b.c.example. A"));
  EXPECT_EQ(after.at("example. DNSKEY"), before.at("example. DNSKEY"));
  // Nothing else changed: the two RRsets are the only new signatures.
  EXPECT_EQ(second.report.signatures_new, 2u);
  EXPECT_EQ(second.report.signatures_reused, second.report.signatures - 2);
}

TEST_F(IncrementalSignTest, KeyNoLongerActiveIsNotReused) {
  // KSK, ZSK 1 active, ZSK 2 published; then a ZSK rollover stage 1: the
  // DNSKEY set stays the same, only the states change.
  auto z2 = dnssec::MakeTestKey(dnssec::Algorithm::kEcdsaP256Sha256,
                                dnssec::KeyRole::kZsk);
  ASSERT_TRUE(z2.ok()) << z2.status();
  std::vector<dnssec::ZoneKey> before_roll = {(*keys_)[0], (*keys_)[1], *z2};
  ASSERT_EQ(before_roll[0].role, dnssec::KeyRole::kKsk);
  ASSERT_EQ(before_roll[1].role, dnssec::KeyRole::kZsk);
  before_roll[2].state = dnssec::KeyState::kPublished;
  before_roll[2].signer = nullptr;
  std::vector<dnssec::ZoneKey> after_roll = {(*keys_)[0], (*keys_)[1], *z2};
  after_roll[1].state = dnssec::KeyState::kPublished;
  after_roll[1].rollover = true;
  after_roll[1].signer = nullptr;

  const SignRun first = Sign(kZone, Options(), before_roll);
  const SignatureRecord record = RecordOf(first);
  SignOptions o = Options();
  o.refresh = 86400;
  o.reuse = &record;
  const SignRun second = Sign(kZone, o, after_roll);
  // Only the KSK's signature over the unchanged DNSKEY set is reused.
  EXPECT_EQ(second.report.signatures_reused, 1u);
  EXPECT_EQ(Rrsigs(second.text).at("example. DNSKEY"),
            Rrsigs(first.text).at("example. DNSKEY"));
  EXPECT_EQ(second.report.zsk_tags, std::vector<uint16_t>{z2->key_tag});
  // And with the same key set, the record is reused in full: the key state
  // was what stopped it.
  const SignRun same = Sign(kZone, o, before_roll);
  EXPECT_EQ(same.report.signatures_new, 0u);
}

TEST_F(IncrementalSignTest, ExpiringWithinTheIntervalIsSignedAfresh) {
  SignOptions short_lived = Options();
  short_lived.expiration = kNow + 7200;
  const SignRun first = Sign(kZone, short_lived);
  const SignatureRecord record = RecordOf(first);
  SignOptions o = Options();
  o.reuse = &record;
  o.refresh = 7200;  // expires at now + 7200: not later, so renewed
  const SignRun renewed = Sign(kZone, o);
  EXPECT_EQ(renewed.report.signatures_reused, 0u);
  EXPECT_EQ(renewed.report.earliest_expiration, kNow + 30 * 86400);
  o.refresh = 7199;
  const SignRun kept = Sign(kZone, o);
  EXPECT_EQ(kept.report.signatures_new, 0u);
  EXPECT_EQ(kept.report.earliest_expiration, kNow + 7200);
}

TEST_F(IncrementalSignTest, InceptionInTheFutureIsNotReused) {
  const SignRun first = Sign(kZone, Options());  // inception now - 1 h
  const SignatureRecord record = RecordOf(first);
  SignOptions o = Options();
  o.now = kNow - 7200;  // the clock went back past the inception
  o.reuse = &record;
  o.refresh = 60;
  const SignRun second = Sign(kZone, o);
  EXPECT_EQ(second.report.signatures_reused, 0u);
}

TEST_F(IncrementalSignTest, RrsigsInTheInputAreNeverReused) {
  const SignRun first = Sign(kZone, Options());
  // The signed zone as input, and an empty record: nothing to reuse but
  // the input's own RRSIGs, which are dropped.
  SignatureRecordBuilder empty;
  auto none = SignatureRecord::Parse(empty.Finish(kOriginWire), kOriginWire);
  ASSERT_TRUE(none.ok());
  SignOptions o = Options();
  o.refresh = 60;
  o.reuse = &*none;
  const SignRun second = Sign(first.text, o);
  EXPECT_GE(second.report.dnssec_records_dropped, first.report.signatures);
  EXPECT_EQ(second.report.signatures_reused, 0u);
  const auto before = Rrsigs(first.text);
  for (const auto& [key, line] : Rrsigs(second.text)) {
    EXPECT_NE(line, before.at(key)) << key;
  }
}

TEST_F(IncrementalSignTest, RecordedSignatureThatDoesNotVerifyIsRefused) {
  const SignRun first = Sign(kZone, Options());
  // Flip the last byte of the last entry's signature and re-seal the file:
  // a record that passes its checksum but holds a bad signature.
  std::string bytes = first.report.signature_record;
  std::string body = bytes.substr(0, bytes.size() - 32);
  body.back() = static_cast<char>(body.back() ^ 0x01);
  unsigned char sum[32];
  unsigned int size = 0;
  EVP_Digest(body.data(), body.size(), sum, &size, EVP_sha256(), nullptr);
  auto record = SignatureRecord::Parse(
      body + std::string(reinterpret_cast<char*>(sum), 32), kOriginWire);
  ASSERT_TRUE(record.ok()) << record.status();
  SignOptions o = Options();
  o.refresh = 60;
  o.reuse = &*record;
  std::string out = "untouched";
  auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(report.status().message().find("self-verify failed"),
            std::string::npos)
      << report.status();
  EXPECT_TRUE(out.empty());
}

TEST_F(IncrementalSignTest, VerifiedBeforeRecordSkipsTheArithmeticOfReused) {
  const SignRun first = Sign(kZone, Options());
  const SignatureRecord record = RecordOf(first);
  const std::string changed =
      absl::StrReplaceAll(kZone, {{"2001:db8::25", "2001:db8::26"}});
  SignOptions o = Options();
  o.now = kNow + 3600;
  o.refresh = 86400;
  o.reuse = &record;
  const SignRun plain = Sign(changed, o);
  EXPECT_EQ(plain.report.signatures_verified_before, 0u);
  o.reuse_verified_before = true;
  const SignRun trusted = Sign(changed, o);
  EXPECT_TRUE(trusted.report.verified);
  EXPECT_GT(trusted.report.signatures_new, 0u);
  EXPECT_GT(trusted.report.signatures_reused, 0u);
  // Exactly the reused ones were verified before; the new ones by arithmetic.
  EXPECT_EQ(trusted.report.signatures_verified_before,
            trusted.report.signatures_reused);
  // Same zone either way (new signatures differ: ECDSA is randomised).
  EXPECT_EQ(Rrsigs(trusted.text).size(), Rrsigs(plain.text).size());
}

// The verifier alone, on the first run's output and its record: every RRSIG
// matches; one changed signature character is verified by arithmetic and
// refused; the record of another key set matches nothing; an expired RRSIG
// is refused even though the record holds it.
TEST_F(IncrementalSignTest, VerifiedBeforeRecordStillCatchesABrokenSignature) {
  const SignRun first = Sign(kZone, Options());
  const SignatureRecord record = RecordOf(first);
  auto all = VerifySignedZone(first.text, "example.", kNow, 2, &record);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->signatures_verified_before, all->signatures_checked);
  EXPECT_EQ(all->signatures_checked, first.report.signatures);

  // Change one base64 character inside the MX RRSIG's signature.
  const std::string mx_rrsig = Rrsigs(first.text).at("example. MX");
  std::string broken_line = mx_rrsig;
  const size_t pos = broken_line.size() - 10;
  broken_line[pos] = broken_line[pos] == 'A' ? 'B' : 'A';
  const std::string broken =
      absl::StrReplaceAll(first.text, {{mx_rrsig, broken_line}});
  ASSERT_NE(broken, first.text);
  auto refused = VerifySignedZone(broken, "example.", kNow, 2, &record);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("bad RRSIG for example./MX"),
            std::string::npos)
      << refused.status();

  auto other_keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
  ASSERT_TRUE(other_keys.ok()) << other_keys.status();
  const SignatureRecord other = RecordOf(Sign(kZone, Options(), *other_keys));
  auto unmatched = VerifySignedZone(first.text, "example.", kNow, 2, &other);
  ASSERT_TRUE(unmatched.ok()) << unmatched.status();
  EXPECT_EQ(unmatched->signatures_verified_before, 0u);

  auto expired = VerifySignedZone(first.text, "example.",
                                  first.report.expiration + 1, 2, &record);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.status().message().find("has expired"), std::string::npos)
      << expired.status();
}

TEST_F(IncrementalSignTest, OnlySelfVerifiedRunsAreRecorded) {
  SignOptions o = Options();
  o.self_verify = false;
  const SignRun unverified = Sign(kZone, o);
  EXPECT_TRUE(unverified.report.signature_record.empty());
  o.self_verify = true;
  o.record_signatures = false;
  EXPECT_TRUE(Sign(kZone, o).report.signature_record.empty());
  o.record_signatures = true;
  EXPECT_FALSE(Sign(kZone, o).report.signature_record.empty());
}

TEST_F(IncrementalSignTest, JitterSpreadsNewExpirationsAndReusedKeepTheirs) {
  SignOptions o = Options();
  o.jitter = 86400;
  const SignRun first = Sign(kZone, o);
  std::set<std::string> expirations;
  for (const auto& [key, line] : Rrsigs(first.text)) {
    std::istringstream f(line);
    std::string w;
    for (int i = 0; i < 9; ++i) f >> w;  // owner ttl IN RRSIG type alg lab ttl
    expirations.insert(w);
  }
  EXPECT_GT(expirations.size(), 3u);
  const SignatureRecord record = RecordOf(first);
  o.reuse = &record;
  o.refresh = 3600;
  o.now = kNow + 600;
  const SignRun second = Sign(kZone, o);
  EXPECT_EQ(second.report.signatures_new, 0u);
  EXPECT_EQ(Rrsigs(second.text), Rrsigs(first.text));
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
