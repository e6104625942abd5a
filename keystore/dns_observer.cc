#include "keystore/dns_observer.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "dnssec/ldns_ptr.h"

namespace zonekeep {
namespace keystore {
namespace {

struct ResolverDeleter {
  void operator()(ldns_resolver* r) const { ldns_resolver_deep_free(r); }
};
using ResolverPtr = std::unique_ptr<ldns_resolver, ResolverDeleter>;
struct PktDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;

std::string ParentOf(const std::string& zone) {
  const size_t dot = zone.find('.');
  if (dot == std::string::npos || dot + 1 >= zone.size()) return ".";
  return zone.substr(dot + 1);
}

void Configure(ldns_resolver* r, absl::Duration timeout) {
  timeval tv;
  tv.tv_sec = absl::ToInt64Seconds(timeout);
  tv.tv_usec = absl::ToInt64Microseconds(timeout) % 1000000;
  ldns_resolver_set_timeout(r, tv);
  ldns_resolver_set_retry(r, 1);
  ldns_resolver_set_retrans(r, 1);
  ldns_resolver_set_fallback(r, true);
  ldns_resolver_set_random(r, false);
}

// Asks `server` for `zone` `type` without recursion.
ServerSeen Ask(const ServerAddress& server, const std::string& zone,
               ldns_rr_type type, absl::Duration timeout) {
  ServerSeen seen;
  seen.server = server.ToString();
  ResolverPtr res(ldns_resolver_new());
  dnssec::LdnsRdfPtr addr(ldns_rdf_new_frm_str(
      server.ipv6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, server.ip.c_str()));
  dnssec::LdnsRdfPtr name(ldns_dname_new_frm_str(zone.c_str()));
  if (!res || !addr || !name ||
      ldns_resolver_push_nameserver(res.get(), addr.get()) != LDNS_STATUS_OK) {
    seen.error = "cannot build the query";
    return seen;
  }
  Configure(res.get(), timeout);
  ldns_resolver_set_port(res.get(), server.port);
  ldns_resolver_set_recursive(res.get(), false);
  ldns_resolver_set_dnssec(res.get(), true);
  ldns_resolver_set_edns_udp_size(res.get(), 1232);
  ldns_pkt* raw = nullptr;
  const ldns_status st = ldns_resolver_send(&raw, res.get(), name.get(), type,
                                            LDNS_RR_CLASS_IN, 0);
  PktPtr pkt(raw);
  if (st != LDNS_STATUS_OK || !pkt) {
    seen.error = absl::StrCat("no answer (", ldns_get_errorstr_by_id(st), ")");
    return seen;
  }
  if (ldns_pkt_get_rcode(pkt.get()) != LDNS_RCODE_NOERROR) {
    ldns_lookup_table* rcode =
        ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(pkt.get()));
    seen.error = absl::StrCat("answered ", rcode ? rcode->name : "an error");
    return seen;
  }
  if (!ldns_pkt_aa(pkt.get())) {
    seen.error = "answered without authority (AA not set)";
    return seen;
  }
  seen.answered = true;
  dnssec::LdnsRrListPtr rrs(ldns_pkt_rr_list_by_name_and_type(
      pkt.get(), name.get(), type, LDNS_SECTION_ANSWER));
  if (!rrs) return seen;
  for (size_t i = 0; i < ldns_rr_list_rr_count(rrs.get()); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(rrs.get(), i);
    if (type == LDNS_RR_TYPE_SOA) {
      if (ldns_rr_rd_count(rr) >= 3) {
        seen.serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
      }
      continue;
    }
    seen.ttl = i == 0 ? ldns_rr_ttl(rr) : std::max(seen.ttl, ldns_rr_ttl(rr));
    dnssec::LdnsBufferPtr buf(ldns_buffer_new(512));
    if (buf && ldns_rr_rdata2buffer_wire(buf.get(), rr) == LDNS_STATUS_OK) {
      seen.rdata.emplace_back(
          reinterpret_cast<const char*>(ldns_buffer_begin(buf.get())),
          ldns_buffer_position(buf.get()));
    }
  }
  if (type == LDNS_RR_TYPE_SOA && !seen.serial.has_value()) {
    seen.answered = false;
    seen.error = "answered without a SOA record";
  }
  return seen;
}

// The addresses of `zone`'s NS set, through the system resolver.
absl::StatusOr<std::vector<ServerAddress>> NsAddresses(
    const std::string& zone, const std::string& resolv_conf,
    absl::Duration timeout) {
  ldns_resolver* raw = nullptr;
  const ldns_status st = ldns_resolver_new_frm_file(
      &raw, resolv_conf.empty() ? nullptr : resolv_conf.c_str());
  ResolverPtr res(raw);
  if (st != LDNS_STATUS_OK || !res) {
    return absl::UnavailableError(
        absl::StrCat("no system resolver (", ldns_get_errorstr_by_id(st), ")"));
  }
  Configure(res.get(), timeout);
  dnssec::LdnsRdfPtr name(ldns_dname_new_frm_str(zone.c_str()));
  if (!name) return absl::InvalidArgumentError("bad zone name");
  ldns_pkt* pkt_raw = nullptr;
  ldns_status q =
      ldns_resolver_query_status(&pkt_raw, res.get(), name.get(),
                                 LDNS_RR_TYPE_NS, LDNS_RR_CLASS_IN, LDNS_RD);
  PktPtr pkt(pkt_raw);
  if (q != LDNS_STATUS_OK || !pkt) {
    return absl::UnavailableError(
        absl::StrCat("the system resolver did not answer (",
                     ldns_get_errorstr_by_id(q), ")"));
  }
  dnssec::LdnsRrListPtr ns(ldns_pkt_rr_list_by_name_and_type(
      pkt.get(), name.get(), LDNS_RR_TYPE_NS, LDNS_SECTION_ANSWER));
  std::vector<ServerAddress> out;
  for (size_t i = 0; ns && i < ldns_rr_list_rr_count(ns.get()); ++i) {
    const ldns_rdf* host = ldns_rr_rdf(ldns_rr_list_rr(ns.get(), i), 0);
    dnssec::LdnsRrListPtr addrs(ldns_get_rr_list_addr_by_name(
        res.get(), host, LDNS_RR_CLASS_IN, LDNS_RD));
    for (size_t j = 0; addrs && j < ldns_rr_list_rr_count(addrs.get()); ++j) {
      const ldns_rr* rr = ldns_rr_list_rr(addrs.get(), j);
      dnssec::LdnsStringPtr text(ldns_rdf2str(ldns_rr_rdf(rr, 0)));
      if (!text) continue;
      ServerAddress a;
      a.ip = text.get();
      a.ipv6 = ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA;
      out.push_back(a);
    }
  }
  if (out.empty()) {
    return absl::NotFoundError("no NS addresses found");
  }
  return out;
}

class LdnsObserver final : public DnsObserver {
 public:
  explicit LdnsObserver(LdnsObserverOptions options)
      : options_(std::move(options)) {}

  std::vector<ServerSeen> ZoneSerials(const std::string& zone) const override {
    return AskAll(ZoneServersOf(zone), zone, LDNS_RR_TYPE_SOA);
  }
  std::vector<ServerSeen> ParentDs(const std::string& zone) const override {
    return AskAll(ParentAgentsOf(zone), zone, LDNS_RR_TYPE_DS);
  }
  std::vector<ServerSeen> ZoneDnskeys(const std::string& zone) const override {
    return AskAll(ZoneServersOf(zone), zone, LDNS_RR_TYPE_DNSKEY);
  }

 private:
  // The servers, or the one-entry failure of finding them.
  using Servers =
      std::pair<std::vector<ServerAddress>, std::optional<ServerSeen>>;

  Servers Find(const std::vector<ServerAddress>* configured,
               const std::string& ns_of) const {
    if (configured != nullptr && !configured->empty()) {
      return {*configured, std::nullopt};
    }
    absl::StatusOr<std::vector<ServerAddress>> found =
        NsAddresses(ns_of, options_.resolv_conf, options_.timeout);
    if (found.ok()) return {*found, std::nullopt};
    ServerSeen failed;
    failed.server = absl::StrCat("(NS set of ", ns_of, ")");
    failed.error = std::string(found.status().message());
    return {{}, failed};
  }
  Servers ZoneServersOf(const std::string& zone) const {
    auto it = options_.zones.find(zone);
    return Find(it == options_.zones.end() ? nullptr : &it->second.zone_servers,
                zone);
  }
  Servers ParentAgentsOf(const std::string& zone) const {
    auto it = options_.zones.find(zone);
    return Find(
        it == options_.zones.end() ? nullptr : &it->second.parent_agents,
        ParentOf(zone));
  }
  std::vector<ServerSeen> AskAll(const Servers& servers,
                                 const std::string& zone,
                                 ldns_rr_type type) const {
    if (servers.second.has_value()) return {*servers.second};
    std::vector<ServerSeen> out;
    for (const ServerAddress& server : servers.first) {
      out.push_back(Ask(server, zone, type, options_.timeout));
    }
    return out;
  }

  const LdnsObserverOptions options_;
};

}  // namespace

std::string ServerAddress::ToString() const {
  return ipv6 ? absl::StrCat("[", ip, "]:", port) : absl::StrCat(ip, ":", port);
}

absl::StatusOr<ServerAddress> ParseServerAddress(absl::string_view text) {
  ServerAddress a;
  absl::string_view port_text;
  const std::string quoted = absl::StrCat("\"", text, "\"");
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() ||
        text[close + 1] != ':') {
      return absl::InvalidArgumentError(
          absl::StrCat(quoted, " is not [IPv6]:PORT"));
    }
    a.ip = std::string(text.substr(1, close - 1));
    a.ipv6 = true;
    port_text = text.substr(close + 2);
    in6_addr v6;
    if (inet_pton(AF_INET6, a.ip.c_str(), &v6) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(quoted, ": ", a.ip, " is not an IPv6 address"));
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(quoted, " has no port: write HOST:PORT"));
    }
    a.ip = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    in_addr v4;
    if (a.ip.find(':') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          quoted, ": write an IPv6 address in brackets, [", a.ip, "]:PORT"));
    }
    if (inet_pton(AF_INET, a.ip.c_str(), &v4) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(quoted, ": ", a.ip, " is not an IPv4 address"));
    }
  }
  uint32_t port = 0;
  if (!absl::SimpleAtoi(port_text, &port) || port == 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(quoted, ": port must be 1-65535"));
  }
  a.port = static_cast<uint16_t>(port);
  return a;
}

std::unique_ptr<DnsObserver> MakeLdnsObserver(LdnsObserverOptions options) {
  return std::make_unique<LdnsObserver>(std::move(options));
}

}  // namespace keystore
}  // namespace zonekeep
