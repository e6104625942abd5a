#include "keystore/parent_data.h"

#include "dnssec/algorithm.h"
#include "dnssec/digest_type.h"
#include "dnssec/ds.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace keystore {
namespace {

KeyView ViewOf(const dnssec::ZoneKey& key, bool rollover, bool deleted) {
  KeyView view;
  view.zone = "example.com.";
  view.algorithm = key.algorithm;
  view.key_tag = key.key_tag;
  view.role = key.role;
  view.state = key.state;
  view.rollover = rollover;
  view.deleted = deleted;
  view.dnskey_rdata = key.dnskey_rdata;
  view.for_parent = key.role == dnssec::KeyRole::kKsk && !deleted;
  return view;
}

class ParentDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
    ASSERT_TRUE(set.ok()) << set.status();
    auto second_ksk = dnssec::MakeTestKey(dnssec::Algorithm::kEcdsaP256Sha256,
                                          dnssec::KeyRole::kKsk);
    ASSERT_TRUE(second_ksk.ok());
    ksk_ = (*set)[0];
    zsk_ = (*set)[1];
    views_ = {ViewOf(ksk_, /*rollover=*/true, false),
              ViewOf(zsk_, false, false),
              ViewOf(*second_ksk, false, /*deleted=*/true)};
    deleted_tag_ = second_ksk->key_tag;
  }
  dnssec::ZoneKey ksk_, zsk_;
  std::vector<KeyView> views_;
  uint16_t deleted_tag_ = 0;
};

TEST_F(ParentDataTest, DsOfLiveKsksOnly) {
  auto text = FormatParentData("example.com.", views_, ParentDataKind::kDs);
  ASSERT_TRUE(text.ok()) << text.status();
  auto expected = dnssec::FormatDsRecord(
      "example.com.", 3600, ksk_.dnskey_rdata, dnssec::DigestType::kSha256);
  ASSERT_TRUE(expected.ok());
  EXPECT_NE(text->find(*expected), std::string::npos) << *text;
  EXPECT_NE(text->find("(R)"), std::string::npos);
  EXPECT_EQ(text->find(" " + std::to_string(zsk_.key_tag) + " "),
            std::string::npos)
      << "a ZSK went to the parent";
  EXPECT_EQ(text->find(" " + std::to_string(deleted_tag_) + " "),
            std::string::npos)
      << "a deleted KSK went to the parent";
}

// A KSK not (yet) for the parent is named in a comment, without records.
TEST_F(ParentDataTest, KskNotForTheParentIsHeldBack) {
  auto fresh = dnssec::MakeTestKey(dnssec::Algorithm::kEcdsaP256Sha256,
                                   dnssec::KeyRole::kKsk);
  ASSERT_TRUE(fresh.ok());
  KeyView held = ViewOf(*fresh, false, false);
  held.for_parent = false;
  std::vector<KeyView> keys = views_;
  keys.push_back(held);
  auto text = FormatParentData("example.com.", keys, ParentDataKind::kDs);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->find(" IN DS " + std::to_string(fresh->key_tag) + " "),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("; KSK " + std::to_string(fresh->key_tag) +
                       " ECDSAP256SHA256 active: not for the parent yet"),
            std::string::npos)
      << *text;
}

TEST_F(ParentDataTest, Sha384OnRequest) {
  auto text = FormatParentData("example.com.", views_, ParentDataKind::kDs,
                               dnssec::DigestType::kSha384);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find(" IN DS " + std::to_string(ksk_.key_tag) + " 13 4 "),
            std::string::npos)
      << *text;
}

TEST_F(ParentDataTest, ShowKeysListsWholeLiveSet) {
  auto text = FormatShowKeys("example.com.", views_, false);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("DNSKEY 257 3 13"), std::string::npos);
  EXPECT_NE(text->find("DNSKEY 256 3 13"), std::string::npos);
  EXPECT_EQ(text->find("IN DS"), std::string::npos);
}

TEST_F(ParentDataTest, NoKskIsNotFound) {
  std::vector<KeyView> zsk_only = {views_[1]};
  EXPECT_EQ(FormatParentData("example.com.", zsk_only, ParentDataKind::kDs)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(FormatShowKeys("example.com.", {}, false).ok());
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
