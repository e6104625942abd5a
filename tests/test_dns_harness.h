// DNS in the loop: real parts, no mocks. A real authoritative server (Knot's
// knotd) serves a zone file exactly as we signed it, and a real validating
// resolver (unbound) on another loopback port validates what knotd serves
// from one trust anchor, the zone's DS. Tests ask the resolver with BIND's
// `dig` and read the AD flag, the rcode and the answer RDATA (wire bytes,
// `+unknownformat`). KnotServer can serve several zones (a parent and its
// child) and reload them; UnboundResolver can stub several zones from one
// trust anchor and flush its caches (the rollover tests of issue 15).
//
// Why unbound and not delv: unbound is the resolver operators run, it keeps
// running (one process for all queries, cold and warm caches, which the
// rollover tests of issue 15 need), and its verdict is the AD flag / SERVFAIL
// a client sees. delv validates one query per process and is BIND's own
// validator, which dnssec-verify already covers. Queries use `dig` (from
// bind9-dnsutils) because Knot's kdig is in knot-dnsutils, which the setup
// does not install; both print the same header and RDATA.
//
// knotd gets a private configuration: rundir, storage and journal in a short
// temporary directory under /tmp (its control socket lives there; unix socket
// paths are limited to 107 characters), `dnssec-signing: off`,
// `zonefile-load: whole`, no journal and no zone file write-back, so it serves
// the signed zone file as it is. unbound gets a stub-zone for the zone
// pointing at knotd, `trust-anchor: "<DS>"`, `do-not-query-localhost: no`,
// `val-permissive-mode: no`, no cache prefetching or aggressive NSEC (each
// answer is validated from what knotd serves), and remote control only on a
// unix socket in its directory (for FlushCache).
//
// Processes are children of the test process, started with
// PR_SET_PDEATHSIG(SIGKILL) so they die with a crashed test too; destructors
// send SIGTERM, wait (SIGKILL after 5 s) and remove the temporary directory.
// Ports are picked free (bound on UDP and TCP, then released) on 127.0.0.1.
//
// Thread-safety: one instance per test; not for concurrent use.
#ifndef ZONEKEEP_TESTS_TEST_DNS_HARNESS_H_
#define ZONEKEEP_TESTS_TEST_DNS_HARNESS_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace interop {

// A directory /tmp/zkdns.XXXXXX, removed with its contents on destruction.
class ShortTempDir {
 public:
  static absl::StatusOr<std::unique_ptr<ShortTempDir>> Create();
  ~ShortTempDir();
  ShortTempDir(const ShortTempDir&) = delete;
  ShortTempDir& operator=(const ShortTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit ShortTempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// A child process with stdout and stderr to `log_path`; SIGTERM and wait on
// destruction (SIGKILL after 5 s).
class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  bool alive();
  // Sends SIGTERM and waits; returns the exit status (-1 if killed).
  int Stop();
  std::string log() const;

 private:
  ChildProcess(pid_t pid, std::string log_path)
      : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  std::string log_path_;
  int exit_status_ = -1;
};

// A loopback port free on both UDP and TCP right now.
absl::StatusOr<int> PickFreePort();

// One answer as `dig` printed it.
struct DnsRecord {
  std::string owner;  // as printed, lower-cased, absolute
  uint16_t type = 0;  // dig prints every type as TYPE<n> (+unknownformat)
  uint32_t ttl = 0;
  std::string rdata;  // wire bytes (from +unknownformat)
};
struct DnsAnswer {
  std::string rcode;  // "NOERROR", "NXDOMAIN", "SERVFAIL", ...
  bool ad = false;
  bool aa = false;
  std::vector<DnsRecord> answer;
  std::vector<DnsRecord> authority;
  std::string raw;  // dig's whole output, for failure messages
  // The RDATA of the answer records of `type` owned by `owner`.
  std::vector<std::string> RdataOf(absl::string_view owner,
                                   uint16_t type) const;
};

// Asks 127.0.0.1:`port` for `name` `type` (type as "TYPE<n>" or a mnemonic)
// with DO set and recursion desired; `norec` clears RD (for the
// authoritative server). Error only when dig itself fails to get an answer.
absl::StatusOr<DnsAnswer> DigQuery(int port, absl::string_view name,
                                   absl::string_view type, bool norec = false);

// One zone for KnotServer: its origin ("example.") and master-file text.
struct ZoneText {
  std::string origin;
  std::string text;
};

// knotd serving zone files as-is on 127.0.0.1:port().
class KnotServer {
 public:
  // Several zones in one knotd (a parent and its child), each waited for.
  static absl::StatusOr<std::unique_ptr<KnotServer>> StartZones(
      const std::vector<ZoneText>& zones);
  // Replaces `origin`'s zone file, has knotd reload it (knotc -b
  // zone-reload) and waits (up to 10 s) until it serves SOA `serial`.
  absl::Status Reload(absl::string_view origin, absl::string_view zone_text,
                      uint32_t serial);
  // Writes `zone_text` as the zone file of `origin` ("example."), starts
  // knotd and waits (up to 10 s) until it answers the zone's SOA
  // authoritatively. On failure the error carries knotd's log.
  static absl::StatusOr<std::unique_ptr<KnotServer>> Start(
      absl::string_view origin, absl::string_view zone_text);
  ~KnotServer();
  int port() const { return port_; }
  std::string log() const { return process_->log(); }

 private:
  KnotServer() = default;
  std::unique_ptr<ShortTempDir> dir_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  std::string conf_;
  std::map<std::string, std::string> zone_files_;  // origin -> path
};

// unbound validating `origin` from `trust_anchor` (a DS or DNSKEY record
// line, "example. 3600 IN DS ..."), with a stub-zone to 127.0.0.1:auth_port.
class UnboundResolver {
 public:
  // Starts unbound and waits (up to 10 s) until it answers a local query
  // (id.server CH TXT; nothing is asked of knotd before the test does).
  static absl::StatusOr<std::unique_ptr<UnboundResolver>> Start(
      absl::string_view origin, absl::string_view trust_anchor, int auth_port);
  // One stub-zone per name in `stub_zones` (a parent and its child, both at
  // 127.0.0.1:auth_port); `trust_anchor` is the only anchor (the parent's
  // DS), so the child validates only through the parent's DS for it.
  static absl::StatusOr<std::unique_ptr<UnboundResolver>> StartStubs(
      const std::vector<std::string>& stub_zones,
      absl::string_view trust_anchor, int auth_port);
  // Empties every cache (unbound-control over its unix socket: flush_zone .,
  // flush_bogus, flush_negative, flush_infra all): the next answer is
  // validated from scratch, as by a cold resolver.
  absl::Status FlushCache();
  ~UnboundResolver();
  int port() const { return port_; }
  std::string log() const { return process_->log(); }

 private:
  UnboundResolver() = default;
  std::unique_ptr<ShortTempDir> dir_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  std::string conf_;
};

// Both together: knotd serving `signed_zone`, unbound trusting `ds_record`.
struct DnsLoop {
  std::unique_ptr<KnotServer> knot;
  std::unique_ptr<UnboundResolver> resolver;
  static absl::StatusOr<DnsLoop> Start(absl::string_view origin,
                                       absl::string_view signed_zone,
                                       absl::string_view ds_record);
  absl::StatusOr<DnsAnswer> Ask(absl::string_view name,
                                absl::string_view type) const {
    return DigQuery(resolver->port(), name, type);
  }
  // knotd's and unbound's logs, for failure messages.
  std::string Logs() const;
};

}  // namespace interop
}  // namespace zonekeep

#endif  // ZONEKEEP_TESTS_TEST_DNS_HARNESS_H_
