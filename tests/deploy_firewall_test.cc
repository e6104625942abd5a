// deploy/nftables-keystored.conf checked by nftables itself and by packets:
// - `nft -c -f` accepts it, and rejects a broken copy naming the line;
// - loaded into a throw-away network namespace, `nft -j list ruleset` shows
//   input and forward policy drop, invalid packets dropped before anything
//   is accepted, new TCP accepted only to ports 22 and 8053 and only from the
//   management sets, and IPv6 neighbour discovery accepted (hop limit 255);
// - real TCP connections over a veth pair (tests/netns_lab.h): a management
//   address reaches 22 and 8053 over IPv4 and IPv6 (IPv6 needs neighbour
//   discovery to pass the firewall), another address does not, nor does any
//   address reach a port with a listener that the ruleset does not open.
//   Without the ruleset every one of those connects: the firewall is what
//   refuses them. Echo requests (ping) from anywhere are answered, over IPv4
//   and IPv6. A copy without the neighbour discovery rule loses IPv6; one
//   without the echo rules loses ping.
#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/deploy_tool_runner.h"
#include "tests/netns_lab.h"
#include "tests/nft_ruleset.h"

namespace zonekeep::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::string RulesetPath() { return DeployFile("nftables-keystored.conf"); }

// The ruleset text with `from` replaced by `to` (which must occur).
std::string Edited(const std::string& from, const std::string& to) {
  std::string text = ReadText(RulesetPath());
  const size_t at = text.find(from);
  if (at == std::string::npos) return "";
  return text.replace(at, from.size(), to);
}

TEST(FirewallCheckTest, NftAcceptsTheRuleset) {
  const ToolResult r = RunTool({"nft", "-c", "-f", RulesetPath()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(FirewallCheckTest, NftRejectsABrokenCopyNamingTheLine) {
  ScratchDir dir;
  const std::string broken = Edited("policy drop;", "policy dorp;");
  ASSERT_FALSE(broken.empty());
  ASSERT_TRUE(WriteText(dir.path() + "/broken.conf", broken));
  const ToolResult r =
      RunTool({"nft", "-c", "-f", dir.path() + "/broken.conf"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("dorp"));
}

class FirewallLabTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(lab_.error(), "") << "netns lab"; }

  // Loads `path` into the box namespace.
  void Load(const std::string& path) {
    const ToolResult r = lab_.RunIn(lab_.box(), {"nft", "-f", path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  NftRuleset Listed() {
    const ToolResult r =
        lab_.RunIn(lab_.box(), {"nft", "-j", "list", "ruleset"});
    NftRuleset ruleset;
    std::string error;
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(ParseNftJson(r.out, &ruleset, &error)) << error;
    return ruleset;
  }
  // Listeners on the ports the probes aim at; closed in TearDown.
  void ListenOn(const std::vector<int>& ports) {
    for (int port : ports) {
      const int fd = lab_.ListenInBox(port);
      ASSERT_GE(fd, 0) << "listen on " << port;
      listeners_.push_back(fd);
    }
  }
  void TearDown() override {
    for (int fd : listeners_) close(fd);
  }
  bool Reaches(const std::string& from, const std::string& to, int port) {
    return lab_.ConnectFromClient(from, to, port);
  }

  NetnsLab lab_;
  std::vector<int> listeners_;
};

TEST_F(FirewallLabTest, LoadedRulesetAdmitsOnlyWhatItPromises) {
  Load(RulesetPath());
  Load(RulesetPath());  // a reload replaces the table, never doubles it
  const NftRuleset set = Listed();
  ASSERT_TRUE(set.chains.count("input") && set.chains.count("forward"));
  EXPECT_EQ(set.chains.at("input").hook, "input");
  EXPECT_EQ(set.chains.at("input").policy, "drop");
  EXPECT_EQ(set.chains.at("forward").policy, "drop");

  std::vector<NftRule> input;
  for (const NftRule& r : set.rules) {
    if (r.chain == "input") input.push_back(r);
  }
  ASSERT_FALSE(input.empty());
  // Invalid packets are dropped first, before any accept.
  EXPECT_EQ(input[0].Values("ct state"), std::vector<std::string>{"invalid"});
  EXPECT_EQ(input[0].verdict, "drop");

  std::set<std::string> tcp_ports, sources;
  int accepts_of_nd = 0;
  for (const NftRule& r : input) {
    if (r.verdict != "accept") continue;
    EXPECT_FALSE(r.matches.empty()) << "an accept that matches everything";
    EXPECT_TRUE(r.Values("udp dport").empty() && r.Values("th dport").empty());
    const std::vector<std::string> ports = r.Values("tcp dport");
    if (!ports.empty()) {
      tcp_ports.insert(ports.begin(), ports.end());
      std::vector<std::string> from = r.Values("ip saddr");
      if (from.empty()) from = r.Values("ip6 saddr");
      ASSERT_EQ(from.size(), 1u) << "tcp accept without a source set";
      sources.insert(from[0]);
      EXPECT_EQ(r.Values("ct state"), std::vector<std::string>{"new"});
    }
    const std::vector<std::string> icmpv6 = r.Values("icmpv6 type");
    if (std::count(icmpv6.begin(), icmpv6.end(), "nd-neighbor-solicit") &&
        std::count(icmpv6.begin(), icmpv6.end(), "nd-neighbor-advert")) {
      ++accepts_of_nd;
      EXPECT_EQ(r.Values("ip6 hoplimit"), std::vector<std::string>{"255"});
    }
  }
  EXPECT_THAT(tcp_ports, UnorderedElementsAre("22", "8053"));
  EXPECT_THAT(sources, UnorderedElementsAre("@mgmt4", "@mgmt6"));
  EXPECT_EQ(accepts_of_nd, 1);
  EXPECT_EQ(std::count_if(set.rules.begin(), set.rules.end(),
                          [](const NftRule& r) { return r.chain == "input"; }),
            static_cast<long>(input.size()));
  const ToolResult twice = lab_.RunIn(lab_.box(), {"nft", "list", "tables"});
  EXPECT_EQ(twice.out, "table inet keystored\n");
}

TEST_F(FirewallLabTest, RealConnectionsOnlyFromManagementToOpenPorts) {
  ListenOn({22, 8053, 9999});
  // Control: with no ruleset, everything connects (the lab itself works).
  EXPECT_TRUE(Reaches("192.0.2.50", "192.0.2.1", 8053));
  EXPECT_TRUE(Reaches("192.0.2.5", "192.0.2.1", 9999));
  EXPECT_TRUE(Reaches("2001:db8:0:2::5", "2001:db8:0:2::1", 8053));

  Load(RulesetPath());
  // Management addresses (192.0.2.0/28, 2001:db8:0:1::/64) to 22 and 8053.
  EXPECT_TRUE(Reaches("192.0.2.5", "192.0.2.1", 8053));
  EXPECT_TRUE(Reaches("192.0.2.5", "192.0.2.1", 22));
  EXPECT_TRUE(Reaches("2001:db8:0:1::5", "2001:db8:0:1::1", 8053));
  EXPECT_TRUE(Reaches("2001:db8:0:1::5", "2001:db8:0:1::1", 22));
  // Others, and ports the ruleset does not open, are dropped.
  EXPECT_FALSE(Reaches("192.0.2.50", "192.0.2.1", 8053));
  EXPECT_FALSE(Reaches("2001:db8:0:2::5", "2001:db8:0:2::1", 8053));
  EXPECT_FALSE(Reaches("192.0.2.5", "192.0.2.1", 9999));
  // Echo requests are answered from anywhere (rate-limited), over IPv4 and
  // over IPv6, where the neighbour discovery before them must pass too.
  EXPECT_TRUE(lab_.PingFromClient("192.0.2.50", "192.0.2.1"));
  EXPECT_TRUE(lab_.PingFromClient("2001:db8:0:2::5", "2001:db8:0:2::1"));
  // Loopback stays open inside the box.
  const ToolResult local =
      lab_.RunIn(lab_.box(), {"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9999"});
  EXPECT_EQ(local.exit_code, 0) << local.err;
}

// Without its ICMPv6 rules the same ruleset breaks IPv6 (neighbour discovery
// is dropped), while IPv4 (ARP is not IP) still works: the ND rule is needed.
TEST_F(FirewallLabTest, WithoutNeighbourDiscoveryIpv6Fails) {
  ScratchDir dir;
  const std::string no_nd = Edited(
      "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, "
      "nd-router-advert, nd-router-solicit } ip6 hoplimit 255 accept",
      "");
  ASSERT_FALSE(no_nd.empty());
  ASSERT_TRUE(WriteText(dir.path() + "/no-nd.conf", no_nd));
  ListenOn({8053});
  Load(dir.path() + "/no-nd.conf");
  EXPECT_TRUE(Reaches("192.0.2.5", "192.0.2.1", 8053));
  EXPECT_FALSE(Reaches("2001:db8:0:1::5", "2001:db8:0:1::1", 8053));
  EXPECT_FALSE(lab_.PingFromClient("2001:db8:0:1::5", "2001:db8:0:1::1"));
}

// A copy without the echo rules: no reply, so the test above could fail.
TEST_F(FirewallLabTest, WithoutEchoRulesPingFails) {
  ScratchDir dir;
  std::string no_echo =
      Edited("icmpv6 type echo-request limit rate 5/second accept", "");
  ASSERT_FALSE(no_echo.empty());
  const size_t v4 =
      no_echo.find("icmp type echo-request limit rate 5/second accept");
  ASSERT_NE(v4, std::string::npos);
  no_echo.erase(
      v4,
      std::string("icmp type echo-request limit rate 5/second accept").size());
  ASSERT_TRUE(WriteText(dir.path() + "/no-echo.conf", no_echo));
  Load(dir.path() + "/no-echo.conf");
  EXPECT_FALSE(lab_.PingFromClient("192.0.2.50", "192.0.2.1"));
  EXPECT_FALSE(lab_.PingFromClient("2001:db8:0:2::5", "2001:db8:0:2::1"));
  // ... while TCP from the management network still works: only echo went.
  ListenOn({8053});
  EXPECT_TRUE(Reaches("2001:db8:0:1::5", "2001:db8:0:1::1", 8053));
}

}  // namespace
}  // namespace zonekeep::testing
