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
// unarmed clients while keystored is still starting. Every round restarts
// keystored and checks the store; the end checks it once more with
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
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/unix_socket.h"
#include "tests/e2e/crash_checker.h"
#include "tests/e2e/key_table.h"
#include "tests/e2e/process_runner.h"
#include "tests/e2e/store_snapshot.h"

extern char** environ;

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Clock = std::chrono::steady_clock;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A child process started without waiting: stdout and stderr go to files.
class Child {
 public:
  // With `stdin_pipe`, the child's stdin is a pipe that WriteStdin feeds;
  // else /dev/null.
  Child(const std::vector<std::string>& argv, const std::string& out_path,
        bool stdin_pipe = false)
      : out_path_(out_path), err_path_(out_path + ".err") {
    int in[2] = {-1, -1};
    if (stdin_pipe && pipe2(in, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdin_pipe) {
      posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
    // The test ignores SIGPIPE (a child may end before its stdin is fed);
    // the child gets the default back.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    std::vector<std::string> args = argv;
    std::vector<char*> c_args;
    for (std::string& a : args) c_args.push_back(a.data());
    c_args.push_back(nullptr);
    if (posix_spawnp(&pid_, c_args[0], &actions, &attr, c_args.data(),
                     environ) != 0) {
      pid_ = -1;
    }
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (stdin_pipe) {
      close(in[0]);
      stdin_ = in[1];
    }
  }
  ~Child() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) Kill();
  }
  // Writes `text` to the child's stdin and closes it.
  void WriteStdin(const std::string& text) {
    if (stdin_ < 0) return;
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = write(stdin_, text.data() + done, text.size() - done);
      if (n <= 0) break;  // the child has gone (EPIPE)
      done += static_cast<size_t>(n);
    }
    close(stdin_);
    stdin_ = -1;
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    Reap(status);
    return false;
  }
  // Waits up to `timeout`, then SIGKILLs. Exit code, -1 after a signal.
  int Wait(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Running() && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (pid_ > 0) Kill();
    return exit_code_;
  }
  // SIGTERM, then Wait.
  int Terminate(std::chrono::milliseconds timeout) {
    if (pid_ > 0) kill(pid_, SIGTERM);
    return Wait(timeout);
  }
  // SIGKILL and reap.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    Reap(status);
  }
  int exit_code() const { return exit_code_; }
  bool exited_by_itself() const { return exited_by_itself_; }
  std::string out() const { return ReadFile(out_path_); }
  std::string err() const { return ReadFile(err_path_); }

 private:
  void Reap(int status) {
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    exited_by_itself_ = !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL;
  }
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  bool exited_by_itself_ = false;
  int stdin_ = -1;
};

struct TestZone {
  std::string name;
  std::string alg;
  std::string bits;  // "-" for fixed sizes
  bool is_protected;
  int alg_number;
};

const std::vector<TestZone>& Zones() {
  static const auto* zones = new std::vector<TestZone>{
      {"p1.crash.test.", "ECDSAP256SHA256", "-", true, 13},
      {"p2.crash.test.", "ED25519", "-", true, 15},
      {"s1.crash.test.", "ECDSAP256SHA256", "-", false, 13},
      {"s2.crash.test.", "RSASHA256", "2048", false, 8},
      {"s3.crash.test.", "ED25519", "-", false, 15},
  };
  return *zones;
}

std::string ZoneText(const std::string& zone) {
  return "$TTL 60\n@ SOA ns1." + zone + " hostmaster." + zone +
         " 1 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\n"
         "mail AAAA 2001:db8::25\n@ MX 10 mail\n";
}

// An import key file pair made by dnssec-keygen, not imported yet.
struct KeyFile {
  std::string base;  // absolute path without .key/.private
  int tag = 0;
};

// What one round launched.
struct Launch {
  LaunchedOp op;
  std::unique_ptr<Child> child;
  bool prints_keys = false;  // create/import: record the printed tags
  std::string signed_path;   // dnssigner -f: whole when acknowledged, else
                             // absent (dnssigner writes temp + rename)
  // Armed launch: the client was started before and waits for its input
  // (maintkeydb -i: the command line on stdin; dnssigner: the zone text
  // through the FIFO it reads as its zone file).
  std::string command_line;
  std::string fifo;
};

class CrashSchedule {
 public:
  CrashSchedule(uint64_t seed, int kills) : rng_(seed), kills_(kills) {
    state_ = dir_.path() + "/state";
    keys_dir_ = dir_.path() + "/keys";
    work_ = dir_.path() + "/work";
    mkdir(keys_dir_.c_str(), 0700);
    mkdir(work_.c_str(), 0700);
    config_ = dir_.path() + "/keystored.json";
    std::ofstream(config_) << R"({"import-dir": ")" << keys_dir_
                           << R"(", "check-interval": 3600,)"
                           << R"( "propagation-delay": 0})";
  }

  std::string socket() const { return state_ + "/admin.sock"; }
  std::string db() const { return state_ + "/keystore.db"; }
  const std::string& state_dir() const { return state_; }
  const std::vector<LaunchedOp>& ops() const { return ops_; }
  const std::set<std::string>& complete_required() const {
    return complete_required_;
  }
  std::string daemon_log() const { return ReadFile(daemon_log_); }

  // Key files for import, made with dnssec-keygen now (never committed).
  void MakeImportKeys(int per_zone) {
    for (const TestZone& z : Zones()) {
      for (int i = 0; i < per_zone; ++i) {
        std::vector<std::string> argv = {"dnssec-keygen", "-q", "-K",
                                         keys_dir_,       "-a", z.alg};
        if (z.bits != "-") {
          argv.push_back("-b");
          argv.push_back(z.bits);
        }
        if (i % 2 == 0) {
          argv.push_back("-f");
          argv.push_back("KSK");
        }
        argv.push_back("-n");
        argv.push_back("ZONE");
        argv.push_back(z.name);
        ProcessResult r = RunProcess(argv);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        std::string base = r.out.substr(0, r.out.find('\n'));
        KeyFile key{keys_dir_ + "/" + base,
                    std::stoi(base.substr(base.rfind('+') + 1))};
        import_keys_[z.name].push_back(key);
      }
    }
    for (const TestZone& z : Zones()) {
      std::ofstream(ZoneFile(z.name)) << ZoneText(z.name);
    }
  }

  std::string ZoneFile(const std::string& zone) const {
    return work_ + "/" + zone + "zone";
  }

  // Starts keystored; does not wait.
  void StartDaemon() {
    daemon_ = std::make_unique<Child>(
        std::vector<std::string>{RunfilePath("keystore/keystored"),
                                 "--state-dir", state_, "--config", config_},
        dir_.path() + "/keystored.out");
    daemon_log_ = dir_.path() + "/keystored.out.err";
  }

  // Waits until the admin socket answers (up to 20 s).
  bool WaitReady() {
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline && daemon_->Running()) {
      if (ProbeUnixSocket(socket()).ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  // SIGKILL; false if keystored had already ended by itself.
  bool KillDaemon() {
    const bool was_running = daemon_->Running();
    daemon_->Kill();
    ++kills_done_;
    return was_running;
  }

  // SIGTERM and wait; the exit code.
  int StopDaemon() { return daemon_->Terminate(std::chrono::seconds(20)); }

  // One synchronous client call with keystored up (setup and the end).
  ProcessResult Mk(const std::vector<std::string>& args) {
    return Maintkeydb(socket(), args);
  }
  ProcessResult Sign(const std::string& zone, const std::string& out) {
    return RunProcess({RunfilePath("cli/dnssigner"), "--socket", socket(), "-o",
                       zone, "-f", out, ZoneFile(zone)});
  }

  // Adds an acknowledged setup operation to the model.
  void Record(const LaunchedOp& op) { ops_.push_back(op); }

  // Checks the store; every problem is a test failure. Updates the zones
  // that must stay complete.
  bool Check(const std::string& when) {
    const StoreSnapshot snap = ReadStoreSnapshot(db());
    const std::vector<std::string> problems =
        CheckStore(snap, ops_, complete_required_);
    for (const std::string& p : problems) {
      ADD_FAILURE() << when << ": " << p;
    }
    for (const std::string& zone : CompleteZones(snap)) {
      for (const TestZone& z : Zones()) {
        if (z.name == zone && z.is_protected) complete_required_.insert(zone);
      }
    }
    ProcessResult temps =
        RunProcess({"find", state_, "-name", "master.key*.tmp.*"});
    if (!temps.out.empty()) {
      ADD_FAILURE() << when << ": master key temp files left: " << temps.out;
    }
    last_ = snap;
    ++checks_;
    return problems.empty();
  }

  // The random rounds. Returns false on the first round that failed.
  bool Run() {
    for (int round = 0; kills_done_ < kills_; ++round) {
      const int mode = Uniform(0, 9);  // 0: kill in start; 1: early clients
      StartDaemon();
      std::vector<Launch> launched;
      if (mode == 0) {
        Sleep(Uniform(0, 200));
        ++kills_in_start_;
      } else {
        if (mode != 1 && !WaitReady()) {
          ADD_FAILURE() << "round " << round
                        << ": keystored did not start: " << daemon_log();
          return false;
        }
        if (mode != 1 &&
            !Check("round " + std::to_string(round) + " after restart")) {
          return false;
        }
        launched = LaunchRound(round, /*armed=*/mode != 1);
        Sleep(KillDelayMs());
      }
      if (!KillDaemon()) {
        ADD_FAILURE() << "round " << round
                      << ": keystored ended before the kill: " << daemon_log();
        return false;
      }
      for (Launch& l : launched) {
        const int code = l.child->Wait(std::chrono::seconds(30));
        l.op.acknowledged = code == 0;
        if (!l.signed_path.empty()) CheckSignedFile(l);
        if (l.op.acknowledged && l.prints_keys) {
          for (const KeyRow& row : ParseKeyTable(l.child->out())) {
            if (row.zone == l.op.zone) l.op.printed_tags.push_back(row.tag);
          }
          if (l.op.printed_tags.empty()) {
            ADD_FAILURE() << l.op.audit_command
                          << " printed no key: " << l.child->out();
          }
        }
        ++(l.op.acknowledged ? acked_ : unacked_);
        ++exit_codes_[code];
        if (!l.op.acknowledged) {
          const std::string err = l.child->err();
          const std::string line = err.substr(0, err.find('\n'));
          if (line.find("keystored is not") != std::string::npos ||
              line.find("UNAVAILABLE") != std::string::npos) {
            ++cut_off_;
          } else {
            ++refused_;  // keystored answered: a refusal (e.g. no (R) key)
            if (refused_example_.empty()) refused_example_ = line;
          }
        }
        const std::string verb = l.op.audit_command.substr(
            0, l.op.audit_command.find(' ', l.op.audit_command.find(' ') + 1));
        ++launched_by_verb_[verb];
        ops_.push_back(l.op);
      }
    }
    StartDaemon();
    if (!WaitReady()) {
      ADD_FAILURE() << "keystored did not start after the last kill: "
                    << daemon_log();
      return false;
    }
    return Check("after the last kill");
  }

  std::string Summary() const {
    std::ostringstream out;
    out << kills_done_ << " kills (" << kills_in_start_ << " during start), "
        << checks_ << " checks, " << acked_ << " operations acknowledged, "
        << unacked_ << " not (" << cut_off_ << " cut off by a kill, "
        << refused_ << " refused by keystored, e.g. \"" << refused_example_
        << "\"); " << last_.keys.size() << " key rows, " << last_.audit.size()
        << " audit rows\nexit codes:";
    for (const auto& [code, n] : exit_codes_) out << " " << code << "x" << n;
    out << "\nlaunched:";
    for (const auto& [verb, n] : launched_by_verb_) {
      out << " " << verb << "=" << n;
    }
    out << "\ndone but not acknowledged (ok audit rows beyond the "
           "acknowledged, per command and zone): "
        << CommittedUnacknowledged();
    return out.str();
  }

  // "ok" audit rows of changes beyond the acknowledged ones: operations a
  // kill cut off after their commit, before their client heard.
  int CommittedUnacknowledged() const {
    std::map<std::pair<std::string, std::string>, int> rows;
    for (const AuditRecord& rec : last_.audit) {
      if (rec.result == "ok")
        ++rows[{NormalizedCommand(rec.command), rec.zone}];
    }
    for (const LaunchedOp& op : ops_) {
      if (op.acknowledged) --rows[{op.audit_command, op.zone}];
    }
    int n = 0;
    for (const auto& [key, count] : rows) {
      if (count > 0 && key.first.rfind("list", 0) != 0) n += count;
    }
    return n;
  }

 private:
  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  static void Sleep(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  // Mostly short (operations take a few ms to tens of ms, so kills land in
  // them), sometimes long enough for several to finish.
  int KillDelayMs() {
    const int roll = Uniform(0, 99);
    return Uniform(0, roll < 40 ? 15 : roll < 75 ? 60 : 300);
  }

  // An acknowledged signing wrote its zone whole; any other wrote nothing,
  // not even a temp file.
  void CheckSignedFile(const Launch& l) {
    const std::string text = ReadFile(l.signed_path);
    if (l.op.acknowledged) {
      EXPECT_NE(text.find("RRSIG"), std::string::npos)
          << l.signed_path << " of an acknowledged signing";
    } else {
      struct stat st;
      EXPECT_NE(lstat(l.signed_path.c_str(), &st), 0)
          << "a signing that failed left " << l.signed_path << ": "
          << l.child->err();
    }
    ProcessResult temps =
        RunProcess({"find", work_, "-name", "*.signed.tmp.*"});
    EXPECT_EQ(temps.out, "") << "dnssigner temp files left";
  }

  // Keys of `zone` in the last snapshot matching `pred`.
  template <typename Pred>
  std::vector<StoreKey> KeysOf(const std::string& zone, Pred pred) const {
    std::vector<StoreKey> out;
    for (const StoreKey& k : last_.keys) {
      if (k.zone == zone && pred(k)) out.push_back(k);
    }
    return out;
  }

  // Starts one to three clients. `armed`: they start, get past their own
  // start-up (process, gRPC), and only then receive their input, all at
  // once, so the kill that follows lands in keystored's handling of the
  // calls rather than in the clients' start. Else each gets its whole
  // command line at once (used while keystored itself is starting).
  std::vector<Launch> LaunchRound(int round, bool armed) {
    const int roll = Uniform(0, 99);
    const int count = roll < 65 ? 1 : roll < 85 ? 2 : 3;
    std::vector<Launch> out;
    std::set<std::string> busy_protected;
    for (int i = 0; i < count; ++i) {
      const TestZone& z = Zones()[Uniform(0, Zones().size() - 1)];
      if (z.is_protected && !busy_protected.insert(z.name).second) continue;
      Launch l = Choose(z);
      const std::string out_path = work_ + "/r" + std::to_string(round) + "." +
                                   std::to_string(i) + ".out";
      l.op.zone = z.name;
      const bool sign = l.op.audit_command == "zone-signed";
      if (sign) l.signed_path = out_path + ".signed";
      std::vector<std::string> argv;
      if (sign) {
        std::string zone_file = ZoneFile(z.name);
        if (armed) {
          l.fifo = out_path + ".fifo";
          if (mkfifo(l.fifo.c_str(), 0600) != 0) {
            ADD_FAILURE() << "mkfifo " << l.fifo;
            continue;
          }
          zone_file = l.fifo;
        }
        argv = {RunfilePath("cli/dnssigner"),
                "--socket",
                socket(),
                "-o",
                z.name,
                "-f",
                l.signed_path,
                zone_file};
      } else if (armed) {
        argv = MkArgv({"-i"});
        for (const std::string& word : argv_) {
          l.command_line += (l.command_line.empty() ? "" : " ") + word;
        }
        l.command_line += "\n";
      } else {
        argv = MkArgv(argv_);
      }
      l.child = std::make_unique<Child>(argv, out_path,
                                        armed && !l.command_line.empty());
      out.push_back(std::move(l));
    }
    if (!armed) return out;
    Sleep(80);  // the clients' own start
    for (Launch& l : out) {
      if (!l.command_line.empty()) l.child->WriteStdin(l.command_line);
    }
    for (Launch& l : out) {
      if (!l.fifo.empty()) FeedFifo(l);
    }
    return out;
  }

  // Writes the zone into the FIFO dnssigner reads (waits up to 2 s for it
  // to open its end; a dnssigner that ended before is left to fail).
  void FeedFifo(Launch& l) {
    int fd = -1;
    for (int i = 0; i < 400 && fd < 0 && l.child->Running(); ++i) {
      fd = open(l.fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) Sleep(5);
    }
    if (fd < 0) return;
    fcntl(fd, F_SETFL, 0);  // blocking writes from here
    const std::string text = ZoneText(l.op.zone);
    if (write(fd, text.data(), text.size()) !=
        static_cast<ssize_t>(text.size())) {
      ADD_FAILURE() << "writing the zone to " << l.fifo;
    }
    close(fd);
  }

  std::vector<std::string> MkArgv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {RunfilePath("cli/maintkeydb"), "--socket",
                                     socket()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  std::vector<std::string> SignArgv(const std::string& zone,
                                    const std::string& out_path) const {
    return {
        RunfilePath("cli/dnssigner"), "--socket",    socket(), "-o", zone, "-f",
        out_path + ".signed",         ZoneFile(zone)};
  }

  // Picks one operation on `z`; sets argv_ (maintkeydb arguments).
  Launch Choose(const TestZone& z) {
    Launch l;
    const std::string& alg = z.alg;
    auto set = [&](const std::string& command, std::vector<std::string> args,
                   bool prints) {
      l.op.audit_command = command;
      argv_ = std::move(args);
      l.prints_keys = prints;
    };
    for (int attempt = 0; attempt < 10; ++attempt) {
      const int kind = Uniform(0, 13);
      if (kind == 0) {
        set("create both " + alg, {"create", "both", alg, z.bits, z.name},
            true);
      } else if (kind <= 2) {
        const std::string what = kind == 1 ? "ksk" : "zsk";
        set("create " + what + " " + alg, {"create", what, alg, z.bits, z.name},
            true);
      } else if (kind <= 6) {
        static const char* kStages[] = {"zsk-stage1", "zsk-stage2",
                                        "ksk-stage1", "ksk-stage2"};
        const std::string stage = kStages[kind - 3];
        set("rollover " + stage + " " + alg + " --force",
            {"rollover", stage, alg, z.name, "--force"}, false);
      } else if (kind <= 8) {
        // delete_id / expire: protected zones only published keys, no (R).
        const bool expire = kind == 8;
        std::vector<StoreKey> keys = KeysOf(z.name, [&](const StoreKey& k) {
          return !k.deleted &&
                 (!z.is_protected || (k.state == "published" && !k.rollover));
        });
        if (keys.empty()) continue;
        const StoreKey& k = keys[Uniform(0, keys.size() - 1)];
        const std::string verb = expire ? "expire" : "delete_id";
        set(verb + " " + alg, {verb, z.name, alg, std::to_string(k.key_tag)},
            false);
      } else if (kind == 9) {
        if (z.is_protected) continue;
        set("delete_name --force", {"delete_name", z.name, "--force"}, false);
      } else if (kind == 10) {
        std::vector<StoreKey> keys =
            KeysOf(z.name, [](const StoreKey& k) { return k.deleted; });
        if (keys.empty()) continue;
        const StoreKey& k = keys[Uniform(0, keys.size() - 1)];
        set("undelete " + alg,
            {"undelete", z.name, alg, std::to_string(k.key_tag)}, false);
      } else if (kind == 11) {
        std::vector<KeyFile>& pool = import_keys_[z.name];
        if (pool.empty()) continue;
        const KeyFile key = pool.back();
        pool.pop_back();
        const std::string state = Uniform(0, 1) ? "active" : "published";
        set("import " + state + " " + alg, {"import", z.name, key.base, state},
            true);
      } else {
        set("zone-signed", {}, false);
      }
      return l;
    }
    set("zone-signed", {}, false);
    return l;
  }

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
  int refused_ = 0, cut_off_ = 0;
  std::string refused_example_;
  std::map<std::string, int> launched_by_verb_;
  int kills_done_ = 0, kills_in_start_ = 0, checks_ = 0, acked_ = 0,
      unacked_ = 0;
};

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
  for (const TestZone& z : Zones()) {
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
  for (const TestZone& z : Zones()) {
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
    std::ofstream(zone_file) << ZoneText(zone);
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
