// Crash safety: keystored killed with SIGKILL at random points, nothing lost.
//
// A seeded random schedule (the seed is printed; ZONEKEEP_CRASH_SEED replays
// its choices, though not the machine's timing; ZONEKEEP_CRASH_KILLS sets the
// number of kills, default 250) runs, round after round: start keystored (a
// real process on a real SQLite file), launch one to three operations as
// real client processes (maintkeydb create both/ksk/zsk, rollover
// zsk-stage1/zsk-stage2/ksk-stage1/ksk-stage2 with --force, delete_id,
// delete_name --force, undelete, expire, import of BIND key files made at
// test time with dnssec-keygen, dnssigner signing a small zone), wait 0-15,
// 0-60 or 0-300 ms and SIGKILL keystored. The clients are armed first
// (maintkeydb -i waiting for its command on stdin, dnssigner for its zone
// through a FIFO) and fed all at once, so the kill lands in keystored's
// handling of the calls, not in the clients' own start. One round in ten
// kills keystored during its start instead (0-200 ms), and one in ten starts
// unarmed clients while keystored is still starting. Every start that
// completes is checked before anything else is launched (so each kill is
// checked at the next completed start, a kill during a start included), and
// after the last kill too; the end checks once more with
// keystored stopped, plants the temp file a kill inside the master key's
// creation would leave and sees the restart remove it, then signs each
// protected zone with the restarted daemon and runs BIND's dnssec-verify.
//
// An operation is acknowledged when its client exited 0; an unacknowledged
// one may have happened or not, but wholly or not at all. What "nothing
// lost" means precisely is CheckStore's contract (crash_checker.h):
// integrity_check and foreign_key_check clean; no key twice; every
// acknowledged operation has its "ok" audit row and every key tag its client
// printed is a key row; no "ok" audit row of a change more often than it was
// launched; replaying the "ok" audit rows in commit order gives exactly the
// key and zone rows (same keys, states, (R) marks, bin flags, and the times
// of the audit rows, i.e. the same transactions); and complete zones stay
// complete. Besides: an acknowledged signing's output file is whole, an
// unacknowledged one left no file and no temp file; no master key temp file
// outlives a restart. The log ends with the figures (kills, acknowledged,
// cut off, refused, and changes done whose client never heard).
//
// "Complete" is required of the protected zones only (p1, p2): the schedule
// runs on them nothing that may legitimately remove the last active key of a
// role: no delete_name, no --force on delete_id/expire, delete_id/expire only
// of keys published without (R) when launched, and at most one operation per
// protected zone at a time (so a stage 1 cannot activate the key a delete in
// the same round was aimed at). Scratch zones (s1, s2, s3) get everything.
// Each zone has one algorithm (s2 RSASHA256 2048, slow to generate, so kills
// also land during key generation).
//
// CrashSafetyFirstStartTest kills keystored during its very first start on
// empty state dirs; CrashCheckerTest shows the checker passes a sound store
// and rejects copies damaged with the sqlite3 CLI (a lost record, a lost
// acknowledged zone, a duplicated key, a change without a record, a change
// and record from two transactions, a phantom record, a damaged page).
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/unix_socket.h"
#include "tests/e2e/child_process.h"
#include "tests/e2e/crash_checker.h"
#include "tests/e2e/crash_schedule.h"
#include "tests/e2e/key_table.h"
#include "tests/e2e/process_runner.h"
#include "tests/e2e/store_snapshot.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Clock = std::chrono::steady_clock;

uint64_t SeedFromEnv() {
  if (const char* env = std::getenv("ZONEKEEP_CRASH_SEED"); env && *env) {
    return std::strtoull(env, nullptr, 10);
  }
  return std::random_device{}();
}

int KillsFromEnv() {
  if (const char* env = std::getenv("ZONEKEEP_CRASH_KILLS"); env && *env) {
    return std::atoi(env);
  }
  return 250;
}

// Creates both keys of every zone, acknowledged, with keystored up.
void CreateAllZones(CrashSchedule& s) {
  for (const TestZone& z : CrashTestZones()) {
    ProcessResult r = s.Mk({"create", "both", z.alg, z.bits, z.name});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    LaunchedOp op{"create both " + z.alg, z.name, true, {}};
    for (const KeyRow& row : ParseKeyTable(r.out)) {
      op.printed_tags.push_back(row.tag);
    }
    ASSERT_EQ(op.printed_tags.size(), 3u) << r.out;
    s.Record(op);
  }
}

TEST(CrashSafetyE2eTest, RandomSigkillsLoseNothing) {
  const uint64_t seed = SeedFromEnv();
  const int kills = KillsFromEnv();
  std::cout << "crash schedule seed " << seed
            << " (replay: ZONEKEEP_CRASH_SEED=" << seed << "), " << kills
            << " kills" << std::endl;
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  const auto started = Clock::now();
  signal(SIGPIPE, SIG_IGN);  // a client may end before its stdin is fed
  CrashSchedule s(seed, kills);
  ASSERT_NO_FATAL_FAILURE(s.MakeImportKeys(4));
  s.StartDaemon();
  ASSERT_TRUE(s.WaitReady()) << s.daemon_log();
  ASSERT_NO_FATAL_FAILURE(CreateAllZones(s));
  ASSERT_TRUE(s.Check("after setup"));
  ASSERT_EQ(s.complete_required(),
            (std::set<std::string>{"p1.crash.test.", "p2.crash.test."}));

  const bool rounds_ok = s.Run();
  std::cout << s.Summary() << std::endl;
  ASSERT_TRUE(rounds_ok) << "seed " << seed;

  // Once more with keystored stopped (SIGTERM: a clean exit).
  EXPECT_EQ(s.StopDaemon(), 0) << s.daemon_log();
  EXPECT_TRUE(s.Check("keystored stopped")) << "seed " << seed;
  EXPECT_EQ(s.complete_required(),
            (std::set<std::string>{"p1.crash.test.", "p2.crash.test."}));

  // What a kill between the master key's temp file and its rename leaves
  // (a window too short for the random kills to hit reliably): the next
  // start removes it.
  const std::string stale = s.state_dir() + "/master.key.tmp.Kx7Qz2";
  std::ofstream(stale) << std::string(32, 'k');
  ASSERT_EQ(chmod(stale.c_str(), 0400), 0);

  // The restarted daemon still signs each protected zone, and BIND accepts it.
  s.StartDaemon();
  ASSERT_TRUE(s.WaitReady()) << s.daemon_log();
  struct stat st;
  EXPECT_NE(lstat(stale.c_str(), &st), 0) << "the restart left " << stale;
  for (const TestZone& z : CrashTestZones()) {
    if (!z.is_protected) continue;
    const std::string out = s.ZoneFile(z.name) + ".signed";
    ProcessResult r = s.Sign(z.name, out);
    ASSERT_EQ(r.exit_code, 0) << z.name << ": " << r.err;
    s.Record(LaunchedOp{"zone-signed", z.name, true, {}});
    ProcessResult verify = RunProcess({"dnssec-verify", "-o", z.name, out});
    EXPECT_EQ(verify.exit_code, 0)
        << z.name << ": " << verify.err << verify.out;
  }
  EXPECT_TRUE(s.Check("after signing")) << "seed " << seed;
  EXPECT_EQ(s.StopDaemon(), 0) << s.daemon_log();
  std::cout << "took "
            << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() -
                                                                started)
                   .count()
            << " s" << std::endl;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// keystored killed during the very first start on an empty state dir, at a
// random point (before the database, between it and master.key, between
// master.key and the check value, or later): the next start must come up,
// and the keys it then seals must still open after a third start (a store
// whose keys no master key opens would fail one of these).
TEST(CrashSafetyFirstStartTest, AKilledFirstStartLeavesAStoreThatStarts) {
  const uint64_t seed = SeedFromEnv();
  std::cout << "first-start seed " << seed << std::endl;
  std::mt19937_64 rng(seed);
  const std::string zone = "first.crash.test.";
  int before_db = 0, before_master_key = 0, after = 0;
  for (int i = 0; i < 12; ++i) {
    ShortTempDir dir;
    const std::string state = dir.path() + "/state";
    const std::string socket = state + "/admin.sock";
    const std::string zone_file = dir.path() + "/zone";
    std::ofstream(zone_file) << CrashTestZoneText(zone);
    const std::vector<std::string> argv = {RunfilePath("keystore/keystored"),
                                           "--state-dir", state};
    const std::string log = dir.path() + "/keystored.out";
    {
      Child first(argv, log);
      std::this_thread::sleep_for(std::chrono::milliseconds(
          std::uniform_int_distribution<int>(0, 150)(rng)));
      first.Kill();
    }
    if (!FileExists(state + "/keystore.db")) {
      ++before_db;
    } else if (!FileExists(state + "/master.key")) {
      ++before_master_key;
    } else {
      ++after;
    }
    for (int start = 0; start < 2; ++start) {
      Child daemon(argv, log);
      bool ready = false;
      for (int t = 0; t < 2000 && !ready && daemon.Running(); ++t) {
        ready = ProbeUnixSocket(socket).ok();
        if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      ASSERT_TRUE(ready) << "start " << start + 2 << " after a killed first "
                         << "start: " << ReadFile(log + ".err");
      if (start == 0) {
        ProcessResult r =
            Maintkeydb(socket, {"create", "both", "ED25519", "-", zone});
        ASSERT_EQ(r.exit_code, 0) << r.err;
      }
      ProcessResult r =
          RunProcess({RunfilePath("cli/dnssigner"), "--socket", socket, "-o",
                      zone, "-f", zone_file + ".signed", zone_file});
      EXPECT_EQ(r.exit_code, 0)
          << "signing after start " << start + 2 << ": " << r.err;
      EXPECT_EQ(daemon.Terminate(std::chrono::seconds(20)), 0)
          << ReadFile(log + ".err");
    }
    ProcessResult temps =
        RunProcess({"find", state, "-name", "master.key*.tmp.*"});
    EXPECT_EQ(temps.out, "") << "master key temp files left";
  }
  std::cout << "first starts killed: " << before_db
            << " before keystore.db existed, " << before_master_key
            << " before master.key, " << after << " after" << std::endl;
}

// The checker itself: a sound store passes, and each kind of damage done to
// a copy of it with the sqlite3 CLI is reported.
class CrashCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(s_.MakeImportKeys(0));
    s_.StartDaemon();
    ASSERT_TRUE(s_.WaitReady()) << s_.daemon_log();
    ASSERT_NO_FATAL_FAILURE(CreateAllZones(s_));
    ProcessResult r = s_.Sign(kZone, s_.ZoneFile(kZone) + ".signed");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    s_.Record(LaunchedOp{"zone-signed", kZone, true, {}});
    r = s_.Mk({"rollover", "zsk-stage1", "ECDSAP256SHA256", kZone, "--force"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    s_.Record(LaunchedOp{
        "rollover zsk-stage1 ECDSAP256SHA256 --force", kZone, true, {}});
    ASSERT_EQ(s_.StopDaemon(), 0) << s_.daemon_log();
    ASSERT_TRUE(s_.Check("sound store"));
  }

  // The problems the checker finds in a copy of the store after `sql`.
  std::vector<std::string> ProblemsAfter(const std::string& sql) {
    const std::string copy = s_.ZoneFile("copy") + std::to_string(++copies_);
    ProcessResult cp = RunProcess({"cp", s_.db(), copy});
    EXPECT_EQ(cp.exit_code, 0) << cp.err;
    if (!sql.empty()) {
      const std::string err = ExecSqlite(copy, sql);
      EXPECT_EQ(err, "") << sql;
    }
    return CheckStore(ReadStoreSnapshot(copy), s_.ops(),
                      s_.complete_required());
  }

  static constexpr char kZone[] = "p1.crash.test.";
  CrashSchedule s_{1, 0};
  int copies_ = 0;
};

::testing::Matcher<std::vector<std::string>> Reports(const std::string& part) {
  return ::testing::Contains(HasSubstr(part));
}

TEST_F(CrashCheckerTest, AcceptsAnUndamagedCopy) {
  EXPECT_THAT(ProblemsAfter(""), IsEmpty());
}

TEST_F(CrashCheckerTest, RejectsALostCreateRecord) {
  EXPECT_THAT(ProblemsAfter("DELETE FROM audit WHERE zone = 'p1.crash.test.'"
                            " AND command LIKE 'create both %'"),
              ::testing::AllOf(Reports("lost acknowledged change"),
                               Reports("with no create or import record")));
}

TEST_F(CrashCheckerTest, RejectsALostAcknowledgedZoneWhole) {
  // Keys and their records gone together: the log still matches the state,
  // but the acknowledged operations are lost.
  EXPECT_THAT(ProblemsAfter("DELETE FROM audit WHERE zone = 'p1.crash.test.';"
                            "DELETE FROM keys WHERE zone = 'p1.crash.test.'"),
              ::testing::AllOf(Reports("lost acknowledged change"),
                               Reports("lost acknowledged key"),
                               Reports("incomplete key set: p1.crash.test.")));
}

TEST_F(CrashCheckerTest, RejectsADuplicatedKeyRow) {
  EXPECT_THAT(
      ProblemsAfter(
          "INSERT INTO zones (name, created_at) VALUES ('x.crash.test.', 0);"
          "INSERT INTO keys (zone, algorithm, key_tag, role, bits, state, "
          "created_at, state_changed_at, dnskey_rdata, sealed_private) "
          "SELECT 'x.crash.test.', algorithm, key_tag, role, bits, state, "
          "created_at, state_changed_at, dnskey_rdata, sealed_private "
          "FROM keys WHERE id = (SELECT MIN(id) FROM keys)"),
      Reports("duplicate key: "));
}

TEST_F(CrashCheckerTest, RejectsAStateChangeWithoutARecord) {
  EXPECT_THAT(ProblemsAfter("UPDATE keys SET deleted = 1 WHERE zone = "
                            "'p1.crash.test.' AND role = 'ZSK' AND "
                            "state = 'active'"),
              ::testing::AllOf(Reports("audit mismatch: p1.crash.test. key"),
                               Reports("incomplete key set: p1.crash.test.")));
}

TEST_F(CrashCheckerTest, RejectsAChangeAndRecordFromTwoTransactions) {
  // One microsecond apart: the key's state and its record were not written
  // by one transaction.
  EXPECT_THAT(ProblemsAfter("UPDATE keys SET state_changed_at = "
                            "state_changed_at + 1 WHERE zone = "
                            "'p1.crash.test.' AND role = 'KSK'"),
              Reports("(not the same transactions)"));
  EXPECT_THAT(ProblemsAfter("UPDATE zones SET last_signed_at = "
                            "last_signed_at - 1 WHERE name = 'p1.crash.test.'"),
              Reports("audit mismatch: zone p1.crash.test. created/last "
                      "signed/zsk-stage1/ksk-stage1 at "));
}

TEST_F(CrashCheckerTest, RejectsAPhantomRecord) {
  EXPECT_THAT(
      ProblemsAfter("INSERT INTO audit (time, identity, command, zone, "
                    "key_tags, result) SELECT 0, 'unix:root', "
                    "'delete_id ECDSAP256SHA256', zone, key_tag, 'ok' FROM "
                    "keys WHERE zone = 'p1.crash.test.' AND role = 'KSK'"),
      ::testing::AllOf(Reports("phantom change"),
                       Reports("audit mismatch: p1.crash.test. key")));
}

TEST_F(CrashCheckerTest, RejectsADamagedFile) {
  // The root page of an index, overwritten: the file is no longer a sound
  // database, whether integrity_check or the reading fails.
  const StoreSnapshot sound = ReadStoreSnapshot(s_.db());
  ASSERT_EQ(sound.integrity, "ok");
  const std::string copy = s_.ZoneFile("damaged");
  ASSERT_EQ(RunProcess({"cp", s_.db(), copy}).exit_code, 0);
  ProcessResult page = RunProcess(
      {"sqlite3", "-batch", copy,
       "SELECT rootpage * (SELECT page_size FROM pragma_page_size) FROM "
       "sqlite_master WHERE name = 'audit_by_zone'"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  const int page_size = std::stoi(
      RunProcess({"sqlite3", "-batch", copy, "PRAGMA page_size"}).out);
  const long offset = std::stol(page.out) - page_size;
  {
    std::fstream f(copy, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(offset);
    const std::string junk(64, '\xff');
    f.write(junk.data(), junk.size());
  }
  EXPECT_THAT(
      CheckStore(ReadStoreSnapshot(copy), s_.ops(), s_.complete_required()),
      Reports("PRAGMA integrity_check: "));
}

}  // namespace
}  // namespace zonekeep::testing
