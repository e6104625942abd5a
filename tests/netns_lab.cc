#include "tests/netns_lab.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
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

}  // namespace zonekeep::testing
