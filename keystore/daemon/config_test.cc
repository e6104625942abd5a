#include "keystore/daemon/config.h"

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
                 { "identity": "unix:keymaint", "role": "admin" } ],
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

TEST(ConfigTest, RejectsUnknownRole) {
  auto config =
      ParseConfig(R"({"clients": [{"identity": "unix:bob", "role": "root"}]})",
                  "k.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("unix:bob"), std::string::npos);
}

TEST(ConfigTest, MissingFileNamesPath) {
  auto config = LoadConfig("/nonexistent/keystored.json", "");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("/nonexistent/keystored.json"),
            std::string::npos);
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
