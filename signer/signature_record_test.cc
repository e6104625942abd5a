// The signature record file: a round trip finds every entry and nothing
// else; every kind of damage (truncation, a flipped bit anywhere, another
// zone, another version, entries out of order under a valid checksum) makes
// Parse fail, so the caller signs in full. And the reuse rule's time and
// field checks, one failing case each.
#include "signer/signature_record.h"

#include <openssl/evp.h>

#include <string>

#include "gtest/gtest.h"
#include "signer/rrsig.h"
#include "signer/signature_reuse.h"

namespace zonekeep {
namespace signer {
namespace {

const std::string kOrigin("\7example\3com\0", 13);

SignatureDigest DigestN(int n) {
  RrsigFields f;
  f.type_covered = 1;
  f.labels = 3;
  f.original_ttl = 3600;
  f.key_tag = 12345;
  f.signer_name = kOrigin;
  return SignatureEntryDigest(KeyIdentity("dnskey-rdata"), f,
                              "rrset-" + std::to_string(n));
}

std::string RdataN(int n) { return "rrsig-rdata-" + std::to_string(n); }

std::string BuildRecord(int count) {
  static std::vector<std::string> rdatas;  // Add keeps views
  rdatas.clear();
  rdatas.reserve(count);
  SignatureRecordBuilder builder;
  for (int i = 0; i < count; ++i) {
    rdatas.push_back(RdataN(i));
    builder.Add(DigestN(i), rdatas.back());
  }
  return builder.Finish(kOrigin);
}

TEST(SignatureRecordTest, RoundTripFindsEveryEntryAndNothingElse) {
  auto record = SignatureRecord::Parse(BuildRecord(500), kOrigin);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->size(), 500u);
  for (int i = 0; i < 500; ++i) {
    auto found = record->Find(DigestN(i));
    ASSERT_TRUE(found.has_value()) << i;
    EXPECT_EQ(*found, RdataN(i));
  }
  EXPECT_FALSE(record->Find(DigestN(500)).has_value());
  EXPECT_FALSE(record->Find(SignatureDigest{}).has_value());
}

TEST(SignatureRecordTest, ZeroDigestIsNeitherRecordedNorFound) {
  SignatureRecordBuilder builder;
  builder.Add(SignatureDigest{}, "from-a-failed-hash");
  builder.Add(DigestN(1), "rdata");
  auto record = SignatureRecord::Parse(builder.Finish(kOrigin), kOrigin);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->size(), 1u);
  EXPECT_FALSE(record->Find(SignatureDigest{}).has_value());
  EXPECT_TRUE(record->Find(DigestN(1)).has_value());
}

TEST(SignatureRecordTest, LargeRecordFindsEveryEntry) {
  std::vector<std::string> rdatas;
  rdatas.reserve(70000);
  SignatureRecordBuilder builder;
  for (int i = 0; i < 70000; ++i) {
    rdatas.push_back(RdataN(i));
    builder.Add(DigestN(i), rdatas.back());
  }
  auto record = SignatureRecord::Parse(builder.Finish(kOrigin), kOrigin);
  ASSERT_TRUE(record.ok()) << record.status();
  int found = 0;
  for (int i = 0; i < 70000; ++i) {
    auto hit = record->Find(DigestN(i));
    if (hit.has_value() && *hit == RdataN(i)) ++found;
  }
  EXPECT_EQ(found, 70000);
  for (int i = 70000; i < 71000; ++i) {
    EXPECT_FALSE(record->Find(DigestN(i)).has_value()) << i;
  }
}

TEST(SignatureRecordTest, EmptyRecordRoundTrips) {
  auto record = SignatureRecord::Parse(BuildRecord(0), kOrigin);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->size(), 0u);
}

TEST(SignatureRecordTest, DigestBindsKeyFieldsAndRRset) {
  RrsigFields f;
  f.type_covered = 1;
  f.labels = 3;
  f.original_ttl = 3600;
  f.key_tag = 1;
  f.signer_name = kOrigin;
  const SignatureDigest base = SignatureEntryDigest(KeyIdentity("k"), f, "r");
  EXPECT_NE(base, SignatureEntryDigest(KeyIdentity("k2"), f, "r"));
  EXPECT_NE(base, SignatureEntryDigest(KeyIdentity("k"), f, "r2"));
  RrsigFields g = f;
  g.original_ttl = 60;
  EXPECT_NE(base, SignatureEntryDigest(KeyIdentity("k"), g, "r"));
  g = f;
  g.key_tag = 2;
  EXPECT_NE(base, SignatureEntryDigest(KeyIdentity("k"), g, "r"));
  // Times and the signature are not part of the key.
  g = f;
  g.inception = 7;
  g.expiration = 9;
  EXPECT_EQ(base, SignatureEntryDigest(KeyIdentity("k"), g, "r"));
}

TEST(SignatureRecordTest, EveryTruncationIsDetected) {
  const std::string bytes = BuildRecord(3);
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_FALSE(SignatureRecord::Parse(bytes.substr(0, size), kOrigin).ok())
        << size;
  }
  EXPECT_FALSE(SignatureRecord::Parse(bytes + "x", kOrigin).ok());
}

TEST(SignatureRecordTest, EveryBitFlipIsDetected) {
  const std::string bytes = BuildRecord(3);
  ASSERT_TRUE(SignatureRecord::Parse(bytes, kOrigin).ok());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      EXPECT_FALSE(SignatureRecord::Parse(damaged, kOrigin).ok())
          << "byte " << i << " bit " << bit;
    }
  }
}

TEST(SignatureRecordTest, OtherZoneIsRefused) {
  auto record = SignatureRecord::Parse(BuildRecord(3),
                                       std::string("\7example\3net\0", 13));
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.status().message().find("another zone"), std::string::npos);
}

// Rewrites a record's body and re-seals it with a valid checksum: what a
// damaged or foreign writer could produce.
std::string Reseal(std::string body) {
  unsigned char sum[32];
  unsigned int size = 0;
  EVP_Digest(body.data(), body.size(), sum, &size, EVP_sha256(), nullptr);
  return body + std::string(reinterpret_cast<char*>(sum), 32);
}

TEST(SignatureRecordTest, OtherVersionIsRefusedEvenWithValidChecksum) {
  std::string body = BuildRecord(3);
  body.resize(body.size() - 32);
  body[11] = 2;  // version 2
  auto record = SignatureRecord::Parse(Reseal(body), kOrigin);
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.status().message().find("version 2"), std::string::npos)
      << record.status();
  // The resealed original still parses: the change above is what fails.
  body[11] = 1;
  EXPECT_TRUE(SignatureRecord::Parse(Reseal(body), kOrigin).ok());
}

TEST(SignatureRecordTest, EntriesOutOfOrderAreRefusedEvenWithValidChecksum) {
  std::string body = BuildRecord(2);
  body.resize(body.size() - 32);
  // Two entries of equal size follow the header: swap them.
  const size_t head = 8 + 4 + 2 + kOrigin.size() + 8;
  const size_t entry = (body.size() - head) / 2;
  ASSERT_EQ(head + 2 * entry, body.size());
  const std::string swapped = body.substr(0, head) +
                              body.substr(head + entry, entry) +
                              body.substr(head, entry);
  auto record = SignatureRecord::Parse(Reseal(swapped), kOrigin);
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.status().message().find("out of order"), std::string::npos)
      << record.status();
}

TEST(SignatureRecordTest, CountBeyondTheFileIsRefusedEvenWithValidChecksum) {
  std::string body = BuildRecord(2);
  body.resize(body.size() - 32);
  const size_t count_at = 8 + 4 + 2 + kOrigin.size();
  body[count_at + 7] = 3;  // 3 entries claimed, 2 present
  EXPECT_FALSE(SignatureRecord::Parse(Reseal(body), kOrigin).ok());
}

// The reuse rule.
class ReuseRuleTest : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1800000000;
  void SetUp() override {
    fields_.type_covered = 1;
    fields_.labels = 3;
    fields_.original_ttl = 3600;
    fields_.key_tag = 4242;
    fields_.signer_name = kOrigin;
  }
  std::string Rdata(int64_t inception, int64_t expiration,
                    const RrsigFields& f) const {
    RrsigFields g = f;
    g.inception = static_cast<uint32_t>(inception);
    g.expiration = static_cast<uint32_t>(expiration);
    std::string out;
    AppendRrsigPrefix(g, &out);
    out += std::string(64, 's');
    return out;
  }
  RrsigFields fields_;
};

TEST_F(ReuseRuleTest, FreshSignatureIsReusedWithItsExpiration) {
  int64_t expiration = 0;
  EXPECT_TRUE(MayReuseSignature(Rdata(kNow - 3600, kNow + 20 * 86400, fields_),
                                fields_, kNow, 86400, kNow + 30 * 86400,
                                &expiration));
  EXPECT_EQ(expiration, kNow + 20 * 86400);
}

TEST_F(ReuseRuleTest, ExpiringWithinTheIntervalIsNotReused) {
  int64_t expiration = 0;
  EXPECT_FALSE(MayReuseSignature(Rdata(kNow - 3600, kNow + 86400, fields_),
                                 fields_, kNow, 86400, kNow + 30 * 86400,
                                 &expiration));
  EXPECT_TRUE(MayReuseSignature(Rdata(kNow - 3600, kNow + 86401, fields_),
                                fields_, kNow, 86400, kNow + 30 * 86400,
                                &expiration));
}

TEST_F(ReuseRuleTest, FutureInceptionIsNotReused) {
  int64_t expiration = 0;
  EXPECT_FALSE(MayReuseSignature(Rdata(kNow + 1, kNow + 20 * 86400, fields_),
                                 fields_, kNow, 0, kNow + 30 * 86400,
                                 &expiration));
}

TEST_F(ReuseRuleTest, LaterThanTheAskedEndIsNotReused) {
  int64_t expiration = 0;
  EXPECT_FALSE(MayReuseSignature(Rdata(kNow - 3600, kNow + 20 * 86400, fields_),
                                 fields_, kNow, 0, kNow + 10 * 86400,
                                 &expiration));
}

TEST_F(ReuseRuleTest, DifferentFixedFieldsAreNotReused) {
  int64_t expiration = 0;
  for (int change = 0; change < 5; ++change) {
    RrsigFields other = fields_;
    if (change == 0) other.type_covered = 28;
    if (change == 1) other.labels = 2;
    if (change == 2) other.original_ttl = 60;
    if (change == 3) other.key_tag = 1;
    if (change == 4) other.signer_name = std::string("\7example\3net\0", 13);
    EXPECT_FALSE(MayReuseSignature(Rdata(kNow - 3600, kNow + 20 * 86400, other),
                                   fields_, kNow, 0, kNow + 30 * 86400,
                                   &expiration))
        << change;
  }
  // No signature bytes after the signer name.
  std::string bare;
  RrsigFields f = fields_;
  f.inception = kNow - 3600;
  f.expiration = kNow + 20 * 86400;
  AppendRrsigPrefix(f, &bare);
  EXPECT_FALSE(MayReuseSignature(bare, fields_, kNow, 0, kNow + 30 * 86400,
                                 &expiration));
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
