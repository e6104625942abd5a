#include "cli/key_listing.h"

#include <string>
#include <vector>

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

TEST(FormatKeyTableTest, ColumnsFitLongZoneNames) {
  v1::KeyList keys;
  const std::string long_zone =
      "a-very-long-label-for-a-zone.sub-department.example-registry.org.";
  for (const std::string& zone : {std::string("a.example."), long_zone}) {
    v1::Key* key = keys.add_keys();
    key->set_zone(zone);
    key->set_key_tag(7);
    key->set_role(v1::ZSK);
    key->set_algorithm_name("ED25519");
    key->set_bits(256);
    key->set_state(v1::PUBLISHED);
  }
  const std::string table = FormatKeyTable(keys);
  // Every line has its TAG column at the same place, after the longest zone.
  std::vector<size_t> tag_ends;
  size_t start = 0;
  while (start < table.size()) {
    const size_t end = table.find('\n', start);
    const std::string line = table.substr(start, end - start);
    tag_ends.push_back(line.find_first_of("G7", long_zone.size()));
    EXPECT_EQ(line[long_zone.size()], ' ') << table;
    start = end + 1;
  }
  ASSERT_EQ(tag_ends.size(), 3u) << table;
  EXPECT_EQ(tag_ends[0], tag_ends[1]) << table;
  EXPECT_EQ(tag_ends[1], tag_ends[2]) << table;
}

TEST(FormatKeyTableTest, Empty) {
  EXPECT_EQ(FormatKeyTable(v1::KeyList()), "no keys\n");
}

}  // namespace
}  // namespace cli
}  // namespace zonekeep
