#include "cli/sign_flags.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace cli {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

TEST(ParseSignFlagsTest, DnssecSignzoneStyle) {
  auto command =
      ParseSignFlags({"-o",  "example.com.", "-f",     "-",    "-s", "now-7200",
                      "-e",  "+86400",       "-j",     "3600", "-N", "unixtime",
                      "-3",  "aabb",         "-H",     "0",    "-A", "-T",
                      "600", "--cds",        "zone.db"},
                     kNow);
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->zone_file, "zone.db");
  EXPECT_EQ(command->out_file, "-");
  const v1::SignOptions& o = command->options;
  EXPECT_EQ(o.origin(), "example.com.");
  EXPECT_EQ(o.inception_unix(), 1800000000 - 7200);
  EXPECT_EQ(o.expiration_unix(), 1800000000 - 7200 + 86400);
  EXPECT_EQ(o.jitter_seconds(), 3600u);
  EXPECT_EQ(o.serial_mode(), v1::SignOptions::SERIAL_UNIXTIME);
  EXPECT_TRUE(o.nsec3());
  EXPECT_TRUE(o.nsec3_opt_out());
  EXPECT_EQ(o.nsec3_salt_hex(), "aabb");
  EXPECT_EQ(o.dnskey_ttl(), 600u);
  EXPECT_TRUE(o.add_cds());
  EXPECT_EQ(o.display_name(), "zone.db");
}

TEST(ParseSignFlagsTest, DefaultsFromFileName) {
  auto command = ParseSignFlags({"/zones/example.org"}, kNow);
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->options.origin(), "example.org");
  EXPECT_EQ(command->out_file, "/zones/example.org.signed");
  EXPECT_EQ(command->options.inception_unix(), 0);  // engine default
  EXPECT_FALSE(command->options.nsec3());
}

TEST(ParseSignFlagsTest, AbsoluteTimes) {
  auto t = ParseSignTime("20270101000000", kNow, kNow);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(absl::ToUnixSeconds(*t), 1798761600);
}

// 0 is "unset" in SignOptions: -s 0 must not silently become the default.
TEST(ParseSignFlagsTest, StartAtOrBefore1970IsRefused) {
  for (const char* start : {"0", "19700101000000", "19690101000000"}) {
    auto c = ParseSignFlags({"-s", start, "z"}, kNow);
    ASSERT_FALSE(c.ok()) << start;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(c.status().message().rfind(absl::StrCat("-s: \"", start), 0), 0u)
        << c.status();
  }
  auto one = ParseSignFlags({"-s", "1", "z"}, kNow);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->options.inception_unix(), 1);
}

TEST(ParseSignFlagsTest, Errors) {
  EXPECT_FALSE(ParseSignFlags({}, kNow).ok());
  EXPECT_FALSE(ParseSignFlags({"-N", "sometimes", "z"}, kNow).ok());
  EXPECT_FALSE(ParseSignFlags({"-3", "xyz", "z"}, kNow).ok());
  EXPECT_FALSE(ParseSignFlags({"-H", "many", "z"}, kNow).ok());
  EXPECT_FALSE(ParseSignFlags({"-s", "yesterday", "z"}, kNow).ok());
  EXPECT_FALSE(ParseSignFlags({"-s", "now", "-e", "now-10", "z"}, kNow).ok());
  EXPECT_FALSE(ParseSignFlags({"--bogus", "z"}, kNow).ok());
  EXPECT_FALSE(ParseSignFlags({"a", "b"}, kNow).ok());
  EXPECT_FALSE(ParseSignFlags({"-o"}, kNow).ok());
  auto no_tls = ParseSignFlags({"--server", "h:1", "z"}, kNow);
  ASSERT_FALSE(no_tls.ok());
  EXPECT_NE(no_tls.status().message().find("--ca"), std::string::npos);
  EXPECT_FALSE(
      ParseSignFlags({"--server", "h:1", "--ca", "c", "--cert", "x", "z"}, kNow)
          .ok());
  EXPECT_FALSE(ParseSignFlags(
                   {"--server", "h:1", "--ca", "c", "--socket", "s", "z"}, kNow)
                   .ok());
  EXPECT_FALSE(ParseSignFlags({"--ca", "c", "z"}, kNow).ok());
}

TEST(ParseSignFlagsTest, ServerTakesCaAndOptionalClientCertificate) {
  auto mutual = ParseSignFlags({"--server", "127.0.0.1:8053", "--ca", "ca.pem",
                                "--cert", "c.pem", "--key", "c.key", "-q", "z"},
                               kNow);
  ASSERT_TRUE(mutual.ok()) << mutual.status();
  EXPECT_EQ(mutual->server, "127.0.0.1:8053");
  EXPECT_EQ(mutual->cert_file, "c.pem");
  EXPECT_TRUE(mutual->quiet);
  auto server_only =
      ParseSignFlags({"--server", "[::1]:8053", "--ca", "ca.pem", "z"}, kNow);
  ASSERT_TRUE(server_only.ok()) << server_only.status();
  EXPECT_TRUE(server_only->cert_file.empty());
  EXPECT_FALSE(server_only->quiet);
}

TEST(ParseCheckFlagsTest, CheckModeTakesOriginAndOneFile) {
  EXPECT_TRUE(IsCheckCommand({"-o", "x.", "--check", "z"}));
  EXPECT_FALSE(IsCheckCommand({"-o", "x.", "z"}));
  auto c = ParseCheckFlags({"--check", "-o", "example.", "z.zone"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->origin, "example.");
  EXPECT_EQ(c->zone_file, "z.zone");
  auto no_origin = ParseCheckFlags({"z.zone", "--check"});
  ASSERT_TRUE(no_origin.ok()) << no_origin.status();
  EXPECT_EQ(no_origin->origin, "");
  EXPECT_FALSE(ParseCheckFlags({"--check"}).ok());
  EXPECT_FALSE(ParseCheckFlags({"--check", "-o"}).ok());
  EXPECT_FALSE(ParseCheckFlags({"--check", "a", "b"}).ok());
  auto signing_flag = ParseCheckFlags({"--check", "-f", "out", "z"});
  ASSERT_FALSE(signing_flag.ok());
  EXPECT_EQ(signing_flag.status().message(), "-f: not accepted with --check");
}

}  // namespace
}  // namespace cli
}  // namespace zonekeep
