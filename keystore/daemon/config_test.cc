#include "keystore/daemon/config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace keystored {
namespace {

TEST(ConfigTest, EmbeddedDefault) {
  auto config = LoadConfig("", "");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->state_dir(), "./var/keystored");
  EXPECT_EQ(config->admin_socket(), "./var/keystored/admin.sock");
  EXPECT_TRUE(config->listen().empty());
  EXPECT_EQ(config->propagation_delay(), 3600);
}

TEST(ConfigTest, StateDirOverrideMovesDefaultSocket) {
  auto config = LoadConfig("", "/tmp/ks");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->state_dir(), "/tmp/ks");
  EXPECT_EQ(config->admin_socket(), "/tmp/ks/admin.sock");
}

TEST(ConfigTest, ParsesDesignExample) {
  const char* json = R"({
    "state-dir": "/var/lib/keystored",
    "admin-socket": "/run/keystored/admin.sock",
    "listen": "127.0.0.1:8053",
    "tls": { "trust-anchor": "/etc/keystored/ca.pem",
             "cert-file": "/etc/keystored/server.pem",
             "key-file": "/etc/keystored/server.key", "cert-required": true },
    "clients": [ { "identity": "signer1.example.net", "role": "signer",
                   "zones": ["example.com."] },
                 { "identity": "unix:root", "role": "admin" } ],
    "propagation-delay": 600
  })";
  auto config = ParseConfig(json, "test.json", "");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->admin_socket(), "/run/keystored/admin.sock");
  EXPECT_TRUE(config->tls().cert_required());
  ASSERT_EQ(config->clients_size(), 2);
  EXPECT_EQ(config->clients(0).zones(0), "example.com.");
  EXPECT_EQ(config->propagation_delay(), 600);
}

TEST(ConfigTest, RejectsPartialTls) {
  auto config =
      ParseConfig(R"({"tls": {"cert-file": "/x.pem"}})", "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("k.json: tls:"), std::string::npos)
      << config.status();
}

TEST(ConfigTest, RejectsUnknownKey) {
  auto config = ParseConfig(R"({"state_dirr": "/x"})", "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("k.json"), std::string::npos);
}

TEST(ConfigTest, RejectsPublicListenerWithoutTls) {
  auto config = ParseConfig(R"({"listen": "0.0.0.0:8053"})", "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("not a loopback"),
            std::string::npos);
}

TEST(ConfigTest, LoopbackWithoutTlsMeansLoopbackAddresses) {
  for (const char* listen :
       {"127.0.0.1:0", "127.1.2.3:8053", "[::1]:8053", "localhost:8053"}) {
    auto config = ParseConfig(absl::StrCat(R"({"listen": ")", listen, R"("})"),
                              "k.json", "");
    EXPECT_TRUE(config.ok()) << listen << ": " << config.status();
  }
  // Names that merely start like a loopback address may resolve anywhere.
  for (const char* listen :
       {"127.0.0.1.example.net:8053", "127.evil.example:8053",
        "localhost.example.net:8053", "[::]:8053", "[::ffff:10.0.0.1]:8053",
        "128.0.0.1:8053"}) {
    auto config = ParseConfig(absl::StrCat(R"({"listen": ")", listen, R"("})"),
                              "k.json", "");
    ASSERT_FALSE(config.ok()) << listen;
    EXPECT_NE(config.status().message().find("not a loopback"),
              std::string::npos)
        << listen << ": " << config.status();
  }
}

TEST(ConfigTest, RejectsUnknownRole) {
  auto config =
      ParseConfig(R"({"clients": [{"identity": "unix:root", "role": "root"}]})",
                  "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("unix:root"), std::string::npos);
}

std::vector<std::string> Lines(const absl::Status& status) {
  return absl::StrSplit(status.message(), '\n');
}

TEST(ConfigTest, ErrorsNameTheJsonKeyAndTheFile) {
  auto config = ParseConfig(R"({"propagation-delay": "soon"})", "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(absl::StartsWith(config.status().message(), "k.json: "))
      << config.status();
  EXPECT_TRUE(absl::StrContains(config.status().message(), "propagation-delay"))
      << config.status();
  EXPECT_FALSE(
      absl::StrContains(config.status().message(), "propagation_delay"))
      << config.status();
  config = ParseConfig(R"({"propagation-delay": -1})", "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "k.json: propagation-delay must not be negative");
}

TEST(ConfigTest, IdentitiesAreUnixUsersOrDnsNames) {
  EXPECT_TRUE(ParseConfig(R"({"clients": [
      {"identity": "unix:root", "role": "admin"},
      {"identity": "signer1.example.net", "role": "signer",
       "zones": ["Example.COM"]}]})",
                          "k.json", "")
                  .ok());
  auto config = ParseConfig(
      R"({"clients": [{"identity": "root", "role": "admin"}]})", "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(absl::StrContains(config.status().message(),
                                "k.json: clients: \"root\": identity is "
                                "neither unix:USER"))
      << config.status();
  EXPECT_TRUE(absl::StrContains(config.status().message(), "\"unix:root\""));
  config = ParseConfig(
      R"({"clients": [{"identity": "unix:no-such-user-zk13", "role": "admin"}]})",
      "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(
      absl::StrContains(config.status().message(),
                        "no user \"no-such-user-zk13\" on this machine"))
      << config.status();
}

TEST(ConfigTest, AdminWithZonesAndBadZoneNamesAreErrors) {
  auto config = ParseConfig(R"({"clients": [
      {"identity": "unix:root", "role": "admin", "zones": ["example.com."]}]})",
                            "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(absl::StrContains(config.status().message(),
                                "\"zones\" is given for an admin"))
      << config.status();
  config = ParseConfig(R"({"clients": [
      {"identity": "unix:root", "role": "signer", "zones": ["exa..mple.com"]}]})",
                       "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(absl::StrContains(config.status().message(),
                                "zones: \"exa..mple.com\" is not a zone name"))
      << config.status();
}

TEST(ConfigTest, ReportsEveryProblem) {
  auto config = ParseConfig(R"({
      "tls": {"cert-file": "/x.pem"},
      "clients": [{"identity": "root", "role": "boss"},
                  {"identity": "unix:root", "role": "admin", "zones": ["a..b"]}],
      "propagation-delay": -5})",
                            "k.json", "");
  ASSERT_FALSE(config.ok());
  const std::vector<std::string> lines = Lines(config.status());
  EXPECT_EQ(lines.size(), 6u) << config.status();
  for (const std::string& line : lines) {
    EXPECT_TRUE(absl::StartsWith(line, "k.json: ")) << line;
  }
}

TEST(ConfigTest, MissingFileNamesPath) {
  auto config = LoadConfig("/nonexistent/keystored.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("/nonexistent/keystored.json"),
            std::string::npos);
}

TEST(ConfigTest, ZonesAndCheckInterval) {
  const char* json = R"({
    "check-interval": 60,
    "zones": [ { "zone": "Child.Example", "parent-agents": ["192.0.2.1:53",
                 "[2001:db8::1]:53"], "zone-servers": ["192.0.2.53:5353"] } ]
  })";
  auto config = ParseConfig(json, "k.json", "");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->check_interval(), 60);
  ASSERT_EQ(config->zones_size(), 1);
  EXPECT_EQ(config->zones(0).zone(), "child.example.");
  EXPECT_EQ(config->zones(0).parent_agents_size(), 2);
  EXPECT_EQ(config->zones(0).zone_servers(0), "192.0.2.53:5353");
  auto plain = ParseConfig("{}", "k.json", "");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->check_interval(), 3600);
}

TEST(ConfigTest, ZoneCdsAndPurgeMinAge) {
  auto config = ParseConfig(
      R"({ "purge-min-age": 86400, "zones": [ { "zone": "a.example",
           "cds": true } ] })",
      "k.json", "");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->purge_min_age(), 86400);
  EXPECT_TRUE(config->zones(0).cds());
  auto plain = ParseConfig("{}", "k.json", "");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->purge_min_age(), 7 * 24 * 3600);
  auto bad = ParseConfig(R"({ "purge-min-age": -1 })", "k.json", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(),
                                "purge-min-age must not be negative"));
}

TEST(ConfigTest, AuditRefusalInterval) {
  auto plain = ParseConfig("{}", "k.json", "");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->audit_refusal_interval(), 60);
  auto set = ParseConfig(R"({ "audit-refusal-interval": 0 })", "k.json", "");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->audit_refusal_interval(), 0);
  auto bad = ParseConfig(R"({ "audit-refusal-interval": -5 })", "k.json", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(),
                                "audit-refusal-interval must not be negative"));
}

TEST(ConfigTest, RejectsBadZonesEntries) {
  const char* json = R"({
    "check-interval": 0,
    "zones": [ { "zone": "a..b", "zone-servers": ["2001:db8::1:53"] },
               { "parent-agents": ["192.0.2.1"] },
               { "zone": "x.example.", "zone-servers": ["[::1]:99999"] },
               { "zone": "X.example", "parent-agents": ["ns1.example:53"] } ]
  })";
  auto config = ParseConfig(json, "k.json", "");
  ASSERT_FALSE(config.ok());
  const std::string m(config.status().message());
  EXPECT_TRUE(absl::StrContains(m, "k.json: check-interval must be at least 1"))
      << m;
  EXPECT_TRUE(absl::StrContains(m, "zones[0]: zone \"a..b\" is not a valid"))
      << m;
  EXPECT_TRUE(absl::StrContains(m,
                                "zones[0]: zone-servers: "
                                "\"2001:db8::1:53\": write an IPv6 "
                                "address in brackets"))
      << m;
  EXPECT_TRUE(absl::StrContains(m, "zones[1]: \"zone\" is missing")) << m;
  EXPECT_TRUE(absl::StrContains(m,
                                "zones[1]: parent-agents: \"192.0.2.1\" "
                                "has no port"))
      << m;
  EXPECT_TRUE(absl::StrContains(m,
                                "zones[2]: zone-servers: \"[::1]:99999\": "
                                "port must be 1-65535"))
      << m;
  EXPECT_TRUE(absl::StrContains(m,
                                "zones[3]: zone x.example. is configured "
                                "twice"))
      << m;
  EXPECT_TRUE(absl::StrContains(m, "ns1.example is not an IPv4 address")) << m;
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep

namespace zonekeep {
namespace keystored {
namespace {

TEST(ConfigTest, Issue16CapsHaveDefaultsAndMustBePositive) {
  auto config = ParseConfig("{}", "k.json", "");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->max_records(), kDefaultMaxRecords);
  EXPECT_EQ(config->max_name_labels(), kDefaultMaxNameLabels);
  EXPECT_EQ(config->max_signatures(), kDefaultMaxSignatures);
  EXPECT_EQ(config->max_sign_jobs_per_identity(),
            kDefaultMaxSignJobsPerIdentity);
  EXPECT_EQ(config->max_connections_per_identity(),
            kDefaultMaxConnectionsPerIdentity);
  EXPECT_EQ(config->idle_timeout(), kDefaultIdleTimeoutSeconds);
  config = ParseConfig(R"({"max-name-labels": 0, "idle-timeout": -1})",
                       "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(
                "k.json: max-name-labels must be 1 or more"),
            std::string::npos)
      << config.status();
  EXPECT_NE(config.status().message().find("idle-timeout must be 1 or more"),
            std::string::npos)
      << config.status();
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
