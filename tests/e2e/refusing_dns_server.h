// Test support: a DNS server on 127.0.0.1 (UDP, a free port) that answers
// every query at once with REFUSED, as a lame server does. keystored's
// rollover checks then get a quick "not served" from a real socket instead
// of waiting out a timeout, so tests that roll with --force stay fast.
//
// Thread-safety: one instance per test; its thread answers until destruction.
#ifndef ZONEKEEP_TESTS_E2E_REFUSING_DNS_SERVER_H_
#define ZONEKEEP_TESTS_E2E_REFUSING_DNS_SERVER_H_

#include <atomic>
#include <string>
#include <thread>

namespace zonekeep::testing {

class RefusingDnsServer {
 public:
  RefusingDnsServer();
  ~RefusingDnsServer();
  RefusingDnsServer(const RefusingDnsServer&) = delete;
  RefusingDnsServer& operator=(const RefusingDnsServer&) = delete;

  bool ok() const { return fd_ >= 0; }
  // "127.0.0.1:PORT"
  std::string address() const;
  int answered() const { return answered_.load(); }

 private:
  void Serve();

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_REFUSING_DNS_SERVER_H_
