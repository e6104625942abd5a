#include "keystore/daemon/access_policy.h"

#include <pwd.h>
#include <unistd.h>

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

// Fail closed (issue 16): with no clients list only the daemon's own user
// and root are admins.
TEST(AccessPolicyTest, NoClientsMeansOnlyOwnUserAndRoot) {
  AccessPolicy policy(Config("{}"));
  struct passwd* self = getpwuid(geteuid());
  ASSERT_NE(self, nullptr);
  const std::string me = std::string("unix:") + self->pw_name;
  EXPECT_TRUE(policy.CheckAdmin(me).ok());
  EXPECT_TRUE(policy.CheckSigner(me, "example.com.").ok());
  EXPECT_TRUE(policy.CheckAdmin("unix:root").ok());
  const std::string other =
      me == "unix:nobody" ? "unix:uid=4242" : "unix:nobody";
  const absl::Status denied = policy.CheckAdmin(other);
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find(other), std::string::npos)
      << denied.message();
  EXPECT_FALSE(policy.CheckSigner(other, "example.com.").ok());
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
  // An admin signs any zone, unbound by the signing policy.
  EXPECT_TRUE(policy.CheckSigner("unix:keymaint", "example.com.").ok());
  EXPECT_FALSE(policy.SigningPolicyFor("unix:keymaint").has_value());
  EXPECT_TRUE(policy.SigningPolicyFor("unix:prov").has_value());
  absl::Status denied = policy.CheckAdmin("unix:prov");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("unix:prov"), std::string::npos);
  EXPECT_TRUE(policy.CheckSigner("unix:prov", "example.com.").ok());
  EXPECT_TRUE(policy.CheckSigner("unix:prov", "EXAMPLE.com").ok());
  EXPECT_FALSE(policy.CheckSigner("unix:prov", "example.org.").ok());
  EXPECT_FALSE(policy.CheckSigner("unix:prov", "sub.example.com.").ok());
  EXPECT_FALSE(policy.CheckAdmin("unix:mallory").ok());
}

TEST(AccessPolicyTest, CertificateNamesPickTheListedOne) {
  AccessPolicy policy(Config(R"({"clients": [
      {"identity": "signer1.example.net", "role": "signer",
       "zones": ["example.com."], "signing-policy": {"max-validity": 86400}}],
      "signing-policy": {"max-jitter": 60}})"));
  EXPECT_EQ(policy.IdentityOfCertificateNames(
                {"www.example.net", "signer1.example.net"}),
            "signer1.example.net");
  EXPECT_EQ(policy.IdentityOfCertificateNames({"Signer1.example.net"}),
            "Signer1.example.net");
  EXPECT_FALSE(policy.CheckSigner("Signer1.example.net", "example.com.").ok());
  std::optional<SigningPolicy> limits =
      policy.SigningPolicyFor("signer1.example.net");
  ASSERT_TRUE(limits.has_value());
  EXPECT_EQ(limits->max_validity, 86400);
  EXPECT_EQ(limits->max_jitter, 60);
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
