#include "tests/test_interop.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace interop {

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  const auto& [kind, alg, denial] = info.param;
  const char* d = denial == Denial::kNsec    ? "Nsec"
                  : denial == Denial::kNsec3 ? "Nsec3"
                                             : "Nsec3OptOut";
  return absl::StrCat(kind == ZoneKind::kTld ? "Tld" : "Hosting", "_",
                      dnssec::AlgorithmName(alg), "_", d);
}

const char* OriginOf(ZoneKind kind) {
  return kind == ZoneKind::kTld ? kTldOrigin : kHostingOrigin;
}

std::string ZoneTextOf(ZoneKind kind) {
  return kind == ZoneKind::kTld ? TldZone(60) : HostingZone();
}

std::string TldZone(int delegations) {
  std::string z =
      "$ORIGIN tld.\n"
      "$TTL 86400\n"
      "@ IN SOA a.nic hostmaster.nic 2024010101 1800 900 604800 3600\n"
      "@ IN NS a.nic\n"
      "@ IN NS b.nic\n"
      "a.nic IN A 192.0.2.1\n"
      "a.nic IN AAAA 2001:db8::1\n"
      "b.nic IN A 192.0.2.2\n"
      // A delegation below an empty non-terminal.
      "child.ent IN NS ns.child.ent\n"
      "ns.child.ent IN A 192.0.2.3\n"
      "secure.ent2 IN NS ns.example.net.\n"
      "secure.ent2 IN DS 2371 13 2 "
      "1F987CC6583E92DF0890718C42E8F40B0C7E5E7A6D6D3B7B1C3B5F0E2D4A6C8E\n";
  for (int i = 0; i < delegations; ++i) {
    const std::string name = absl::StrCat("dom", i);
    absl::StrAppend(&z, name, " 172800 IN NS ns1.", name, "\n");
    absl::StrAppend(&z, name, " 172800 IN NS ns.provider.example.net.\n");
    absl::StrAppend(&z, "ns1.", name, " 172800 IN A 198.51.100.", i % 250,
                    "\n");
    if (i % 2 == 0) {
      absl::StrAppend(&z, "ns1.", name,
                      " 172800 IN AAAA 2001:db8:1::", absl::Hex(i), "\n");
    }
    if (i % 3 == 0) {
      absl::StrAppend(&z, name, " 86400 IN DS ", 10000 + i, " 13 2 ",
                      absl::StrFormat("%064X", i).substr(0, 48),
                      "0123456789ABCDEF\n");
    }
  }
  return z;
}

std::string HostingZone() {
  std::string z =
      "$ORIGIN Hosting.Example.\n"
      "$TTL 3600\n"
      "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
      "@ IN NS ns1\n"
      "@ IN NS ns2.provider.example.net.\n"
      "@ IN MX 10 Mail\n"
      "@ IN TXT \"v=spf1 mx -all\"\n"
      "@ IN CAA 0 issue \"letsencrypt.org\"\n"
      "@ IN HTTPS 1 . alpn=h2,h3\n"
      "ns1 IN A 192.0.2.1\n"
      "ns1 IN AAAA 2001:db8::1\n"
      "mail 7200 IN A 192.0.2.25\n"
      "mail IN AAAA 2001:db8::25\n"
      "WWW IN CNAME @\n"
      "_sip._tcp IN SRV 10 60 5060 sip\n"
      "sip IN A 192.0.2.50\n"
      "_443._tcp.www2 IN TLSA 3 1 1 "
      "0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6\n"
      "www2 IN A 192.0.2.80\n"
      "svc IN SVCB 1 svc-target alpn=h2 port=8443\n"
      "svc-target IN A 192.0.2.81\n"
      "vpn IN IPSECKEY 10 1 2 192.0.2.38 "
      "AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==\n"
      "*.wild IN A 192.0.2.99\n"
      "*.wild IN TXT \"wildcard\"\n"
      "*.Sub.Wild IN MX 5 mail\n"
      "a.b.ent IN A 192.0.2.60\n"
      "x.y.z.deep IN TXT \"three empty non-terminals above me\"\n"
      "weird\\.label IN TXT \"escaped dot\"\n"
      "\\065\\066C IN TXT \"upper case by escape\"\n"
      "sp\\032ace IN TXT \"space\"\n"
      "UPPER.Case IN A 192.0.2.77\n"
      "multi IN TXT \"part one\" \"part two\"\n"
      "multi IN TXT \"another\"\n"
      "ptr IN PTR host.example.net.\n"
      "alias IN DNAME target.example.net.\n"
      "unknown IN TYPE65280 \\# 4 0A000001\n";
  for (int i = 0; i < 20; ++i) {
    absl::StrAppend(&z, "host", i, " IN A 192.0.2.", 100 + i, "\n");
  }
  return z;
}

const std::vector<dnssec::ZoneKey>& KeysFor(dnssec::Algorithm algorithm) {
  static std::mutex mu;
  static auto* cache =
      new std::map<dnssec::Algorithm, std::vector<dnssec::ZoneKey>>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache->find(algorithm);
  if (it == cache->end()) {
    auto keys = dnssec::MakeTestKeySet(algorithm);
    if (!keys.ok()) {
      ADD_FAILURE() << "key generation: " << keys.status();
      abort();
    }
    it = cache->emplace(algorithm, *std::move(keys)).first;
  }
  return it->second;
}

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const char* dir = getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/", name);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  return path;
}

ToolResult Run(const std::string& command) {
  ToolResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) {
    if (result.output.size() < 20000) result.output.append(buf, n);
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

ToolResult DnssecVerify(const std::string& origin, const std::string& path) {
  return Run(absl::StrCat("dnssec-verify -o ", origin, " ", path));
}

ToolResult LdnsVerifyZone(const std::string& path) {
  return Run(absl::StrCat("ldns-verify-zone ", path));
}

ToolResult Kzonecheck(const std::string& origin, const std::string& path) {
  return Run(absl::StrCat("kzonecheck -o ", origin, " -d on ", path));
}

}  // namespace interop
}  // namespace zonekeep
