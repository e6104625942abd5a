// DnsObserver: what the DNS serves about a zone, asked of each server by
// itself (no recursion): the SOA serial at each zone server, the DS RRset
// (with its TTL) at each parent agent, the DNSKEY RRset (with its TTL) at each
// zone server. The key manager gates stage 2 on these facts
// (docs/ARCHITECTURE.md); tests can pass their own observer.
//
// Contract:
// - A server that does not answer within the timeout, answers without the AA
//   bit, or with an rcode other than NOERROR is `answered = false` with a
//   one-line `error`: "not yet" for every gate.
// - Queries go over UDP (EDNS0, DO set, 1232 bytes) and again over TCP when
//   the answer is truncated.
// - Servers: those configured for the zone; otherwise the NS set of the zone
//   (zone servers) or of its parent (parent agents), with their addresses,
//   found through the system resolver (/etc/resolv.conf). When that lookup
//   fails, one entry names the NS set with answered = false.
// Thread-safety: the methods may be called from many threads at once.
#ifndef ZONEKEEP_KEYSTORE_DNS_OBSERVER_H_
#define ZONEKEEP_KEYSTORE_DNS_OBSERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zonekeep {
namespace keystore {

// An IP address and port: "192.0.2.1:53" or "[2001:db8::1]:53".
struct ServerAddress {
  std::string ip;  // without brackets
  uint16_t port = 53;
  bool ipv6 = false;
  std::string ToString() const;
};

// Parses HOST:PORT where HOST is an IPv4 address or an IPv6 address in
// brackets; InvalidArgument with a one-line reason otherwise.
absl::StatusOr<ServerAddress> ParseServerAddress(absl::string_view text);

// One server's answer to one question.
struct ServerSeen {
  std::string server;  // "127.0.0.1:53"
  bool answered = false;
  std::string error;               // why not answered
  std::optional<uint32_t> serial;  // SOA questions: the serial served
  // DS / DNSKEY questions: the RRset's TTL and RDATA (wire form); empty when
  // the server answered that it has none.
  uint32_t ttl = 0;
  std::vector<std::string> rdata;
};

class DnsObserver {
 public:
  virtual ~DnsObserver() = default;
  // `zone` normalised ("example.com."). One entry per server.
  virtual std::vector<ServerSeen> ZoneSerials(
      const std::string& zone) const = 0;
  virtual std::vector<ServerSeen> ParentDs(const std::string& zone) const = 0;
  virtual std::vector<ServerSeen> ZoneDnskeys(
      const std::string& zone) const = 0;
};

struct ZoneServers {
  std::vector<ServerAddress> parent_agents;  // empty: the parent's NS set
  std::vector<ServerAddress> zone_servers;   // empty: the zone's NS set
};

struct LdnsObserverOptions {
  std::map<std::string, ZoneServers> zones;  // by normalised zone name
  absl::Duration timeout = absl::Seconds(3);
  std::string resolv_conf;  // empty: /etc/resolv.conf
};

std::unique_ptr<DnsObserver> MakeLdnsObserver(LdnsObserverOptions options);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DNS_OBSERVER_H_
