#include "tests/test_dns_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace zonekeep {
namespace interop {
namespace {

absl::Status WriteFile(const std::string& path, absl::string_view text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs argv to completion with stdout and stderr captured; exit status or -1.
int RunCapture(const std::vector<std::string>& argv, std::string* output) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) output->append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool PortFree(int type, int port) {
  const int fd = socket(AF_INET, type, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// Reads "name ttl class type rdata..." lines of one dig section.
bool ParseRecordLine(absl::string_view line, DnsRecord* record) {
  std::vector<absl::string_view> f =
      absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (f.size() < 4) return false;
  record->owner = absl::AsciiStrToLower(f[0]);
  if (!absl::SimpleAtoi(f[1], &record->ttl)) return false;
  absl::string_view type = f[3];
  uint32_t code = 0;
  if (!absl::ConsumePrefix(&type, "TYPE") || !absl::SimpleAtoi(type, &code) ||
      code > 0xffff) {
    return false;
  }
  record->type = static_cast<uint16_t>(code);
  // +unknownformat: "\# LEN HEX HEX ...".
  if (f.size() < 6 || f[4] != "\\#") return f.size() == 6 && f[5] == "0";
  std::string hex;
  for (size_t i = 6; i < f.size(); ++i) absl::StrAppend(&hex, f[i]);
  record->rdata = absl::HexStringToBytes(hex);
  return true;
}

absl::Status WaitUntil(const std::function<bool()>& ready, int seconds,
                       const std::function<bool()>& alive) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!alive()) return absl::UnavailableError("process exited");
    if (ready()) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("not ready after ", seconds, " s"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ShortTempDir>> ShortTempDir::Create() {
  char tmpl[] = "/tmp/zkdns.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    return absl::InternalError("mkdtemp /tmp/zkdns.XXXXXX failed");
  }
  return std::unique_ptr<ShortTempDir>(new ShortTempDir(tmpl));
}

ShortTempDir::~ShortTempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path) {
  const int log_fd =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError("cannot open " + log_path);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    // Dies with the test process, whatever ends it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(log_fd);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, log_path));
}

ChildProcess::~ChildProcess() { Stop(); }

bool ChildProcess::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
    return false;
  }
  return true;
}

int ChildProcess::Stop() {
  if (!alive()) return exit_status_;
  kill(pid_, SIGTERM);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  pid_ = -1;
  return exit_status_;
}

std::string ChildProcess::log() const { return ReadFile(log_path_); }

absl::StatusOr<int> PickFreePort() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) break;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    close(fd);
    if (port != 0 && PortFree(SOCK_STREAM, port)) return port;
  }
  return absl::UnavailableError("no free loopback port");
}

std::vector<std::string> DnsAnswer::RdataOf(absl::string_view owner,
                                            uint16_t type) const {
  std::vector<std::string> out;
  const std::string o = absl::AsciiStrToLower(owner);
  for (const DnsRecord& r : answer) {
    if (r.owner == o && r.type == type) out.push_back(r.rdata);
  }
  return out;
}

absl::StatusOr<DnsAnswer> DigQuery(int port, absl::string_view name,
                                   absl::string_view type, bool norec) {
  std::vector<std::string> argv = {
      "dig",      "@127.0.0.1",     "-p",          absl::StrCat(port),
      "+dnssec",  "+unknownformat", "+noall",      "+comments",
      "+answer",  "+authority",     "+nocookie",   "+time=2",
      "+tries=2", "+nottlunits",    "+nomultiline"};
  if (norec) argv.push_back("+norec");
  argv.push_back(std::string(name));
  argv.push_back(std::string(type));
  DnsAnswer a;
  const int rc = RunCapture(argv, &a.raw);
  if (rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("dig exit ", rc, " for ", name, " ", type, ":\n", a.raw));
  }
  enum { kNone, kAnswer, kAuthority, kOther } section = kNone;
  for (absl::string_view line : absl::StrSplit(a.raw, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::StartsWith(line, ";; ->>HEADER<<-")) {
      const size_t p = line.find("status: ");
      if (p != absl::string_view::npos) {
        absl::string_view rest = line.substr(p + 8);
        a.rcode = std::string(rest.substr(0, rest.find(',')));
      }
    } else if (absl::StartsWith(line, ";; flags:")) {
      absl::string_view flags = line.substr(9, line.find(';', 9) - 9);
      for (absl::string_view f :
           absl::StrSplit(flags, ' ', absl::SkipEmpty())) {
        if (f == "ad") a.ad = true;
        if (f == "aa") a.aa = true;
      }
    } else if (line == ";; ANSWER SECTION:") {
      section = kAnswer;
    } else if (line == ";; AUTHORITY SECTION:") {
      section = kAuthority;
    } else if (absl::StartsWith(line, ";; ") && line.back() == ':') {
      section = kOther;
    } else if (!line.empty() && line[0] != ';' &&
               (section == kAnswer || section == kAuthority)) {
      DnsRecord r;
      if (!ParseRecordLine(line, &r)) {
        return absl::InternalError(
            absl::StrCat("unreadable dig line: ", line, "\n", a.raw));
      }
      (section == kAnswer ? a.answer : a.authority).push_back(std::move(r));
    }
  }
  if (a.rcode.empty()) {
    return absl::UnavailableError(
        absl::StrCat("no answer for ", name, " ", type, ":\n", a.raw));
  }
  return a;
}

absl::StatusOr<std::unique_ptr<KnotServer>> KnotServer::Start(
    absl::string_view origin, absl::string_view zone_text) {
  return StartZones({{std::string(origin), std::string(zone_text)}});
}

absl::StatusOr<std::unique_ptr<KnotServer>> KnotServer::StartZones(
    const std::vector<ZoneText>& zones) {
  std::unique_ptr<KnotServer> s(new KnotServer());
  auto dir = ShortTempDir::Create();
  if (!dir.ok()) return dir.status();
  s->dir_ = *std::move(dir);
  auto port = PickFreePort();
  if (!port.ok()) return port.status();
  s->port_ = *port;
  const std::string& d = s->dir_->path();
  std::string zone_conf;
  for (size_t i = 0; i < zones.size(); ++i) {
    const std::string zone_file = absl::StrCat(d, "/zone", i, ".db");
    absl::Status st = WriteFile(zone_file, zones[i].text);
    if (!st.ok()) return st;
    s->zone_files_[zones[i].origin] = zone_file;
    absl::StrAppend(&zone_conf, "  - domain: \"", zones[i].origin,
                    "\"\n"
                    "    storage: \"",
                    d,
                    "\"\n"
                    "    file: \"",
                    zone_file,
                    "\"\n"
                    "    dnssec-signing: off\n"
                    "    zonefile-load: whole\n"
                    "    zonefile-sync: -1\n"
                    "    journal-content: none\n"
                    "    semantic-checks: off\n");
  }
  const std::string conf = absl::StrCat(
      "server:\n"
      "  rundir: \"",
      d,
      "\"\n"
      "  listen: 127.0.0.1@",
      s->port_,
      "\n"
      "  udp-workers: 1\n"
      "  tcp-workers: 1\n"
      "  background-workers: 1\n"
      "log:\n"
      "  - target: stderr\n"
      "    any: info\n"
      "database:\n"
      "  storage: \"",
      d,
      "\"\n"
      "zone:\n",
      zone_conf);
  s->conf_ = d + "/knot.conf";
  absl::Status st = WriteFile(s->conf_, conf);
  if (!st.ok()) return st;
  auto proc = ChildProcess::Start({"/usr/sbin/knotd", "-c", s->conf_},
                                  d + "/knotd.log");
  if (!proc.ok()) return proc.status();
  s->process_ = *std::move(proc);
  ChildProcess* p = s->process_.get();
  for (const ZoneText& zone : zones) {
    st = WaitUntil(
        [&] {
          auto a = DigQuery(s->port_, zone.origin, "SOA", /*norec=*/true);
          return a.ok() && a->rcode == "NOERROR" && a->aa;
        },
        10, [&] { return p->alive(); });
    if (!st.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "knotd did not serve ", zone.origin, " on port ", s->port_, ": ",
          st.message(), "\n--- knotd log ---\n", p->log()));
    }
  }
  return s;
}

absl::Status KnotServer::Reload(absl::string_view origin,
                                absl::string_view zone_text, uint32_t serial) {
  auto it = zone_files_.find(std::string(origin));
  if (it == zone_files_.end()) {
    return absl::NotFoundError(absl::StrCat("knotd does not serve ", origin));
  }
  absl::Status st = WriteFile(it->second, zone_text);
  if (!st.ok()) return st;
  std::string out;
  if (RunCapture({"/usr/sbin/knotc", "-c", conf_, "-b", "zone-reload",
                  std::string(origin)},
                 &out) != 0) {
    return absl::InternalError(absl::StrCat("knotc zone-reload: ", out));
  }
  const std::string apex(origin);
  const std::string want = absl::StrCat(serial);
  return WaitUntil(
      [&] {
        std::string soa;
        RunCapture({"dig", "@127.0.0.1", "-p", absl::StrCat(port_), "+time=1",
                    "+tries=1", "+norec", "+short", apex, "SOA"},
                   &soa);
        const std::vector<std::string> fields =
            absl::StrSplit(soa, ' ', absl::SkipWhitespace());
        return fields.size() >= 3 && fields[2] == want;
      },
      10, [&] { return process_->alive(); });
}

KnotServer::~KnotServer() {
  if (process_) process_->Stop();
}

absl::StatusOr<std::unique_ptr<UnboundResolver>> UnboundResolver::Start(
    absl::string_view origin, absl::string_view trust_anchor, int auth_port) {
  return StartStubs({std::string(origin)}, trust_anchor, auth_port);
}

absl::StatusOr<std::unique_ptr<UnboundResolver>> UnboundResolver::StartStubs(
    const std::vector<std::string>& stub_zones, absl::string_view trust_anchor,
    int auth_port) {
  std::unique_ptr<UnboundResolver> r(new UnboundResolver());
  auto dir = ShortTempDir::Create();
  if (!dir.ok()) return dir.status();
  r->dir_ = *std::move(dir);
  auto port = PickFreePort();
  if (!port.ok()) return port.status();
  r->port_ = *port;
  const std::string& d = r->dir_->path();
  std::string conf = absl::StrCat(
      "server:\n"
      "  interface: 127.0.0.1\n"
      "  port: ",
      r->port_,
      "\n"
      "  do-ip6: no\n"
      "  do-daemonize: no\n"
      "  use-syslog: no\n"
      "  logfile: \"\"\n"
      "  username: \"\"\n"
      "  chroot: \"\"\n"
      "  directory: \"",
      d,
      "\"\n"
      "  pidfile: \"",
      d,
      "/unbound.pid\"\n"
      "  num-threads: 1\n"
      "  so-reuseport: no\n"
      "  verbosity: 1\n"
      "  val-log-level: 2\n"
      "  log-servfail: yes\n"
      "  access-control: 127.0.0.0/8 allow\n"
      "  do-not-query-localhost: no\n"
      "  val-permissive-mode: no\n"
      "  module-config: \"validator iterator\"\n"
      "  qname-minimisation: no\n"
      "  harden-referral-path: no\n"
      "  harden-dnssec-stripped: yes\n"
      "  aggressive-nsec: no\n"
      "  prefetch: no\n"
      "  minimal-responses: no\n"
      "  rrset-roundrobin: no\n"
      "  trust-anchor-signaling: no\n"
      "  root-key-sentinel: no\n"
      "  trust-anchor: \"",
      trust_anchor,
      "\"\n"
      "remote-control:\n"
      "  control-enable: yes\n"
      "  control-interface: \"",
      d,
      "/ctl.sock\"\n"
      "  control-use-cert: no\n");
  std::string stubs;
  for (const std::string& zone : stub_zones) {
    absl::StrAppend(&stubs,
                    "stub-zone:\n"
                    "  name: \"",
                    zone,
                    "\"\n"
                    "  stub-addr: 127.0.0.1@",
                    auth_port, "\n");
  }
  conf += stubs;
  r->conf_ = d + "/unbound.conf";
  absl::Status st = WriteFile(d + "/unbound.conf", conf);
  if (!st.ok()) return st;
  auto proc = ChildProcess::Start(
      {"/usr/sbin/unbound", "-d", "-c", d + "/unbound.conf"},
      d + "/unbound.log");
  if (!proc.ok()) return proc.status();
  r->process_ = *std::move(proc);
  ChildProcess* p = r->process_.get();
  const int rport = r->port_;
  st = WaitUntil(
      [&] {
        std::string out;
        return RunCapture(
                   {"dig", "@127.0.0.1", "-p", absl::StrCat(rport), "+time=1",
                    "+tries=1", "+short", "id.server", "CH", "TXT"},
                   &out) == 0;
      },
      10, [&] { return p->alive(); });
  if (!st.ok()) {
    return absl::UnavailableError(
        absl::StrCat("unbound did not answer on port ", r->port_, ": ",
                     st.message(), "\n--- unbound log ---\n", p->log()));
  }
  return r;
}

absl::Status UnboundResolver::FlushCache() {
  std::string out;
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"flush_zone", "."},
                                             {"flush_bogus"},
                                             {"flush_negative"},
                                             {"flush_infra", "all"}}) {
    std::vector<std::string> argv = {"/usr/sbin/unbound-control", "-c", conf_};
    argv.insert(argv.end(), command.begin(), command.end());
    if (RunCapture(argv, &out) != 0) {
      return absl::InternalError(
          absl::StrCat("unbound-control ", command[0], ": ", out));
    }
  }
  return absl::OkStatus();
}

UnboundResolver::~UnboundResolver() {
  if (process_) process_->Stop();
}

absl::StatusOr<DnsLoop> DnsLoop::Start(absl::string_view origin,
                                       absl::string_view signed_zone,
                                       absl::string_view ds_record) {
  DnsLoop loop;
  auto knot = KnotServer::Start(origin, signed_zone);
  if (!knot.ok()) return knot.status();
  loop.knot = *std::move(knot);
  auto resolver = UnboundResolver::Start(origin, ds_record, loop.knot->port());
  if (!resolver.ok()) return resolver.status();
  loop.resolver = *std::move(resolver);
  return loop;
}

std::string DnsLoop::Logs() const {
  return absl::StrCat("--- knotd log ---\n", knot ? knot->log() : "",
                      "--- unbound log ---\n", resolver ? resolver->log() : "");
}

}  // namespace interop
}  // namespace zonekeep
