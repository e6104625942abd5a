#include "dnssec/key_actions.h"

#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

TEST(KeyActionsTest, StagesRoundTripAnyCase) {
  for (RolloverStage stage :
       {RolloverStage::kZskStage1, RolloverStage::kZskStage2,
        RolloverStage::kKskStage1, RolloverStage::kKskStage2}) {
    EXPECT_EQ(*ParseRolloverStage(RolloverStageName(stage)), stage);
  }
  EXPECT_EQ(*ParseRolloverStage("KSK-Stage2"), RolloverStage::kKskStage2);
  EXPECT_STREQ(RolloverStageName(RolloverStage::kZskStage1), "zsk-stage1");
}

TEST(KeyActionsTest, CreateWhatRoundTripsAnyCase) {
  for (CreateWhat what :
       {CreateWhat::kBoth, CreateWhat::kKsk, CreateWhat::kZsk}) {
    EXPECT_EQ(*ParseCreateWhat(CreateWhatName(what)), what);
  }
  EXPECT_EQ(*ParseCreateWhat("BOTH"), CreateWhat::kBoth);
}

TEST(KeyActionsTest, RefusesOtherWordsNamingTheChoices) {
  for (const char* bad : {"", "zsk-stage3", "stage1", "zsk_stage1"}) {
    absl::StatusOr<RolloverStage> stage = ParseRolloverStage(bad);
    ASSERT_FALSE(stage.ok()) << bad;
    EXPECT_NE(stage.status().message().find("zsk-stage1"), std::string::npos);
  }
  absl::StatusOr<CreateWhat> what = ParseCreateWhat("all");
  ASSERT_FALSE(what.ok());
  EXPECT_EQ(what.status().message(), "\"all\" is not both, ksk or zsk");
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
