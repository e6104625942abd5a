#include "tests/netns_lab.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <thread>

namespace zonekeep::testing {
namespace {

// Runs `make_socket` on a thread that entered namespace `ns` first: a socket
// belongs to the namespace it was made in, for its whole life.
int SocketIn(const std::string& ns, const std::function<int()>& make_socket) {
  int result = -1;
  std::thread worker([&] {
    const int ns_fd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd < 0) return;
    if (setns(ns_fd, CLONE_NEWNET) == 0) result = make_socket();
    close(ns_fd);
  });
  worker.join();
  return result;
}

// Fills `addr` from a literal IPv4 or IPv6 address and a port.
socklen_t Address(const std::string& ip, int port, sockaddr_storage* addr) {
  std::memset(addr, 0, sizeof(*addr));
  auto* v4 = reinterpret_cast<sockaddr_in*>(addr);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return sizeof(sockaddr_in);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(addr);
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return sizeof(sockaddr_in6);
  }
  return 0;
}

// The Internet checksum (RFC 1071) of an ICMPv4 message; ICMPv6 raw sockets
// have theirs filled in by the kernel.
uint16_t Checksum(const unsigned char* data, size_t size) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < size; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (size % 2) sum += data[size - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

}  // namespace

NetnsLab::NetnsLab() {
  const std::string id = std::to_string(getpid());
  const std::string box_if = "zkb" + id, client_if = "zkc" + id;
  if (!Run({"ip", "netns", "add", "zkbox" + id})) return;
  box_ = "zkbox" + id;
  if (!Run({"ip", "netns", "add", "zkcli" + id})) return;
  client_ = "zkcli" + id;
  if (!Run({"ip", "link", "add", box_if, "netns", box_, "type", "veth", "peer",
            "name", client_if, "netns", client_})) {
    return;
  }
  const std::vector<std::vector<std::string>> setup = {
      {"ip", "-n", box_, "addr", "add", "192.0.2.1/24", "dev", box_if},
      {"ip", "-n", box_, "addr", "add", "2001:db8:0:1::1/64", "dev", box_if,
       "nodad"},
      {"ip", "-n", box_, "addr", "add", "2001:db8:0:2::1/64", "dev", box_if,
       "nodad"},
      {"ip", "-n", client_, "addr", "add", "192.0.2.5/24", "dev", client_if},
      {"ip", "-n", client_, "addr", "add", "192.0.2.50/24", "dev", client_if},
      {"ip", "-n", client_, "addr", "add", "2001:db8:0:1::5/64", "dev",
       client_if, "nodad"},
      {"ip", "-n", client_, "addr", "add", "2001:db8:0:2::5/64", "dev",
       client_if, "nodad"},
      {"ip", "-n", box_, "link", "set", "lo", "up"},
      {"ip", "-n", client_, "link", "set", "lo", "up"},
      {"ip", "-n", box_, "link", "set", box_if, "up"},
      {"ip", "-n", client_, "link", "set", client_if, "up"},
  };
  for (const auto& argv : setup) {
    if (!Run(argv)) return;
  }
}

NetnsLab::~NetnsLab() {
  for (const std::string& ns : {box_, client_}) {
    if (!ns.empty()) RunTool({"ip", "netns", "del", ns});
  }
}

bool NetnsLab::Run(const std::vector<std::string>& argv) {
  const ToolResult r = RunTool(argv);
  if (r.exit_code == 0) return true;
  std::string command;
  for (const std::string& a : argv) command += (command.empty() ? "" : " ") + a;
  error_ = command + ": exit " + std::to_string(r.exit_code) + ": " + r.err;
  return false;
}

ToolResult NetnsLab::RunIn(const std::string& ns,
                           std::vector<std::string> argv) const {
  argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
  return RunTool(argv);
}

int NetnsLab::ListenInBox(int port) const {
  return SocketIn(box_, [port] {
    const int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int zero = 0, one = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_storage addr;
    const socklen_t len = Address("::", port, &addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(fd, 16) != 0) {
      close(fd);
      return -1;
    }
    return fd;
  });
}

bool NetnsLab::ConnectFromClient(const std::string& source,
                                 const std::string& destination, int port,
                                 int timeout_ms) const {
  sockaddr_storage from, to;
  const socklen_t from_len = Address(source, 0, &from);
  const socklen_t to_len = Address(destination, port, &to);
  if (from_len == 0 || to_len == 0 || from.ss_family != to.ss_family) {
    return false;
  }
  const int fd = SocketIn(client_, [&] {
    return socket(to.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  });
  if (fd < 0) return false;
  bool connected = false;
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), from_len) == 0) {
    const int rc = connect(fd, reinterpret_cast<sockaddr*>(&to), to_len);
    if (rc == 0) {
      connected = true;
    } else if (errno == EINPROGRESS) {
      pollfd p = {fd, POLLOUT, 0};
      int so_error = -1;
      socklen_t so_len = sizeof(so_error);
      connected =
          poll(&p, 1, timeout_ms) == 1 &&
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) == 0 &&
          so_error == 0;
    }
  }
  close(fd);
  return connected;
}

bool NetnsLab::PingFromClient(const std::string& source,
                              const std::string& destination,
                              int timeout_ms) const {
  sockaddr_storage from, to;
  const socklen_t from_len = Address(source, 0, &from);
  const socklen_t to_len = Address(destination, 0, &to);
  if (from_len == 0 || to_len == 0 || from.ss_family != to.ss_family) {
    return false;
  }
  const bool v6 = to.ss_family == AF_INET6;
  const int fd = SocketIn(client_, [v6] {
    return socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC,
                  v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
  });
  if (fd < 0) return false;
  const uint16_t id = static_cast<uint16_t>(getpid());
  // type, code, checksum, identifier, sequence: the same layout for both.
  unsigned char request[8] = {
      static_cast<unsigned char>(v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO),
      0,
      0,
      0,
      static_cast<unsigned char>(id >> 8),
      static_cast<unsigned char>(id),
      0,
      1};
  if (!v6) {
    const uint16_t sum = Checksum(request, sizeof(request));
    std::memcpy(request + 2, &sum, 2);
  }
  bool replied = false;
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), from_len) == 0 &&
      sendto(fd, request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&to),
             to_len) == static_cast<ssize_t>(sizeof(request))) {
    const unsigned char reply_type = v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
    pollfd p = {fd, POLLIN, 0};
    while (!replied && poll(&p, 1, timeout_ms) == 1) {
      unsigned char buf[1500];
      const ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      // IPv4 raw sockets deliver the IP header too; IPv6 ones do not.
      const size_t offset = v6 ? 0 : (buf[0] & 0x0f) * 4;
      replied = static_cast<size_t>(n) >= offset + 8 &&
                buf[offset] == reply_type && buf[offset + 4] == request[4] &&
                buf[offset + 5] == request[5];
    }
  }
  close(fd);
  return replied;
}

}  // namespace zonekeep::testing
