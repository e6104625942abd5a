#include "tests/e2e/crash_schedule.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "gtest/gtest.h"
#include "proto/unix_socket.h"
#include "tests/e2e/key_table.h"

namespace zonekeep::testing {
namespace {

void Sleep(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

const std::vector<TestZone>& CrashTestZones() {
  static const auto* zones = new std::vector<TestZone>{
      {"p1.crash.test.", "ECDSAP256SHA256", "-", true},
      {"p2.crash.test.", "ED25519", "-", true},
      {"s1.crash.test.", "ECDSAP256SHA256", "-", false},
      {"s2.crash.test.", "RSASHA256", "2048", false},
      {"s3.crash.test.", "ED25519", "-", false},
  };
  return *zones;
}

std::string CrashTestZoneText(const std::string& zone) {
  return "$TTL 60\n@ SOA ns1." + zone + " hostmaster." + zone +
         " 1 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\n"
         "mail AAAA 2001:db8::25\n@ MX 10 mail\n";
}

CrashSchedule::CrashSchedule(uint64_t seed, int kills)
    : rng_(seed), kills_(kills) {
  state_ = dir_.path() + "/state";
  keys_dir_ = dir_.path() + "/keys";
  work_ = dir_.path() + "/work";
  mkdir(keys_dir_.c_str(), 0700);
  mkdir(work_.c_str(), 0700);
  config_ = dir_.path() + "/keystored.json";
  // No zone servers configured: stage gates ask the (absent) NS sets, which
  // fails fast; --force takes the stages past them.
  std::ofstream(config_) << R"({"import-dir": ")" << keys_dir_
                         << R"(", "check-interval": 3600,)"
                         << R"( "propagation-delay": 0})";
}

void CrashSchedule::MakeImportKeys(int per_zone) {
  for (const TestZone& z : CrashTestZones()) {
    std::ofstream(ZoneFile(z.name)) << CrashTestZoneText(z.name);
    for (int i = 0; i < per_zone; ++i) {
      std::vector<std::string> argv = {"dnssec-keygen", "-q", "-K",
                                       keys_dir_,       "-a", z.alg};
      if (z.bits != "-") argv.insert(argv.end(), {"-b", z.bits});
      if (i % 2 == 0) argv.insert(argv.end(), {"-f", "KSK"});
      argv.insert(argv.end(), {"-n", "ZONE", z.name});
      ProcessResult r = RunProcess(argv);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const std::string base = r.out.substr(0, r.out.find('\n'));
      import_keys_[z.name].push_back(KeyFile{keys_dir_ + "/" + base});
    }
  }
}

void CrashSchedule::StartDaemon() {
  daemon_ = std::make_unique<Child>(
      std::vector<std::string>{RunfilePath("keystore/keystored"), "--state-dir",
                               state_, "--config", config_},
      dir_.path() + "/keystored.out");
  daemon_log_ = dir_.path() + "/keystored.out.err";
}

bool CrashSchedule::WaitReady() {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && daemon_->Running()) {
    if (ProbeUnixSocket(socket()).ok()) return true;
    Sleep(5);
  }
  return false;
}

bool CrashSchedule::KillDaemon() {
  const bool was_running = daemon_->Running();
  daemon_->Kill();
  ++kills_done_;
  return was_running;
}

int CrashSchedule::StopDaemon() {
  return daemon_->Terminate(std::chrono::seconds(20));
}

ProcessResult CrashSchedule::Mk(const std::vector<std::string>& args) {
  return Maintkeydb(socket(), args);
}

ProcessResult CrashSchedule::Sign(const std::string& zone,
                                  const std::string& out) {
  return RunProcess({RunfilePath("cli/dnssigner"), "--socket", socket(), "-o",
                     zone, "-f", out, ZoneFile(zone)});
}

bool CrashSchedule::Check(const std::string& when) {
  const StoreSnapshot snap = ReadStoreSnapshot(db());
  const std::vector<std::string> problems =
      CheckStore(snap, ops_, complete_required_);
  for (const std::string& p : problems) ADD_FAILURE() << when << ": " << p;
  for (const std::string& zone : CompleteZones(snap)) {
    for (const TestZone& z : CrashTestZones()) {
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
  return problems.empty() && temps.out.empty();
}

bool CrashSchedule::Run() {
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
    for (Launch& l : launched) Account(l);
  }
  StartDaemon();
  if (!WaitReady()) {
    ADD_FAILURE() << "keystored did not start after the last kill: "
                  << daemon_log();
    return false;
  }
  return Check("after the last kill");
}

void CrashSchedule::Account(Launch& l) {
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
  ++exit_codes_[code];
  if (l.op.acknowledged) {
    ++acked_;
  } else {
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
  const std::string& command = l.op.audit_command;
  ++launched_by_verb_[command.substr(0,
                                     command.find(' ', command.find(' ') + 1))];
  ops_.push_back(l.op);
}

std::string CrashSchedule::Summary() const {
  std::ostringstream out;
  out << kills_done_ << " kills (" << kills_in_start_ << " during start), "
      << checks_ << " checks, " << acked_ << " operations acknowledged, "
      << cut_off_ << " cut off by a kill, " << refused_
      << " refused by keystored (e.g. \"" << refused_example_ << "\"); "
      << last_.keys.size() << " key rows, " << last_.audit.size()
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

// "ok" audit rows of changes beyond the acknowledged ones: operations a kill
// cut off after their commit, before their client heard.
int CrashSchedule::CommittedUnacknowledged() const {
  std::map<std::pair<std::string, std::string>, int> rows;
  for (const AuditRecord& rec : last_.audit) {
    if (rec.result == "ok") ++rows[{NormalizedCommand(rec.command), rec.zone}];
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

// Mostly short (operations take a few ms to tens of ms, so kills land in
// them), sometimes long enough for several to finish.
int CrashSchedule::KillDelayMs() {
  const int roll = Uniform(0, 99);
  return Uniform(0, roll < 40 ? 15 : roll < 75 ? 60 : 300);
}

// An acknowledged signing wrote its zone whole; any other wrote nothing, not
// even a temp file (dnssigner writes temp + rename).
void CrashSchedule::CheckSignedFile(const Launch& l) {
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
  ProcessResult temps = RunProcess({"find", work_, "-name", "*.signed.tmp.*"});
  EXPECT_EQ(temps.out, "") << "dnssigner temp files left";
}

// Keys of `zone` in the last snapshot, in the bin or live; with
// `published_only`, live keys published without (R).
std::vector<StoreKey> CrashSchedule::KeysOf(const std::string& zone,
                                            bool deleted,
                                            bool published_only) const {
  std::vector<StoreKey> out;
  for (const StoreKey& k : last_.keys) {
    if (k.zone != zone || k.deleted != deleted) continue;
    if (published_only && (k.state != "published" || k.rollover)) continue;
    out.push_back(k);
  }
  return out;
}

// Starts one to three clients. `armed`: they start, get past their own
// start-up (process, gRPC), and only then receive their input, all at once,
// so the kill that follows lands in keystored's handling of the calls rather
// than in the clients' start. Else each gets its whole command line at once
// (used while keystored itself is starting).
std::vector<CrashSchedule::Launch> CrashSchedule::LaunchRound(int round,
                                                              bool armed) {
  const int roll = Uniform(0, 99);
  const int count = roll < 65 ? 1 : roll < 85 ? 2 : 3;
  std::vector<Launch> out;
  std::set<std::string> busy_protected;
  for (int i = 0; i < count; ++i) {
    const TestZone& z =
        CrashTestZones()[Uniform(0, CrashTestZones().size() - 1)];
    // One operation per protected zone at a time (see crash_schedule.h).
    if (z.is_protected && !busy_protected.insert(z.name).second) continue;
    Launch l = Choose(z);
    const std::string out_path =
        work_ + "/r" + std::to_string(round) + "." + std::to_string(i) + ".out";
    l.op.zone = z.name;
    std::vector<std::string> argv;
    if (l.op.audit_command == "zone-signed") {
      l.signed_path = out_path + ".signed";
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

// Writes the zone into the FIFO dnssigner reads (waits up to 2 s for it to
// open its end; a dnssigner that ended before is left to fail).
void CrashSchedule::FeedFifo(Launch& l) {
  int fd = -1;
  for (int i = 0; i < 400 && fd < 0 && l.child->Running(); ++i) {
    fd = open(l.fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) Sleep(5);
  }
  if (fd < 0) return;
  fcntl(fd, F_SETFL, 0);  // blocking writes from here
  const std::string text = CrashTestZoneText(l.op.zone);
  if (write(fd, text.data(), text.size()) !=
      static_cast<ssize_t>(text.size())) {
    ADD_FAILURE() << "writing the zone to " << l.fifo;
  }
  close(fd);
}

std::vector<std::string> CrashSchedule::MkArgv(
    const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {RunfilePath("cli/maintkeydb"), "--socket",
                                   socket()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CrashSchedule::Launch CrashSchedule::Choose(const TestZone& z) {
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
      set("create both " + alg, {"create", "both", alg, z.bits, z.name}, true);
    } else if (kind <= 2) {
      const std::string what = kind == 1 ? "ksk" : "zsk";
      set("create " + what + " " + alg, {"create", what, alg, z.bits, z.name},
          true);
    } else if (kind <= 6) {
      static const char* kStages[] = {"zsk-stage1", "zsk-stage2", "ksk-stage1",
                                      "ksk-stage2"};
      const std::string stage = kStages[kind - 3];
      set("rollover " + stage + " " + alg + " --force",
          {"rollover", stage, alg, z.name, "--force"}, false);
    } else if (kind <= 8) {
      // delete_id / expire without --force; protected zones: only keys
      // published without (R).
      const std::vector<StoreKey> keys = KeysOf(z.name, false, z.is_protected);
      if (keys.empty()) continue;
      const StoreKey& k = keys[Uniform(0, keys.size() - 1)];
      const std::string verb = kind == 8 ? "expire" : "delete_id";
      set(verb + " " + alg, {verb, z.name, alg, std::to_string(k.key_tag)},
          false);
    } else if (kind == 9) {
      if (z.is_protected) continue;
      set("delete_name --force", {"delete_name", z.name, "--force"}, false);
    } else if (kind == 10) {
      const std::vector<StoreKey> keys = KeysOf(z.name, true, false);
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

}  // namespace zonekeep::testing
