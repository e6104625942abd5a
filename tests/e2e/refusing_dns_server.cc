#include "tests/e2e/refusing_dns_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace zonekeep::testing {

RefusingDnsServer::RefusingDnsServer() {
  fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd_);
    fd_ = -1;
    return;
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

RefusingDnsServer::~RefusingDnsServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
}

std::string RefusingDnsServer::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

void RefusingDnsServer::Serve() {
  unsigned char buf[4096];
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    sockaddr_storage from{};
    socklen_t from_len = sizeof(from);
    const ssize_t n = recvfrom(fd_, buf, sizeof(buf), 0,
                               reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 12) continue;  // shorter than a DNS header
    // The reply is the header and the question (QNAME labels, QTYPE, QCLASS).
    ssize_t end = 12;
    while (end < n && buf[end] != 0) end += buf[end] + 1;
    end += 5;
    if (end > n) continue;
    buf[2] = (buf[2] & 0x79) | 0x80;  // QR=1, keep opcode and RD, AA=TC=0
    buf[3] = 0x05;                    // RA=0, RCODE=REFUSED
    // Question kept; no answer, authority or additional records.
    buf[4] = 0;
    buf[5] = 1;
    buf[6] = buf[7] = buf[8] = buf[9] = buf[10] = buf[11] = 0;
    sendto(fd_, buf, end, 0, reinterpret_cast<sockaddr*>(&from), from_len);
    ++answered_;
  }
}

}  // namespace zonekeep::testing
