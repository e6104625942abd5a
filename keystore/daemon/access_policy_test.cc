#include "keystore/daemon/access_policy.h"

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace keystored {
namespace {

// The clients list as parsed, without config.cc's checks (which want the
// unix users to exist on this machine): the policy is tested alone.
v1::KeystoredConfig Config(const char* json) {
  v1::KeystoredConfig config;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &config).ok());
  return config;
}

TEST(AccessPolicyTest, NoClientsMeansEverySocketPeerIsEverything) {
  AccessPolicy policy(Config("{}"));
  EXPECT_TRUE(policy.CheckAdmin("unix:alice").ok());
  EXPECT_TRUE(policy.CheckSigner("unix:alice", "example.com.").ok());
  // A TLS identity is never allowed by default.
  EXPECT_EQ(policy.CheckAdmin("signer1.example.net").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(policy.CheckSigner("signer1.example.net", "example.com.").ok());
  EXPECT_FALSE(policy.CheckAdmin("").ok());
}

TEST(AccessPolicyTest, ListedRolesOnly) {
  AccessPolicy policy(Config(R"({"clients": [
      {"identity": "unix:keymaint", "role": "admin"},
      {"identity": "unix:prov", "role": "signer", "zones": ["Example.COM"]}]})"));
  EXPECT_TRUE(policy.CheckAdmin("unix:keymaint").ok());
  EXPECT_FALSE(policy.CheckSigner("unix:keymaint", "example.com.").ok());
  absl::Status denied = policy.CheckAdmin("unix:prov");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("unix:prov"), std::string::npos);
  EXPECT_TRUE(policy.CheckSigner("unix:prov", "example.com.").ok());
  EXPECT_TRUE(policy.CheckSigner("unix:prov", "EXAMPLE.com").ok());
  EXPECT_FALSE(policy.CheckSigner("unix:prov", "example.org.").ok());
  EXPECT_FALSE(policy.CheckSigner("unix:prov", "sub.example.com.").ok());
  EXPECT_FALSE(policy.CheckAdmin("unix:mallory").ok());
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
