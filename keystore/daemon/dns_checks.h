// keystored's side of the DNS checks: the observer built from the
// configuration's "zones" list, and the background thread that asks the DNS
// about pending stage-2 conditions every check-interval, so that "first
// seen" is recorded when it happens, not only when somebody asks.
//
// Thread-safety: PendingRolloverChecker owns one thread; construct and
// destroy it from one thread. The destructor stops the thread (waking it
// from its wait) and joins it.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_DNS_CHECKS_H_
#define ZONEKEEP_KEYSTORE_DAEMON_DNS_CHECKS_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "keystore/dns_observer.h"
#include "keystore/key_manager.h"
#include "proto/config.pb.h"

namespace zonekeep {
namespace keystored {

// An ldns observer with the servers of `config.zones` (REQUIRES: a config
// that passed ParseConfig, so every address parses).
std::shared_ptr<const keystore::DnsObserver> MakeDnsObserver(
    const v1::KeystoredConfig& config);

class PendingRolloverChecker {
 public:
  // `keys` must outlive this object. The first check runs after `interval`.
  PendingRolloverChecker(keystore::KeyManager* keys, absl::Duration interval);
  ~PendingRolloverChecker();
  PendingRolloverChecker(const PendingRolloverChecker&) = delete;
  PendingRolloverChecker& operator=(const PendingRolloverChecker&) = delete;

 private:
  void Run();

  keystore::KeyManager* const keys_;
  const absl::Duration interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_DNS_CHECKS_H_
