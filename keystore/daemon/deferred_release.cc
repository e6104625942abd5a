#include "keystore/daemon/deferred_release.h"

#include <utility>

namespace zonekeep {
namespace keystored {

DeferredRelease::DeferredRelease(std::function<void()> after_drops)
    : after_drops_(std::move(after_drops)), thread_([this] { Run(); }) {}

DeferredRelease::~DeferredRelease() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void DeferredRelease::Drop(std::shared_ptr<void> object) {
  if (object == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(object));
  }
  wake_.notify_one();
}

void DeferredRelease::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to drop
    std::shared_ptr<void> object = std::move(queue_.front());
    queue_.pop_front();
    // The free runs unlocked: Drop never waits for it.
    lock.unlock();
    object.reset();
    lock.lock();
    if (queue_.empty() && after_drops_) {
      lock.unlock();
      after_drops_();
      lock.lock();
    }
  }
}

}  // namespace keystored
}  // namespace zonekeep
