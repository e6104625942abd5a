// maintkeydb against a real keystored on a real SQLite file: every command,
// both two-stage rollovers, the expired-keys bin, and bad input that must
// change nothing.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/e2e/key_table.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kZone[] = "example.com.";
constexpr char kAlg[] = "ECDSAP256SHA256";

class MaintkeydbTest : public ::testing::Test {
 protected:
  void SetUp() override { StartDaemon(); }

  void TearDown() override {
    EXPECT_TRUE(daemon_->alive())
        << "keystored died: " << daemon_->stderr_text();
  }

  void StartDaemon() {
    // Key files for `import` come from this test's directory only.
    const std::string config = dir_.path() + "/keystored.json";
    std::ofstream(config) << R"({"import-dir": ")" << dir_.path() << R"("})";
    daemon_ =
        std::make_unique<KeystoredProcess>(dir_.path() + "/state", config);
    ASSERT_TRUE(daemon_->started()) << daemon_->stderr_text();
  }

  ProcessResult Run(const std::vector<std::string>& args,
                    const std::string& input = "") {
    return Maintkeydb(daemon_->socket_path(), args, input);
  }

  std::vector<KeyRow> List(bool all = false) {
    ProcessResult r =
        all ? Run({"list", "--all", kZone}) : Run({"list", kZone});
    // 3: no such zone, 4: only expired keys; both list nothing.
    EXPECT_THAT(r.exit_code, ::testing::AnyOf(0, 3, 4)) << r.err;
    return ParseKeyTable(r.out);
  }

  void CreateBoth() {
    ProcessResult r = Run({"create", "both", kAlg, "-", kZone});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Expects a one-line reason on stderr, a failing exit and no change.
  void ExpectRefusedWithoutChange(const std::vector<std::string>& args,
                                  const std::string& reason_part) {
    const std::vector<KeyRow> before =
        ParseKeyTable(Run({"list", "--all"}).out);
    ProcessResult r = Run(args);
    EXPECT_NE(r.exit_code, 0) << "accepted: " << ::testing::PrintToString(args);
    EXPECT_THAT(r.err, HasSubstr(reason_part));
    EXPECT_EQ(r.err.rfind("maintkeydb: ", 0), 0u) << r.err;
    EXPECT_EQ(r.out, "") << "printed something for a refused command";
    EXPECT_TRUE(ParseKeyTable(Run({"list", "--all"}).out) == before)
        << "refused command changed the key store: "
        << ::testing::PrintToString(args);
  }

  ShortTempDir dir_;
  std::unique_ptr<KeystoredProcess> daemon_;
};

TEST_F(MaintkeydbTest, CreateBothMakesActiveKskActiveZskPublishedZsk) {
  CreateBoth();
  std::vector<KeyRow> rows = List();
  ASSERT_THAT(rows, SizeIs(3));
  EXPECT_THAT(Select(rows, "KSK", "active"), SizeIs(1));
  EXPECT_THAT(Select(rows, "ZSK", "active"), SizeIs(1));
  EXPECT_THAT(Select(rows, "ZSK", "published"), SizeIs(1));
  std::set<int> tags;
  for (const KeyRow& row : rows) {
    tags.insert(row.tag);
    EXPECT_EQ(row.algorithm, kAlg);
    EXPECT_EQ(row.bits, 256);
    EXPECT_EQ(row.zone, kZone);
  }
  EXPECT_THAT(tags, SizeIs(3)) << "key tags must be unique in a zone";
}

TEST_F(MaintkeydbTest, ZskTwoStageRollover) {
  CreateBoth();
  std::vector<KeyRow> before = List();
  const int old_active = Select(before, "ZSK", "active").at(0).tag;
  const int old_published = Select(before, "ZSK", "published").at(0).tag;

  // No zone server serves example.com. in this sandbox: stage 1 waits for
  // the new ZSK's DNSKEY to be served (dns_rollover_test has servers).
  ProcessResult r = Run({"rollover", "zsk-stage1", kAlg, kZone});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not every zone server of example.com. "
                               "serves the DNSKEY of ZSK " +
                               std::to_string(old_published)));
  r = Run({"rollover", "zsk-stage1", kAlg, kZone, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<KeyRow> after1 = List();
  ASSERT_THAT(Select(after1, "ZSK", "active"), SizeIs(1));
  EXPECT_EQ(Select(after1, "ZSK", "active")[0].tag, old_published);
  ASSERT_THAT(Select(after1, "ZSK", "published(R)"), SizeIs(1));
  EXPECT_EQ(Select(after1, "ZSK", "published(R)")[0].tag, old_active);

  // Stage 2 before the zone was signed and the wait passed: refused, unchanged.
  ExpectRefusedWithoutChange({"rollover", "zsk-stage2", kAlg, kZone},
                             "refused");
  // Running stage 1 again while a ZSK is in rollover is refused too.
  ExpectRefusedWithoutChange({"rollover", "zsk-stage1", kAlg, kZone},
                             "refused");

  r = Run({"rollover", "zsk-stage2", kAlg, kZone, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<KeyRow> after2 = List(/*all=*/true);
  ASSERT_THAT(Select(after2, "ZSK", "expired"), SizeIs(1));
  EXPECT_EQ(Select(after2, "ZSK", "expired")[0].tag, old_active);
  ASSERT_THAT(Select(after2, "ZSK", "active"), SizeIs(1));
  EXPECT_EQ(Select(after2, "ZSK", "active")[0].tag, old_published);
  ASSERT_THAT(Select(after2, "ZSK", "published"), SizeIs(1));
  const int new_published = Select(after2, "ZSK", "published")[0].tag;
  EXPECT_NE(new_published, old_active);
  EXPECT_NE(new_published, old_published);

  // The forced stage is in the audit log with its key tag.
  r = Run({"audit", kZone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("force"));
  // Every row names the caller by the uid keystored saw on the socket.
  const passwd* me = getpwuid(getuid());
  ASSERT_NE(me, nullptr);
  EXPECT_THAT(r.out, HasSubstr(std::string(" unix:") + me->pw_name + " "));
  // Reads are audited too (list ran above).
  EXPECT_THAT(r.out, HasSubstr(std::string(" list ") + kZone + " - ok"));
  EXPECT_THAT(r.out, HasSubstr(std::to_string(old_active)));
}

// zsk-undo takes stage 1 back; expire of the (R) key waits like stage 2;
// purge keeps keys deleted less than purge-min-age ago.
TEST_F(MaintkeydbTest, UndoExpireAndPurge) {
  CreateBoth();
  const int old_active = Select(List(), "ZSK", "active").at(0).tag;
  ASSERT_EQ(Run({"rollover", "zsk-stage1", kAlg, kZone, "--force"}).exit_code,
            0);
  ExpectRefusedWithoutChange(
      {"expire", kZone, kAlg, std::to_string(old_active)}, "is marked (R)");
  ExpectRefusedWithoutChange(
      {"delete_id", kZone, kAlg, std::to_string(old_active)}, "is marked (R)");
  ProcessResult r = Run({"rollover", "zsk-undo", kAlg, kZone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Select(List(), "ZSK", "active").at(0).tag, old_active);
  EXPECT_THAT(Select(List(), "ZSK", "published(R)"), SizeIs(0));

  const int spare = Select(List(), "ZSK", "published").at(0).tag;
  r = Run({"expire", kZone, kAlg, std::to_string(spare)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Select(List(true), "ZSK", "expired"), SizeIs(1));
  ExpectRefusedWithoutChange({"purge", kZone, "--older-than", "1h"},
                             "purge-min-age is 168h");
  r = Run({"purge", kZone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("nothing to purge"));
  EXPECT_THAT(Select(List(true), "ZSK", "expired"), SizeIs(1));
  EXPECT_EQ(Run({"purge", kZone, "--older-than", "soon"}).exit_code, 2);
  EXPECT_THAT(Run({"audit", kZone}).out, HasSubstr("purge --older-than 168h"));
}

// KeyTrap limits are per algorithm and kept by the key manager: a second
// active KSK (imported) is fine; a ksk-stage1 that would make three, or a
// third one imported, is refused, so the zone never becomes unsignable.
TEST_F(MaintkeydbTest, NoStepLeavesMoreThanTwoActiveKsksOfAnAlgorithm) {
  CreateBoth();
  auto keygen = [&] {
    ProcessResult gen =
        RunProcess({"dnssec-keygen", "-q", "-K", dir_.path(), "-a", kAlg, "-f",
                    "KSK", "-n", "ZONE", kZone});
    EXPECT_EQ(gen.exit_code, 0) << gen.err;
    return dir_.path() + "/" + gen.out.substr(0, gen.out.find('\n'));
  };
  ProcessResult r = Run({"import", kZone, keygen(), "active"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(Select(List(), "KSK", "active"), SizeIs(2));
  ExpectRefusedWithoutChange({"rollover", "ksk-stage1", kAlg, kZone, "--force"},
                             "3 active KSKs of ECDSAP256SHA256");
  ExpectRefusedWithoutChange({"import", kZone, keygen(), "active"}, "KeyTrap");
  // Published, it can wait for ksk-stage1 to promote it.
  r = Run({"import", kZone, keygen(), "published"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(MaintkeydbTest, KskTwoStageRollover) {
  CreateBoth();
  const int old_ksk = Select(List(), "KSK", "active").at(0).tag;

  ProcessResult r = Run({"rollover", "ksk-stage1", kAlg, kZone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<KeyRow> after1 = List();
  ASSERT_THAT(Select(after1, "KSK", "active(R)"), SizeIs(1));
  EXPECT_EQ(Select(after1, "KSK", "active(R)")[0].tag, old_ksk);
  ASSERT_THAT(Select(after1, "KSK", "active"), SizeIs(1));
  const int new_ksk = Select(after1, "KSK", "active")[0].tag;
  EXPECT_NE(new_ksk, old_ksk);

  // The new KSK goes to the parent only once its DNSKEY has been served for
  // propagation-delay + the DNSKEY TTL (never, in this sandbox); the old
  // one stays until stage 2.
  r = Run({"parentdata", "ds", kZone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" IN DS " + std::to_string(old_ksk) + " 13 2 "));
  EXPECT_THAT(r.out, Not(HasSubstr(" IN DS " + std::to_string(new_ksk))));
  EXPECT_THAT(r.out, HasSubstr("; KSK " + std::to_string(new_ksk) +
                               " ECDSAP256SHA256 active: not for the parent "
                               "yet"));

  ExpectRefusedWithoutChange({"rollover", "ksk-stage2", kAlg, kZone},
                             "refused");
  r = Run({"rollover", "ksk-stage2", kAlg, kZone, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<KeyRow> after2 = List(/*all=*/true);
  ASSERT_THAT(Select(after2, "KSK", "active"), SizeIs(1));
  EXPECT_EQ(Select(after2, "KSK", "active")[0].tag, new_ksk);
  ASSERT_THAT(Select(after2, "KSK", "expired"), SizeIs(1));
  EXPECT_EQ(Select(after2, "KSK", "expired")[0].tag, old_ksk);

  r = Run({"parentdata", "ds", kZone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::Not(
                         HasSubstr(" " + std::to_string(old_ksk) + " 13 2 ")));
}

TEST_F(MaintkeydbTest, DeleteAndUndelete) {
  CreateBoth();
  const int zsk = Select(List(), "ZSK", "published").at(0).tag;
  ProcessResult r = Run({"delete_id", kZone, kAlg, std::to_string(zsk)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(List(), SizeIs(2));
  EXPECT_THAT(Select(List(true), "ZSK", "expired"), SizeIs(1));

  r = Run({"undelete", kZone, kAlg, std::to_string(zsk)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<KeyRow> rows = List();
  ASSERT_THAT(rows, SizeIs(3));
  ASSERT_THAT(Select(rows, "ZSK", "published"), SizeIs(1));
  EXPECT_EQ(Select(rows, "ZSK", "published")[0].tag, zsk);

  r = Run({"delete_name", kZone, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(List(), SizeIs(0));
  EXPECT_THAT(List(true), SizeIs(3));
}

TEST_F(MaintkeydbTest, LastActiveKeyIsDeletedOnlyWithForce) {
  CreateBoth();
  const std::string ksk =
      std::to_string(Select(List(), "KSK", "active").at(0).tag);
  const std::string zsk =
      std::to_string(Select(List(), "ZSK", "active").at(0).tag);
  ExpectRefusedWithoutChange(
      {"delete_id", kZone, kAlg, ksk},
      std::string(kZone) + ": key " + ksk + " is the only active KSK (" + kAlg +
          "); deleting it leaves the zone unsigned; add --force to do "
          "it anyway");
  ExpectRefusedWithoutChange({"delete_id", kZone, kAlg, zsk},
                             "is the only active ZSK");
  ExpectRefusedWithoutChange({"delete_name", kZone}, "add --force");

  ProcessResult r = Run({"delete_id", kZone, kAlg, ksk, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Select(List(), "KSK", "active"), SizeIs(0));
  r = Run({"audit", kZone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("delete_id ECDSAP256SHA256 --force"));
  EXPECT_THAT(r.out, HasSubstr("is the only active KSK"));  // the refusal
}

TEST_F(MaintkeydbTest, BadInputGivesOneLineAndChangesNothing) {
  CreateBoth();
  const int ksk = Select(List(), "KSK", "active").at(0).tag;
  ExpectRefusedWithoutChange({"crate", "both", kAlg, "-", kZone},
                             "unknown command");
  ExpectRefusedWithoutChange({"create", "both", kAlg, kZone}, "4 arguments");
  ExpectRefusedWithoutChange({"create", "both", "ECDSA999", "-", kZone},
                             "ECDSA999");
  ExpectRefusedWithoutChange({"create", "both", kAlg, "-", "exa..mple.com"},
                             "exa..mple.com");
  ExpectRefusedWithoutChange({"create", "both", "RSASHA256", "-", kZone},
                             "RSASHA256");
  ExpectRefusedWithoutChange({"delete_id", kZone, kAlg, "70000"}, "70000");
  // A key id that is not there (the real tag plus one, mod 2^16, is unused
  // unless it collides with another key's tag: pick one no key has).
  std::set<int> tags;
  for (const KeyRow& row : List(true)) tags.insert(row.tag);
  int missing = (ksk + 1) % 65536;
  while (tags.count(missing)) missing = (missing + 1) % 65536;
  ExpectRefusedWithoutChange(
      {"delete_id", kZone, kAlg, std::to_string(missing)},
      std::to_string(missing));
  ExpectRefusedWithoutChange({"undelete", kZone, kAlg, std::to_string(missing)},
                             std::to_string(missing));
  ExpectRefusedWithoutChange({"rollover", "zsk-stage2", kAlg, kZone},
                             "rollover");
  ExpectRefusedWithoutChange({"rollover", "ksk-stage2", kAlg, kZone},
                             "rollover");
  ExpectRefusedWithoutChange({"rollover", "zsk-stage3", kAlg, kZone},
                             "zsk-stage3");
  ExpectRefusedWithoutChange({"parentdata", "dnskey", kZone}, "dnskey");
  ExpectRefusedWithoutChange({"parentdata", "ds", kZone, "MD5"}, "MD5");
  ExpectRefusedWithoutChange({"list", "example.com", "extra"}, "extra");
  ExpectRefusedWithoutChange(
      {"import", kZone, "/nonexistent/Kexample.com.+013+00001"},
      "/nonexistent/Kexample.com.+013+00001");
  ExpectRefusedWithoutChange({"rollover", "zsk-stage1", kAlg, "other.example."},
                             "other.example.");
}

// Zone names nobody could delegate (issue 16): refused with the offending
// character named on the first line, escaped, and nothing created.
TEST_F(MaintkeydbTest, UndelegatableZoneNamesAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ctl\001x.test", "\\001"},
      {"x;id$(id)|y.test", "';'"},
      {"%n%s.test", "'%'"},
  };
  for (const auto& [zone, shown] : cases) {
    ExpectRefusedWithoutChange({"create", "both", kAlg, "-", zone}, shown);
    ProcessResult r = Run({"create", "both", kAlg, "-", zone});
    const std::string first = r.err.substr(0, r.err.find('\n'));
    EXPECT_THAT(first, HasSubstr("cannot be delegated")) << r.err;
    EXPECT_THAT(first, HasSubstr(shown)) << r.err;
    EXPECT_EQ(r.err.find('\001'), std::string::npos) << "raw byte echoed";
  }
  EXPECT_THAT(ParseKeyTable(Run({"list", "--all"}).out), SizeIs(0));
}

TEST_F(MaintkeydbTest, DaemonNotRunningIsOneClearLine) {
  ProcessResult r = Maintkeydb(dir_.path() + "/nothing-here.sock", {"list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("keystored is not running"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(MaintkeydbTest, HelpForEveryCommand) {
  for (const std::string command :
       {"create", "delete_id", "delete_name", "undelete", "list", "rollover",
        "parentdata", "showkeys", "import", "audit"}) {
    ProcessResult r = Run({command, "help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_THAT(r.out, HasSubstr("usage: " + command)) << command;
    ProcessResult h = Run({"help", command});
    EXPECT_EQ(h.out, r.out) << command;
  }
  ProcessResult r = Run({"help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("rollover"));
}

TEST_F(MaintkeydbTest, InteractiveShellWithHistory) {
  ProcessResult r = Run({"--keep-going", "-i"},
                        "create both ECDSAP256SHA256 - example.com\n"
                        "list example.com\n"
                        "bogus\n"
                        "history\n"
                        "!2\n"
                        "quit\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("maintkeydb> "));
  EXPECT_THAT(r.out, HasSubstr("  2  list example.com"));
  EXPECT_THAT(r.err, HasSubstr("unknown command \"bogus\""));
  // `!2` ran `list` again: the table is printed twice after create's.
  EXPECT_EQ(ParseKeyTable(r.out).size(), 9u) << r.out;
}

TEST_F(MaintkeydbTest, PipedShellStopsAtTheFirstFailingCommand) {
  ProcessResult r = Run({"-i"},
                        "list\n"
                        "creat both ECDSAP256SHA256 - example.com\n"
                        "create both ECDSAP256SHA256 - example.com\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("unknown command \"creat\"; try: help create"));
  EXPECT_THAT(List(/*all=*/true), SizeIs(0)) << "went on after the error";

  r = Run({"--keep-going", "-i"},
          "creat both ECDSAP256SHA256 - example.com\n"
          "create both ECDSAP256SHA256 - example.com\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(List(), SizeIs(3));
}

TEST_F(MaintkeydbTest, HelpVersionAndOneLineHints) {
  for (const std::string flag : {"--help", "-h"}) {
    ProcessResult r = Run({flag});
    EXPECT_EQ(r.exit_code, 0) << flag;
    EXPECT_THAT(r.out, HasSubstr("usage: maintkeydb")) << flag;
    EXPECT_THAT(r.out, HasSubstr("quit, exit"));
    EXPECT_THAT(r.out, HasSubstr("--keep-going"));
    EXPECT_EQ(r.err, "");
  }
  ProcessResult version = Run({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, ::testing::MatchesRegex("maintkeydb .*[0-9]\n"));

  ProcessResult typo = Run({"creat", "both", kAlg, "-", kZone});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_EQ(typo.out, "");
  EXPECT_EQ(typo.err,
            "maintkeydb: unknown command \"creat\"; try: maintkeydb help "
            "create\n");
  ProcessResult unknown = Run({"frobnicate"});
  EXPECT_EQ(unknown.err,
            "maintkeydb: unknown command \"frobnicate\"; try: maintkeydb "
            "help\n");
  // A wrong argument: the reason first, then one line of usage, no more.
  ProcessResult bad = Run({"create", "both", "NOALG", "-", kZone});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("NOALG"));
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 2) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("maintkeydb help create"));
  ProcessResult option = Run({"--bogus"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_EQ(std::count(option.err.begin(), option.err.end(), '\n'), 1);
}

// Parses `text` as JSON into a Struct; fails the test if it is not JSON.
google::protobuf::Struct ParseJson(const std::string& text) {
  google::protobuf::Struct json;
  const auto status = google::protobuf::util::JsonStringToMessage(text, &json);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << text;
  return json;
}

const google::protobuf::Value& Field(const google::protobuf::Struct& object,
                                     const std::string& name) {
  static const google::protobuf::Value kMissing;
  auto it = object.fields().find(name);
  EXPECT_TRUE(it != object.fields().end()) << "no field " << name;
  return it == object.fields().end() ? kMissing : it->second;
}

const std::regex kRfc3339Utc(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");

TEST_F(MaintkeydbTest, ListJsonHasStableFieldsAndAbsoluteTimes) {
  CreateBoth();
  ProcessResult r = Run({"list", "--json", kZone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const google::protobuf::Struct json = ParseJson(r.out);
  EXPECT_TRUE(
      std::regex_match(Field(json, "server_time").string_value(), kRfc3339Utc));
  const auto& keys = Field(json, "keys").list_value().values();
  ASSERT_EQ(keys.size(), 3);
  std::multiset<std::string> states;
  for (const google::protobuf::Value& value : keys) {
    const google::protobuf::Struct& key = value.struct_value();
    EXPECT_EQ(Field(key, "zone").string_value(), kZone);
    EXPECT_GT(Field(key, "key_tag").number_value(), 0);
    EXPECT_EQ(Field(key, "algorithm").number_value(), 13);
    EXPECT_EQ(Field(key, "algorithm_name").string_value(), kAlg);
    EXPECT_EQ(Field(key, "bits").number_value(), 256);
    EXPECT_FALSE(Field(key, "rollover").bool_value());
    EXPECT_TRUE(
        std::regex_match(Field(key, "created").string_value(), kRfc3339Utc));
    EXPECT_TRUE(std::regex_match(Field(key, "state_changed").string_value(),
                                 kRfc3339Utc));
    states.insert(Field(key, "role").string_value() + " " +
                  Field(key, "state").string_value());
  }
  EXPECT_EQ(states, (std::multiset<std::string>{"KSK active", "ZSK active",
                                                "ZSK published"}));
}

TEST_F(MaintkeydbTest, ListExitCodesForUnknownZoneAndOnlyExpiredKeys) {
  ProcessResult unknown = Run({"list", "nowhere.example."});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("no zone nowhere.example."));
  EXPECT_EQ(unknown.out, "");
  ProcessResult unknown_json = Run({"list", "--json", "nowhere.example."});
  EXPECT_EQ(unknown_json.exit_code, 3);
  EXPECT_EQ(
      Field(ParseJson(unknown_json.out), "keys").list_value().values_size(), 0);

  CreateBoth();
  ASSERT_EQ(Run({"delete_name", kZone, "--force"}).exit_code, 0);
  ProcessResult expired = Run({"list", kZone});
  EXPECT_EQ(expired.exit_code, 4) << expired.err;
  EXPECT_THAT(expired.err, HasSubstr("no live keys"));
  EXPECT_THAT(expired.err, HasSubstr("list --all"));
  ProcessResult all = Run({"list", "--all", kZone});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_THAT(Select(ParseKeyTable(all.out), "ZSK", "expired"), SizeIs(2));
  // No zone: the whole store, rc 0 even when empty of live keys.
  EXPECT_EQ(Run({"list"}).exit_code, 0);
}

TEST_F(MaintkeydbTest, ListColumnsFitLongZoneNames) {
  const std::string long_zone =
      "a-rather-long-label.with-several-labels.below-a-registry.example.";
  ASSERT_EQ(Run({"create", "both", kAlg, "-", long_zone}).exit_code, 0);
  CreateBoth();
  ProcessResult r = Run({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<KeyRow> rows = ParseKeyTable(r.out);
  ASSERT_THAT(rows, SizeIs(6)) << r.out;
  // Each line's ROLE column starts at the same offset.
  std::set<size_t> role_columns;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    const size_t at = line.find_first_of("KZR", long_zone.size());
    role_columns.insert(at);
  }
  EXPECT_THAT(role_columns, SizeIs(1)) << r.out;
}

TEST_F(MaintkeydbTest, AuditJsonLimitAndSince) {
  CreateBoth();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Run({"list", kZone}).exit_code, 0);
  ProcessResult r = Run({"audit", "--json", "--limit", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  google::protobuf::Struct json = ParseJson(r.out);
  const auto& records = Field(json, "records").list_value().values();
  ASSERT_EQ(records.size(), 2);
  EXPECT_TRUE(Field(json, "truncated").bool_value());
  EXPECT_EQ(Field(json, "limit").number_value(), 2);
  EXPECT_THAT(r.err, HasSubstr("cut at 2 rows"));
  const google::protobuf::Struct& newest = records[0].struct_value();
  EXPECT_EQ(Field(newest, "command").string_value(), "list");
  EXPECT_EQ(Field(newest, "zone").string_value(), kZone);
  EXPECT_TRUE(
      std::regex_match(Field(newest, "time").string_value(), kRfc3339Utc));
  EXPECT_FALSE(Field(newest, "identity").string_value().empty());
  EXPECT_FALSE(Field(newest, "result").string_value().empty());
  EXPECT_TRUE(Field(newest, "key_tags").has_list_value());

  // Everything since 2000: not cut, the create's row carries its 3 key tags.
  r = Run({"audit", "--json", "--since", "2000-01-01T00:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json = ParseJson(r.out);
  EXPECT_FALSE(Field(json, "truncated").bool_value());
  EXPECT_EQ(r.err, "");
  const auto& all = Field(json, "records").list_value().values();
  ASSERT_GE(all.size(), 5);
  const google::protobuf::Struct& oldest = all[all.size() - 1].struct_value();
  EXPECT_THAT(Field(oldest, "command").string_value(),
              ::testing::StartsWith("create"));
  EXPECT_EQ(Field(oldest, "key_tags").list_value().values_size(), 3) << r.out;

  // Since a time to come: nothing.
  r = Run({"audit", "--json", "--since", "2999-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(ParseJson(r.out), "records").list_value().values_size(), 0);
  // An age works too; a bad TIME or limit is a usage error.
  EXPECT_EQ(Run({"audit", "--since", "1h"}).exit_code, 0);
  EXPECT_EQ(Run({"audit", "--since", "yesterday"}).exit_code, 2);
  EXPECT_EQ(Run({"audit", "--limit", "0"}).exit_code, 2);
}

TEST_F(MaintkeydbTest, SshForceCommandRunsOriginalCommandOnly) {
  CreateBoth();
  ProcessResult r = RunProcess({RunfilePath("cli/maintkeydb")}, "",
                               {{"SSH_ORIGINAL_COMMAND", "list example.com"},
                                {"KEYSTORED_SOCKET", daemon_->socket_path()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ParseKeyTable(r.out), SizeIs(3));
  // Shell metacharacters are plain words, never run by a shell.
  r = RunProcess({RunfilePath("cli/maintkeydb")}, "",
                 {{"SSH_ORIGINAL_COMMAND", "list; touch /tmp/zk-pwned"},
                  {"KEYSTORED_SOCKET", daemon_->socket_path()}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(access("/tmp/zk-pwned", F_OK), 0);
}

TEST_F(MaintkeydbTest, ParentDataAgreesWithBindAndLdnsTools) {
  CreateBoth();
  ASSERT_EQ(Run({"rollover", "ksk-stage1", kAlg, kZone}).exit_code, 0);
  ProcessResult keys = Run({"parentdata", "key", kZone});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  ProcessResult ds = Run({"parentdata", "ds", kZone});
  ASSERT_EQ(ds.exit_code, 0) << ds.err;
  const std::string key_file = dir_.path() + "/dnskeys.txt";
  std::ofstream(key_file) << keys.out;

  // Compare the DS records field by field, ignoring TTL and spacing.
  auto ds_set = [](const std::string& text) {
    std::set<std::string> out;
    std::regex ds_re(R"(IN\s+DS\s+(\d+)\s+(\d+)\s+(\d+)\s+([0-9A-Fa-f ]+))");
    for (std::sregex_iterator it(text.begin(), text.end(), ds_re), end;
         it != end; ++it) {
      std::string digest = (*it)[4];
      digest.erase(std::remove(digest.begin(), digest.end(), ' '),
                   digest.end());
      std::transform(digest.begin(), digest.end(), digest.begin(), ::toupper);
      out.insert((*it)[1].str() + " " + (*it)[2].str() + " " + (*it)[3].str() +
                 " " + digest);
    }
    return out;
  };
  // The (R) KSK only: the new one's DNSKEY was never served here.
  const std::set<std::string> ours = ds_set(ds.out);
  ASSERT_THAT(ours, SizeIs(1)) << ds.out;

  ProcessResult bind =
      RunProcess({"dnssec-dsfromkey", "-2", "-f", key_file, kZone});
  ASSERT_EQ(bind.exit_code, 0) << bind.err;
  EXPECT_EQ(ds_set(bind.out), ours) << bind.out;

  // SHA-384 on request, as dnssec-dsfromkey -a SHA-384 computes it.
  ProcessResult ds384 = Run({"parentdata", "ds", kZone, "SHA-384"});
  ASSERT_EQ(ds384.exit_code, 0) << ds384.err;
  ProcessResult bind384 =
      RunProcess({"dnssec-dsfromkey", "-a", "SHA-384", "-f", key_file, kZone});
  ASSERT_EQ(bind384.exit_code, 0) << bind384.err;
  EXPECT_THAT(ds_set(ds384.out), SizeIs(1));
  EXPECT_EQ(ds_set(bind384.out), ds_set(ds384.out)) << ds384.out;

  ProcessResult ldns =
      RunProcess({"sh", "-c",
                  "cd " + dir_.path() +
                      " && grep -v '^;' dnskeys.txt | "
                      "while read -r line; do echo \"$line\" > one.key && "
                      "ldns-key2ds -n -2 one.key; done"});
  ASSERT_EQ(ldns.exit_code, 0) << ldns.err;
  EXPECT_EQ(ds_set(ldns.out), ours) << ldns.out;

  // showkeys shows the whole DNSKEY set (2 KSKs + 2 ZSKs).
  ProcessResult show = Run({"showkeys", kZone});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  std::regex dnskey_re(R"(IN\s+DNSKEY\s+(256|257)\s+3\s+13\s)");
  EXPECT_EQ(std::distance(std::sregex_iterator(show.out.begin(), show.out.end(),
                                               dnskey_re),
                          std::sregex_iterator()),
            4)
      << show.out;
  // showkeys ds: every KSK with its DS, those for the parent marked.
  ProcessResult show_ds = Run({"showkeys", "ds", kZone});
  ASSERT_EQ(show_ds.exit_code, 0) << show_ds.err;
  EXPECT_THAT(ds_set(show_ds.out), SizeIs(2));
  EXPECT_TRUE(ds_set(show_ds.out).count(*ours.begin()) != 0) << show_ds.out;
  EXPECT_THAT(show_ds.out, HasSubstr("(R): send to the parent"));
  EXPECT_THAT(show_ds.out, HasSubstr("active: not for the parent yet"));
}

TEST_F(MaintkeydbTest, KeystoredRestartKeepsKeys) {
  CreateBoth();
  const std::vector<KeyRow> before = List();
  ASSERT_EQ(daemon_->Stop(), 0) << daemon_->stderr_text();
  StartDaemon();
  ProcessResult r = Run({"list", kZone});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<KeyRow> after = ParseKeyTable(r.out);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].tag, before[i].tag);
    EXPECT_EQ(after[i].state, before[i].state);
  }
}

}  // namespace
}  // namespace zonekeep::testing
