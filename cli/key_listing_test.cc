#include "cli/key_listing.h"

#include "gtest/gtest.h"

namespace zonekeep {
namespace cli {
namespace {

TEST(FormatAgeTest, Units) {
  EXPECT_EQ(FormatAge(0), "0s");
  EXPECT_EQ(FormatAge(59), "59s");
  EXPECT_EQ(FormatAge(250), "4m10s");
  EXPECT_EQ(FormatAge(2 * 3600 + 5 * 60), "2h05m");
  EXPECT_EQ(FormatAge(3 * 86400 + 4 * 3600 + 1), "3d04h");
  EXPECT_EQ(FormatAge(-5), "0s");
}

TEST(FormatKeyTableTest, ShowsStateRolloverAndAge) {
  v1::KeyList keys;
  keys.set_server_time_unix(10000);
  v1::Key* ksk = keys.add_keys();
  ksk->set_zone("example.com.");
  ksk->set_key_tag(12345);
  ksk->set_role(v1::KSK);
  ksk->set_algorithm_name("ECDSAP256SHA256");
  ksk->set_bits(256);
  ksk->set_state(v1::ACTIVE);
  ksk->set_rollover(true);
  ksk->set_state_changed_unix(10000 - 130);
  const std::string table = FormatKeyTable(keys);
  EXPECT_NE(table.find("12345"), std::string::npos) << table;
  EXPECT_NE(table.find("KSK"), std::string::npos);
  EXPECT_NE(table.find("active(R)"), std::string::npos);
  EXPECT_NE(table.find("2m10s"), std::string::npos);
}

TEST(FormatKeyTableTest, Empty) {
  EXPECT_EQ(FormatKeyTable(v1::KeyList()), "no keys\n");
}

}  // namespace
}  // namespace cli
}  // namespace zonekeep
