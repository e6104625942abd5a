// Test support for crash_safety_e2e_test.cc: the test zones, and
// CrashSchedule, which runs keystored (a real process on a real state dir),
// launches client operations at it, SIGKILLs it at random points, restarts it
// and checks the store after each restart with CheckStore
// (crash_checker.h), keeping the model of what was launched and
// acknowledged. Failures are reported with GoogleTest's ADD_FAILURE/EXPECT.
//
// Zones: p1, p2 are protected (the schedule never runs an operation that may
// legitimately remove the last active key of a role on them, so a complete
// key set must stay complete); s1, s2, s3 are scratch zones that get every
// operation. One algorithm per zone.
// Thread-safety: one thread.
#ifndef ZONEKEEP_TESTS_E2E_CRASH_SCHEDULE_H_
#define ZONEKEEP_TESTS_E2E_CRASH_SCHEDULE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/child_process.h"
#include "tests/e2e/crash_checker.h"
#include "tests/e2e/process_runner.h"
#include "tests/e2e/store_snapshot.h"

namespace zonekeep::testing {

struct TestZone {
  std::string name;
  std::string alg;
  std::string bits;  // "-" for fixed sizes
  bool is_protected;
};

const std::vector<TestZone>& CrashTestZones();

// A small zone for `zone` (SOA, NS, A, AAAA, MX).
std::string CrashTestZoneText(const std::string& zone);

class CrashSchedule {
 public:
  // `kills`: how many SIGKILLs Run does.
  CrashSchedule(uint64_t seed, int kills);

  std::string socket() const { return state_ + "/admin.sock"; }
  std::string db() const { return state_ + "/keystore.db"; }
  const std::string& state_dir() const { return state_; }
  const std::vector<LaunchedOp>& ops() const { return ops_; }
  // Protected zones seen complete at a check: they must stay complete.
  const std::set<std::string>& complete_required() const {
    return complete_required_;
  }
  std::string daemon_log() const { return ReadFile(daemon_log_); }
  std::string ZoneFile(const std::string& zone) const {
    return work_ + "/" + zone + "zone";
  }

  // Writes the zone files, and `per_zone` key pairs per zone for import,
  // made with dnssec-keygen now (never committed), KSKs and ZSKs in turn.
  void MakeImportKeys(int per_zone);

  // Starts keystored; does not wait.
  void StartDaemon();
  // Waits until the admin socket answers (up to 20 s).
  bool WaitReady();
  // SIGKILL; false if keystored had already ended by itself.
  bool KillDaemon();
  // SIGTERM and wait; the exit code.
  int StopDaemon();

  // Synchronous client calls with keystored up (setup and the end).
  ProcessResult Mk(const std::vector<std::string>& args);
  ProcessResult Sign(const std::string& zone, const std::string& out);
  // Adds an acknowledged operation done outside Run to the model.
  void Record(const LaunchedOp& op) { ops_.push_back(op); }

  // Checks the store (also: no master key temp file in the state dir);
  // every problem is a test failure. Updates complete_required().
  bool Check(const std::string& when);

  // The random rounds, then a restart and a check. False on the first round
  // that failed.
  bool Run();

  // The figures: kills, checks, outcomes, launches by command, and changes
  // done whose client never heard.
  std::string Summary() const;

 private:
  // What one round launched.
  struct Launch {
    LaunchedOp op;
    std::unique_ptr<Child> child;
    bool prints_keys = false;  // create/import: record the printed tags
    std::string signed_path;   // dnssigner -f
    // Armed launch: the client waits for its input (maintkeydb -i: the
    // command line on stdin; dnssigner: the zone text through a FIFO).
    std::string command_line;
    std::string fifo;
  };
  // An import key file pair made by dnssec-keygen, not imported yet.
  struct KeyFile {
    std::string base;  // absolute path without .key/.private
  };

  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  int KillDelayMs();
  std::vector<Launch> LaunchRound(int round, bool armed);
  // Picks one operation on `z`; sets argv_ (maintkeydb arguments).
  Launch Choose(const TestZone& z);
  void FeedFifo(Launch& l);
  // After the kill: waits for the client, records its outcome in the model.
  void Account(Launch& l);
  void CheckSignedFile(const Launch& l);
  std::vector<StoreKey> KeysOf(const std::string& zone, bool deleted,
                               bool published_only) const;
  std::vector<std::string> MkArgv(const std::vector<std::string>& args) const;
  int CommittedUnacknowledged() const;

  ShortTempDir dir_;
  std::mt19937_64 rng_;
  const int kills_;
  std::string state_, keys_dir_, work_, config_, daemon_log_;
  std::unique_ptr<Child> daemon_;
  std::map<std::string, std::vector<KeyFile>> import_keys_;
  std::vector<std::string> argv_;
  std::vector<LaunchedOp> ops_;
  std::set<std::string> complete_required_;
  StoreSnapshot last_;
  std::map<int, int> exit_codes_;
  std::map<std::string, int> launched_by_verb_;
  std::string refused_example_;
  int kills_done_ = 0, kills_in_start_ = 0, checks_ = 0, acked_ = 0,
      cut_off_ = 0, refused_ = 0;
};

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_CRASH_SCHEDULE_H_
