#include "cli/command_words.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(SplitCommandWordsTest, SplitsOnBlanks) {
  auto words =
      SplitCommandWords("  create both  ECDSAP256SHA256 - example.com\t");
  ASSERT_TRUE(words.ok());
  EXPECT_THAT(*words, ElementsAre("create", "both", "ECDSAP256SHA256", "-",
                                  "example.com"));
}

TEST(SplitCommandWordsTest, QuotesAndEscapes) {
  auto words = SplitCommandWords(R"(import 'a b' "c\"d" e\ f)");
  ASSERT_TRUE(words.ok());
  EXPECT_THAT(*words, ElementsAre("import", "a b", "c\"d", "e f"));
}

TEST(SplitCommandWordsTest, EmptyLine) {
  auto words = SplitCommandWords("   ");
  ASSERT_TRUE(words.ok());
  EXPECT_THAT(*words, IsEmpty());
}

TEST(SplitCommandWordsTest, UnterminatedQuoteIsAnError) {
  EXPECT_FALSE(SplitCommandWords("list 'example.com").ok());
}

}  // namespace
}  // namespace cli
}  // namespace zonekeep
