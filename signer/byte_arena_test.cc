#include "signer/byte_arena.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace signer {
namespace {

std::string Item(int i) {
  // 1 to 120 bytes, different for every i.
  return absl::StrCat(i, ":", std::string(static_cast<size_t>(i % 113), 'x'));
}

TEST(ByteArenaTest, EmptyAddsNothing) {
  ByteArena arena;
  EXPECT_TRUE(arena.Add("").empty());
  EXPECT_EQ(arena.block_count(), 0u);
  EXPECT_EQ(arena.allocated_bytes(), 0u);
}

TEST(ByteArenaTest, ViewsStayValidAcrossManyAppendsAndBlocks) {
  ByteArena arena;
  std::vector<absl::string_view> views;
  for (int i = 0; i < 100000; ++i) views.push_back(arena.Add(Item(i)));
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(views[i], Item(i)) << i;
  // Copies, not views of the temporaries.
  EXPECT_NE(views[0].data(), views[1].data());
  // Few blocks, growing to the cap, and little waste.
  EXPECT_GT(arena.block_count(), 2u);
  EXPECT_LT(arena.block_count(), 20u);
  size_t used = 0;
  for (const absl::string_view v : views) used += v.size();
  EXPECT_GE(arena.allocated_bytes(), used);
  EXPECT_LT(arena.allocated_bytes(), used + 2 * ByteArena::kMaxBlockBytes);
}

TEST(ByteArenaTest, ALargeStringGetsItsOwnBlockAndTheCurrentOneGoesOn) {
  ByteArena arena;
  const absl::string_view small = arena.Add("abc");
  const std::string big(ByteArena::kFirstBlockBytes, 'b');
  const absl::string_view big_view = arena.Add(big);
  const absl::string_view after = arena.Add("def");
  EXPECT_EQ(arena.block_count(), 2u);
  EXPECT_EQ(big_view, big);
  EXPECT_EQ(small, "abc");
  EXPECT_EQ(after, "def");
  // "def" went into the first block, right after "abc".
  EXPECT_EQ(after.data(), small.data() + small.size());
}

TEST(ByteArenaTest, AllocateAlignsAfterOddSizedStrings) {
  ByteArena arena;
  EXPECT_EQ(arena.Allocate(0, 8), nullptr);
  for (int i = 0; i < 5000; ++i) {
    const absl::string_view odd = arena.Add(Item(i));  // 1 to 120 bytes
    void* room = arena.Allocate(3 * sizeof(absl::string_view),
                                alignof(absl::string_view));
    ASSERT_EQ(reinterpret_cast<uintptr_t>(room) % alignof(absl::string_view),
              0u)
        << i;
    // The room does not overlap the string before it.
    std::memset(room, 0xab, 3 * sizeof(absl::string_view));
    ASSERT_EQ(odd, Item(i));
  }
}

TEST(ByteArenaTest, ManyThreadsAddAtOnce) {
  ByteArena arena;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::vector<absl::string_view>> views(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&arena, &views, t] {
      for (int i = 0; i < kPerThread; ++i) {
        views[t].push_back(arena.Add(Item(t * kPerThread + i)));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      ASSERT_EQ(views[t][i], Item(t * kPerThread + i)) << t << " " << i;
    }
  }
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
