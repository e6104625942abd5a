// DeferredRelease: drops objects on a thread of its own, so that a request
// handler can return (and gRPC end the call for its client) before paying
// for a large free, such as a signed zone's model and text
// (signer::SignReport::working_memory).
//
// Objects are dropped in the order given; `after_drops` (may be empty) runs on
// the release thread each time the queue has been emptied, e.g. to hand freed
// memory back to the system. The destructor drops what is still queued and
// joins the thread, so nothing outlives the DeferredRelease.
// Thread-safety: Drop may be called from many threads at once.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_DEFERRED_RELEASE_H_
#define ZONEKEEP_KEYSTORE_DAEMON_DEFERRED_RELEASE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace zonekeep {
namespace keystored {

class DeferredRelease {
 public:
  explicit DeferredRelease(std::function<void()> after_drops = nullptr);
  ~DeferredRelease();
  DeferredRelease(const DeferredRelease&) = delete;
  DeferredRelease& operator=(const DeferredRelease&) = delete;

  // Takes this reference to `object` and drops it soon on the release
  // thread (the object is freed there if this was its last reference). A
  // null `object` is ignored.
  void Drop(std::shared_ptr<void> object);

 private:
  void Run();

  // A std::mutex, not absl::Mutex (see signing_service.h: TSan builds).
  const std::function<void()> after_drops_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<void>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::thread thread_;
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_DEFERRED_RELEASE_H_
