// deploy/ checked by the real tools, on the real files:
// - keystored.service: `systemd-analyze security --offline=yes` rates its
//   exposure at most kExposureBound and reports the hardening we rely on as
//   in force; a copy without that hardening scores worse (so the check can
//   fail); `systemd-analyze verify` finds nothing to warn about;
// - the unit, keystored.json and the firewall agree on directories and port;
// - sysusers-keystored.conf and tmpfiles-keystored.conf, applied with
//   `systemd-sysusers --root` and `systemd-tmpfiles --root`, make the users,
//   groups, memberships, owners and modes their comments promise.
// The firewall has its own suite: tests/deploy_firewall_test.cc.
#include <grp.h>
#include <sys/stat.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/deploy_tool_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;

// systemd-analyze's scale: 0 (locked down) .. 10 (exposed); "OK" up to 4.9.
constexpr double kExposureBound = 2.0;

// The hardening the unit must have, as systemd-analyze security names it.
const std::vector<std::string> kRequiredSettings = {
    "NoNewPrivileges=",
    "CapabilityBoundingSet=~CAP_SYS_ADMIN",
    "CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)",
    "SystemCallFilter=~@privileged",
    "SystemCallFilter=~@mount",
    "SystemCallFilter=~@debug",
    "SystemCallArchitectures=",
    "MemoryDenyWriteExecute=",
    "PrivateTmp=",
    "PrivateDevices=",
    "ProtectSystem=",
    "ProtectHome=",
    "ProtectProc=",
    "ProcSubset=",
    "ProtectKernelTunables=",
    "ProtectKernelModules=",
    "ProtectControlGroups=",
    "RestrictNamespaces=~user",
    "RestrictSUIDSGID=",
    "RestrictAddressFamilies=~AF_PACKET",
    "RestrictAddressFamilies=~AF_NETLINK",
    "LockPersonality=",
    "RemoveIPC=",
    "KeyringMode=",
    "UMask=",
    "User=/DynamicUser=",
};

struct Security {
  int exit_code = -1;
  double overall = 99;              // parsed from the text report
  std::map<std::string, bool> set;  // setting name -> in force
  std::map<std::string, std::string> description;
  std::string text;
};

// Runs systemd-analyze security on `unit_text`, saved as keystored.service.
Security Analyze(const std::string& unit_text) {
  ScratchDir dir;
  const std::string path = dir.path() + "/keystored.service";
  Security s;
  if (!WriteText(path, unit_text)) return s;
  // --threshold is in tenths: exit non-zero above kExposureBound.
  const ToolResult text = RunTool(
      {"systemd-analyze", "security", "--offline=yes", "--no-pager",
       "--threshold=" + std::to_string(static_cast<int>(kExposureBound * 10)),
       path});
  s.exit_code = text.exit_code;
  s.text = text.out + text.err;
  const std::string marker = "Overall exposure level for keystored.service: ";
  const size_t at = s.text.find(marker);
  if (at != std::string::npos) {
    s.overall = std::stod(s.text.substr(at + marker.size()));
  }
  const ToolResult json = RunTool(
      {"systemd-analyze", "security", "--offline=yes", "--json=short", path});
  // The JSON report is an array: its protobuf form is a ListValue.
  google::protobuf::ListValue items;
  if (google::protobuf::util::JsonStringToMessage(json.out, &items).ok()) {
    for (const auto& item : items.values()) {
      const auto& f = item.struct_value().fields();
      if (!f.count("name") || !f.count("set")) continue;
      s.set[f.at("name").string_value()] = f.at("set").bool_value();
      if (f.count("description")) {
        s.description[f.at("name").string_value()] =
            f.at("description").string_value();
      }
    }
  }
  return s;
}

// `text` without the lines that set any of `keys`.
std::string WithoutSettings(const std::string& text,
                            const std::vector<std::string>& keys) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    bool drop = false;
    for (const std::string& key : keys) {
      if (line.rfind(key + "=", 0) == 0) drop = true;
    }
    if (!drop) out += line + "\n";
  }
  return out;
}

// The value of the first "KEY=" line of a unit, or "" if none.
std::string UnitValue(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

std::string UnitText() { return ReadText(DeployFile("keystored.service")); }

TEST(KeystoredUnitTest, ExposureIsWithinBoundAndHardeningIsInForce) {
  const std::string unit = UnitText();
  ASSERT_FALSE(unit.empty()) << DeployFile("keystored.service");
  const Security s = Analyze(unit);
  EXPECT_EQ(s.exit_code, 0) << s.text;
  EXPECT_LE(s.overall, kExposureBound) << s.text;
  ASSERT_GT(s.set.size(), 50u) << "no JSON report:\n" << s.text;
  for (const std::string& name : kRequiredSettings) {
    ASSERT_TRUE(s.set.count(name)) << name << " not rated:\n" << s.text;
    EXPECT_TRUE(s.set.at(name)) << name << ": " << s.description.at(name);
  }
  EXPECT_THAT(s.description.at("ProtectSystem="), HasSubstr("strict"));
  // Exactly the options these lines set, not merely some value.
  EXPECT_EQ(UnitValue(unit, "ProtectSystem"), "strict");
  EXPECT_EQ(UnitValue(unit, "ProtectProc"), "invisible");
  EXPECT_EQ(UnitValue(unit, "CapabilityBoundingSet"), "");
  EXPECT_EQ(UnitValue(unit, "MemorySwapMax"), "0");
  for (const char* limit : {"MemoryMax", "TasksMax", "LimitNOFILE",
                            "LimitMEMLOCK", "LimitCORE", "UMask"}) {
    EXPECT_NE(UnitValue(unit, limit), "") << limit << " is not set";
  }
  // The encrypted-credential example stays in the file, as a comment.
  EXPECT_THAT(unit, HasSubstr("#LoadCredentialEncrypted=zonekeep-master:"));
}

// The same check on a copy without the hardening: it must fail, else the
// test above could pass by doing nothing.
TEST(KeystoredUnitTest, CopyWithoutHardeningScoresWorse) {
  const std::string weak = WithoutSettings(
      UnitText(),
      {"NoNewPrivileges", "CapabilityBoundingSet", "SystemCallFilter",
       "MemoryDenyWriteExecute", "PrivateTmp", "ProtectSystem", "ProtectProc",
       "ProtectHome", "PrivateDevices", "RestrictNamespaces",
       "ProtectKernelTunables", "ProtectKernelModules", "RestrictSUIDSGID",
       "RestrictAddressFamilies", "ProcSubset", "PrivateMounts"});
  const Security s = Analyze(weak);
  EXPECT_NE(s.exit_code, 0) << s.text;
  EXPECT_GT(s.overall, kExposureBound) << s.text;
  for (const char* name :
       {"NoNewPrivileges=", "SystemCallFilter=~@privileged",
        "MemoryDenyWriteExecute=", "PrivateTmp=", "ProtectProc="}) {
    ASSERT_TRUE(s.set.count(name)) << name;
    EXPECT_FALSE(s.set.at(name)) << name << " still rated as in force";
  }
  // One line less is seen too: only the syscall filter gone.
  const Security one =
      Analyze(WithoutSettings(UnitText(), {"SystemCallFilter"}));
  ASSERT_TRUE(one.set.count("SystemCallFilter=~@privileged")) << one.text;
  EXPECT_FALSE(one.set.at("SystemCallFilter=~@privileged"));
  EXPECT_GT(one.overall, Analyze(UnitText()).overall);
}

// systemd-analyze verify loads the unit as systemd would and checks that
// ExecStart exists: keystored is not installed on a test machine, so the copy
// points ExecStart at /bin/true; every other line is the shipped one.
TEST(KeystoredUnitTest, VerifyFindsNothingToWarnAbout) {
  ScratchDir dir;
  const std::string unit = UnitText();
  const std::string exec = UnitValue(unit, "ExecStart");
  ASSERT_EQ(exec.rfind("/usr/local/sbin/keystored ", 0), 0u) << exec;
  std::string stub = unit;
  stub.replace(stub.find(exec), exec.find(' '), "/bin/true");
  const std::string path = dir.path() + "/keystored.service";
  ASSERT_TRUE(WriteText(path, stub));
  const ToolResult ok = RunTool({"systemd-analyze", "verify", path});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out + ok.err, "") << "warnings on the shipped unit";

  // A misspelt directive is reported, naming it.
  std::string typo = stub;
  typo.replace(typo.find("ProtectSystem=strict"), 20, "ProtectSytem=strict");
  ASSERT_TRUE(WriteText(path, typo));
  const ToolResult bad = RunTool({"systemd-analyze", "verify", path});
  EXPECT_THAT(bad.out + bad.err, HasSubstr("ProtectSytem"));
}

// The unit serves what deploy/keystored.json configures: its state dir, its
// admin socket under the runtime directory, its TLS files under the read-only
// configuration directory, and the listen port the firewall opens.
TEST(KeystoredUnitTest, AgreesWithConfigAndFirewall) {
  const std::string unit = UnitText();
  google::protobuf::Struct config;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  ReadText(DeployFile("keystored.json")), &config)
                  .ok());
  const auto& f = config.fields();
  EXPECT_EQ(f.at("state-dir").string_value(),
            "/var/lib/" + UnitValue(unit, "StateDirectory"));
  EXPECT_EQ(f.at("admin-socket").string_value(),
            "/run/" + UnitValue(unit, "RuntimeDirectory") + "/admin.sock");
  EXPECT_THAT(UnitValue(unit, "ExecStart"),
              HasSubstr("/etc/" + UnitValue(unit, "ConfigurationDirectory") +
                        "/keystored.json"));
  for (const char* key : {"trust-anchor", "cert-file", "key-file"}) {
    EXPECT_EQ(f.at("tls").struct_value().fields().at(key).string_value().rfind(
                  "/etc/keystored/", 0),
              0u)
        << key;
  }
  const std::string listen = f.at("listen").string_value();
  const std::string port = listen.substr(listen.rfind(':') + 1);
  EXPECT_EQ(port, "8053");
  EXPECT_THAT(ReadText(DeployFile("nftables-keystored.conf")),
              HasSubstr("tcp dport { 22, " + port + " }"));
  // A TCP listener needs the Internet families.
  EXPECT_THAT(UnitValue(unit, "RestrictAddressFamilies"),
              HasSubstr("AF_INET6"));
}

// A passwd or group line split at ':'.
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string field;
  while (std::getline(in, field, ':')) out.push_back(field);
  if (!line.empty() && line.back() == ':') out.push_back("");
  return out;
}

// name -> fields, from TMP/etc/passwd or TMP/etc/group.
std::map<std::string, std::vector<std::string>> Table(const std::string& path) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(ReadText(path));
  std::string line;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = Fields(line);
    if (!f.empty()) out[f[0]] = f;
  }
  return out;
}

class DeployAccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(root_.path().empty());
    ASSERT_EQ(mkdir((root_.path() + "/etc").c_str(), 0755), 0);
  }
  ToolResult Sysusers() {
    return RunTool({"systemd-sysusers", "--root=" + root_.path(),
                    DeployFile("sysusers-keystored.conf")});
  }
  ToolResult Tmpfiles() {
    return RunTool({"systemd-tmpfiles", "--root=" + root_.path(), "--create",
                    DeployFile("tmpfiles-keystored.conf")});
  }
  struct stat Stat(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat((root_.path() + path).c_str(), &st), 0) << path;
    return st;
  }
  ScratchDir root_;
};

TEST_F(DeployAccountsTest, SysusersMakesTheAccountsItPromises) {
  const ToolResult r = Sysusers();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto passwd = Table(root_.path() + "/etc/passwd");
  auto group = Table(root_.path() + "/etc/group");
  ASSERT_TRUE(passwd.count("keystored") && passwd.count("keymaint") &&
              passwd.count("provision"))
      << ReadText(root_.path() + "/etc/passwd");
  ASSERT_TRUE(group.count("keystored"))
      << ReadText(root_.path() + "/etc/group");
  // keystored: a system account, primary group keystored, no login.
  const auto& daemon = passwd["keystored"];
  EXPECT_LT(std::stoi(daemon[2]), 1000);
  EXPECT_EQ(daemon[3], group["keystored"][2]);
  EXPECT_EQ(daemon[5], "/var/lib/keystored");
  EXPECT_EQ(daemon[6], "/usr/sbin/nologin");
  // keymaint: its login shell is maintkeydb; its own primary group.
  const auto& keymaint = passwd["keymaint"];
  EXPECT_EQ(keymaint[6], "/usr/local/bin/maintkeydb");
  EXPECT_NE(keymaint[3], group["keystored"][2]);
  EXPECT_EQ(passwd["provision"][6], "/usr/sbin/nologin");
  // Members of keystored (to reach the 0660 admin socket): exactly these two.
  EXPECT_EQ(group["keystored"][3], "keymaint,provision");
  // Idempotent: a second run changes nothing.
  const std::string before = ReadText(root_.path() + "/etc/passwd");
  ASSERT_EQ(Sysusers().exit_code, 0);
  EXPECT_EQ(ReadText(root_.path() + "/etc/passwd"), before);
}

TEST_F(DeployAccountsTest, TmpfilesMakesDirectoriesWithOwnersAndModes) {
  ASSERT_EQ(Sysusers().exit_code, 0);
  auto passwd = Table(root_.path() + "/etc/passwd");
  auto group = Table(root_.path() + "/etc/group");
  const uid_t keystored_uid = std::stoul(passwd["keystored"][2]);
  const gid_t keystored_gid = std::stoul(group["keystored"][2]);
  const uid_t keymaint_uid = std::stoul(passwd["keymaint"][2]);
  const gid_t keymaint_gid = std::stoul(group["keymaint"][2]);
  // An operator copied the config in with a careless mode: `z` fixes it.
  ASSERT_EQ(mkdir((root_.path() + "/etc/keystored").c_str(), 0777), 0);
  const std::string json = root_.path() + "/etc/keystored/keystored.json";
  ASSERT_TRUE(WriteText(json, "{}"));
  ASSERT_EQ(chmod(json.c_str(), 0666), 0);

  const ToolResult r = Tmpfiles();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct Want {
    const char* path;
    mode_t mode;
    uid_t uid;
    gid_t gid;
  };
  for (const Want& w : {
           Want{"/etc/keystored", 0750, 0, keystored_gid},
           Want{"/etc/keystored/keystored.json", 0640, 0, keystored_gid},
           Want{"/var/lib/keystored", 0700, keystored_uid, keystored_gid},
           Want{"/etc/credstore.encrypted", 0700, 0, 0},
           Want{"/var/backups/keystored", 0700, keymaint_uid, keymaint_gid},
           Want{"/home/keymaint", 0700, keymaint_uid, keymaint_gid},
           Want{"/home/keymaint/.ssh", 0755, 0, 0},
       }) {
    const struct stat st = Stat(w.path);
    EXPECT_EQ(st.st_mode & 07777, w.mode) << w.path;
    EXPECT_EQ(st.st_uid, w.uid) << w.path;
    EXPECT_EQ(st.st_gid, w.gid) << w.path;
  }
}

// tmpfiles names the account it cannot find: run without sysusers first.
TEST_F(DeployAccountsTest, TmpfilesWithoutTheAccountsFailsNamingThem) {
  const ToolResult r = Tmpfiles();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("keystored"));
}

}  // namespace
}  // namespace zonekeep::testing
