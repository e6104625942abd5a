#include "signer/text_buffer.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace zonekeep {
namespace signer {
namespace {

TEST(TextBufferTest, StartsEmpty) {
  TextBuffer buffer;
  EXPECT_EQ(buffer.size(), 0u);
  EXPECT_TRUE(buffer.view().empty());
  EXPECT_TRUE(buffer.Append("").ok());
  EXPECT_EQ(buffer.capacity(), 0u);
}

TEST(TextBufferTest, ManyAppendsKeepEveryByteInOrder) {
  TextBuffer buffer;
  std::string expected;
  // Pieces of varying size, past several growths (and past glibc's mmap
  // threshold, where growth is by mremap).
  for (int i = 0; i < 200000; ++i) {
    const std::string piece(static_cast<size_t>(i % 97), 'a' + i % 26);
    ASSERT_TRUE(buffer.Append(piece).ok());
    expected += piece;
  }
  EXPECT_EQ(buffer.size(), expected.size());
  EXPECT_GE(buffer.capacity(), buffer.size());
  EXPECT_EQ(buffer.view(), expected);
}

TEST(TextBufferTest, OneLargeAppend) {
  TextBuffer buffer;
  ASSERT_TRUE(buffer.Append("x").ok());
  const std::string big(3 << 20, 'y');
  ASSERT_TRUE(buffer.Append(big).ok());
  EXPECT_EQ(buffer.view(), "x" + big);
}

TEST(TextBufferTest, MoveLeavesTheSourceEmpty) {
  TextBuffer a;
  ASSERT_TRUE(a.Append("hello").ok());
  TextBuffer b(std::move(a));
  EXPECT_EQ(b.view(), "hello");
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the contract
  EXPECT_TRUE(a.view().empty());
  ASSERT_TRUE(a.Append("again").ok());
  EXPECT_EQ(a.view(), "again");
  b = std::move(a);
  EXPECT_EQ(b.view(), "again");
}

TEST(TextBufferTest, ClearFrees) {
  TextBuffer buffer;
  ASSERT_TRUE(buffer.Append("abc").ok());
  buffer.Clear();
  EXPECT_EQ(buffer.size(), 0u);
  EXPECT_EQ(buffer.capacity(), 0u);
  ASSERT_TRUE(buffer.Append("d").ok());
  EXPECT_EQ(buffer.view(), "d");
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
