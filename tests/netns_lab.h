// Test support: two throw-away network namespaces joined by a veth pair, for
// sending real packets at a firewall. "box" plays the signer box, "client"
// everyone else; each end holds the addresses below (IPv6 without DAD, so
// they are usable at once). Made with `ip netns add` / `ip link`, deleted
// (with the veth) on destruction. Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN).
//
//   box:    192.0.2.1/24  2001:db8:0:1::1/64  2001:db8:0:2::1/64
//   client: 192.0.2.5/24  192.0.2.50/24  2001:db8:0:1::5/64  2001:db8:0:2::5/64
//
// Thread-safety: one lab per test; its methods are not for concurrent use.
#ifndef ZONEKEEP_TESTS_NETNS_LAB_H_
#define ZONEKEEP_TESTS_NETNS_LAB_H_

#include <string>
#include <vector>

#include "tests/deploy_tool_runner.h"

namespace zonekeep::testing {

class NetnsLab {
 public:
  NetnsLab();
  ~NetnsLab();
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;

  // Empty if the lab is up, else what failed (the command and its stderr).
  const std::string& error() const { return error_; }
  const std::string& box() const { return box_; }
  const std::string& client() const { return client_; }

  // Runs argv inside namespace `ns` (`ip netns exec NS ...`).
  ToolResult RunIn(const std::string& ns, std::vector<std::string> argv) const;

  // A TCP listener on [::]:port (IPv4 too) inside the box; -1 on error.
  // The caller closes it.
  int ListenInBox(int port) const;

  // Whether a TCP connection from `source` (a client address) to
  // `destination`:`port` completes within `timeout_ms`.
  bool ConnectFromClient(const std::string& source,
                         const std::string& destination, int port,
                         int timeout_ms = 1500) const;

  // Whether an ICMP (IPv4) or ICMPv6 echo request from `source` to
  // `destination` gets its echo reply within `timeout_ms` (a raw socket).
  bool PingFromClient(const std::string& source, const std::string& destination,
                      int timeout_ms = 1500) const;

 private:
  bool Run(const std::vector<std::string>& argv);
  std::string box_;
  std::string client_;
  std::string error_;
};

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_NETNS_LAB_H_
