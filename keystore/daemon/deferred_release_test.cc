#include "keystore/daemon/deferred_release.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace zonekeep {
namespace keystored {
namespace {

// Records the thread that destroys it and signals `done`.
struct Tracked {
  explicit Tracked(std::promise<std::thread::id>* done) : done(done) {}
  Tracked(const Tracked&) = delete;
  std::promise<std::thread::id>* done;
  ~Tracked() { done->set_value(std::this_thread::get_id()); }
};

TEST(DeferredReleaseTest, FreesTheLastReferenceOnItsOwnThread) {
  DeferredRelease release;
  std::promise<std::thread::id> done;
  std::future<std::thread::id> freed_on = done.get_future();
  release.Drop(std::make_shared<Tracked>(&done));
  ASSERT_EQ(freed_on.wait_for(std::chrono::seconds(30)),
            std::future_status::ready);
  EXPECT_NE(freed_on.get(), std::this_thread::get_id());
}

TEST(DeferredReleaseTest, RunsTheHookAfterDropping) {
  std::promise<std::thread::id> done;
  std::future<std::thread::id> freed_on = done.get_future();
  std::promise<bool> hook_saw_freed;
  std::future<bool> hook_ran = hook_saw_freed.get_future();
  std::atomic<bool> once{false};
  {
    DeferredRelease release([&] {
      if (once.exchange(true)) return;
      hook_saw_freed.set_value(freed_on.wait_for(std::chrono::seconds(0)) ==
                               std::future_status::ready);
    });
    release.Drop(std::make_shared<Tracked>(&done));
  }
  ASSERT_EQ(hook_ran.wait_for(std::chrono::seconds(0)),
            std::future_status::ready);
  EXPECT_TRUE(hook_ran.get());  // the object was gone when the hook ran
}

TEST(DeferredReleaseTest, DoesNotFreeWhatOthersStillHold) {
  std::promise<std::thread::id> done;
  std::future<std::thread::id> freed_on = done.get_future();
  auto kept = std::make_shared<Tracked>(&done);
  {
    DeferredRelease release;
    release.Drop(kept);
  }  // joined: the release thread has dropped its reference
  EXPECT_EQ(kept.use_count(), 1);
  EXPECT_EQ(freed_on.wait_for(std::chrono::seconds(0)),
            std::future_status::timeout);
  kept.reset();
  EXPECT_EQ(freed_on.get(), std::this_thread::get_id());
}

TEST(DeferredReleaseTest, DestructorDropsEverythingQueuedFromManyThreads) {
  std::atomic<int> freed{0};
  struct Counted {
    explicit Counted(std::atomic<int>* freed) : freed(freed) {}
    Counted(const Counted&) = delete;
    std::atomic<int>* freed;
    ~Counted() { freed->fetch_add(1); }
  };
  constexpr int kThreads = 4;
  constexpr int kEach = 500;
  {
    DeferredRelease release;
    release.Drop(nullptr);  // ignored
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&release, &freed] {
        for (int i = 0; i < kEach; ++i) {
          release.Drop(std::make_shared<Counted>(&freed));
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  EXPECT_EQ(freed.load(), kThreads * kEach);
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
