// `maintkeydb backup FILE` and `keystored --restore FILE` on real processes.
//
// Backups taken while dnssigner signs and maintkeydb rolls both keys of a
// zone, restored into fresh state dirs with a copy of master.key: each
// restored store is exactly one of the states the original passed through
// while that backup ran, and a zone signed there passes dnssec-verify with the
// same DNSKEYs and DS. Every refusal (no / another master key, truncated or
// bit-flipped backup, daemon on the target, existing store without --force;
// backup to an existing file, into a missing directory, as a non-admin) exits
// non-zero with one line and changes nothing. The backup file holds no
// private key bytes of keys imported from BIND files made at test time.
#include <dirent.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/key_encodings.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kZoneText[] = R"($TTL 60
@       IN SOA ns1 hostmaster 2026120101 7200 3600 1209600 60
        IN NS  ns1
ns1     IN A   192.0.2.53
www     IN A   192.0.2.80
)";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

int ModeOf(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : -1;
}

// Every entry of `dir` (flat: state dirs have no subdirectories) with its
// type, mode and, for regular files, content; "absent" when there is no dir.
std::map<std::string, std::string> DirSnapshot(const std::string& dir) {
  std::map<std::string, std::string> snapshot;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return {{"", "absent"}};
  snapshot[""] = std::to_string(ModeOf(dir));
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;
    std::string entry = std::to_string(st.st_mode);
    if (S_ISREG(st.st_mode)) entry += ":" + ReadFile(path);
    snapshot[name] = entry;
  }
  closedir(d);
  return snapshot;
}

int LineCount(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

// "257 3 13 BASE64" of every DNSKEY record in master-file text.
std::set<std::string> DnskeysIn(const std::string& text) {
  std::set<std::string> keys;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == ';') continue;
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    for (size_t i = 0; i + 4 < w.size(); ++i) {
      if (w[i] != "DNSKEY" || (i > 0 && w[i - 1] == "RRSIG")) continue;
      std::string key = w[i + 1] + " " + w[i + 2] + " " + w[i + 3] + " ";
      for (size_t j = i + 4; j < w.size(); ++j) key += w[j];
      keys.insert(key);
      break;
    }
  }
  return keys;
}

// "TAG ALG DIGESTTYPE HEX" of every DS record in master-file text.
std::set<std::string> DsIn(const std::string& text) {
  std::set<std::string> ds;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == ';') continue;
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    for (size_t i = 0; i + 4 < w.size(); ++i) {
      if (w[i] != "DS") continue;
      std::string digest;
      for (size_t j = i + 4; j < w.size(); ++j) digest += w[j];
      ds.insert(w[i + 1] + " " + w[i + 2] + " " + w[i + 3] + " " + digest);
      break;
    }
  }
  return ds;
}

// What a backup must reproduce exactly: the zone's keys with their states,
// marks and times, and the DS records for the parent.
std::string Fingerprint(const std::string& socket) {
  ProcessResult list =
      Maintkeydb(socket, {"list", "--all", "--json", "example.com."});
  ProcessResult ds = Maintkeydb(socket, {"parentdata", "ds", "example.com."});
  if (list.exit_code != 0 || ds.exit_code != 0) {
    return "error: " + list.err + ds.err;
  }
  std::string keys = list.out;
  const size_t time_at = keys.find("\"server_time\":\"");
  if (time_at != std::string::npos) {
    keys.erase(time_at, keys.find(',', time_at) + 1 - time_at);
  }
  return keys + ds.out;
}

class BackupRestoreE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteFile(zone_file(), kZoneText); }

  std::string state() const { return dir_.path() + "/state"; }
  std::string socket() const { return state() + "/admin.sock"; }
  std::string zone_file() const { return dir_.path() + "/zone.txt"; }

  ProcessResult Sign(const std::string& socket, const std::string& zone,
                     const std::string& out) {
    return RunProcess({RunfilePath("cli/dnssigner"), "--socket", socket, "-o",
                       zone, "-f", out, zone_file()});
  }
  ProcessResult Restore(const std::string& backup, const std::string& target,
                        bool force = false,
                        const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {RunfilePath("keystore/keystored"),
                                     "--restore", backup, "--state-dir",
                                     target};
    if (force) argv.push_back("--force");
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv);
  }
  // A fresh state dir (0700) holding a copy of the original's master.key.
  std::string FreshStateWithMasterKey(const std::string& name) {
    const std::string target = dir_.path() + "/" + name;
    EXPECT_EQ(mkdir(target.c_str(), 0700), 0) << target;
    WriteFile(target + "/master.key", ReadFile(state() + "/master.key"));
    chmod((target + "/master.key").c_str(), 0400);
    return target;
  }
  void CreateKeys() {
    for (const auto& [alg, zone] :
         std::vector<std::pair<std::string, std::string>>{
             {"ECDSAP256SHA256", "example.com."},
             {"ED25519", "example.net."}}) {
      ProcessResult r =
          Maintkeydb(socket(), {"create", "both", alg, "-", zone});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  // maintkeydb backup FILE; the summary line is checked against the file.
  ProcessResult Backup(const std::string& file,
                       const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"backup", file};
    args.insert(args.end(), extra.begin(), extra.end());
    return Maintkeydb(socket(), args);
  }

  ShortTempDir dir_;
};

TEST_F(BackupRestoreE2eTest, BackupsTakenWhileSigningAndRollingRestoreExactly) {
  KeystoredProcess daemon(state());
  ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
  CreateKeys();

  std::mutex mu;
  std::vector<std::string> states = {Fingerprint(socket())};  // guarded by mu
  std::atomic<bool> stop{false};
  std::atomic<int> signed_ok{0}, sign_failed{0}, stages_ok{0}, stage_failed{0};
  std::thread signer([&] {
    for (int n = 0; !stop; ++n) {
      const char* zone = n % 2 == 0 ? "example.com." : "example.net.";
      ProcessResult r =
          Sign(socket(), zone, dir_.path() + "/out" + std::to_string(n % 4));
      (r.exit_code == 0 ? signed_ok : sign_failed)++;
      if (r.exit_code != 0) fprintf(stderr, "sign: %s", r.err.c_str());
    }
  });
  std::thread roller([&] {
    const char* stages[] = {"zsk-stage1", "zsk-stage2", "ksk-stage1",
                            "ksk-stage2"};
    for (int n = 0; !stop; ++n) {
      ProcessResult r =
          Maintkeydb(socket(), {"rollover", stages[n % 4], "ECDSAP256SHA256",
                                "example.com.", "--force"});
      (r.exit_code == 0 ? stages_ok : stage_failed)++;
      if (r.exit_code != 0) fprintf(stderr, "rollover: %s", r.err.c_str());
      // Only this thread changes the keys: the state stays until its next
      // stage.
      const std::string fingerprint = Fingerprint(socket());
      std::lock_guard<std::mutex> lock(mu);
      states.push_back(fingerprint);
    }
  });
  auto recorded = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return states.size();
  };
  while (recorded() < 3 && stage_failed == 0) usleep(10000);

  struct Taken {
    std::string file;
    size_t first_state = 0;  // states[first_state .. last_state] bracket it
    size_t last_state = 0;
    std::string line;
  };
  std::vector<Taken> backups;
  for (int i = 0; i < 5; ++i) {
    Taken t;
    t.file = dir_.path() + "/backup-" + std::to_string(i) + ".db";
    // Before the call the store is in the last state recorded or the next.
    t.first_state = recorded() - 1;
    ProcessResult r = Backup(t.file);
    t.last_state = recorded();  // the state after this one may be unrecorded
    ASSERT_EQ(r.exit_code, 0) << r.err;
    t.line = r.out;
    backups.push_back(t);
    // Let the loops move on between backups.
    const size_t at = recorded();
    while (recorded() < at + 2 && stage_failed == 0) usleep(10000);
  }
  const size_t final_count = recorded();
  while (recorded() < final_count + 1 && stage_failed == 0) usleep(10000);
  stop = true;
  signer.join();
  roller.join();
  EXPECT_EQ(sign_failed, 0);
  EXPECT_EQ(stage_failed, 0);
  EXPECT_GT(signed_ok, 5);
  EXPECT_GT(stages_ok, 10);
  ProcessResult audit = Maintkeydb(socket(), {"audit", "--limit", "100000"});
  ASSERT_EQ(daemon.Stop(), 0);

  // No copy left in the state dir; the audit log names every backup.
  for (const auto& [name, entry] : DirSnapshot(state())) {
    EXPECT_EQ(name.find("backup-"), std::string::npos) << name;
  }
  int audited = 0;
  for (size_t at = 0;
       (at = audit.out.find("backup (", at)) != std::string::npos; ++at) {
    ++audited;
  }
  EXPECT_EQ(audited, 5) << audit.out;

  std::set<std::string> restored_states;
  for (size_t i = 0; i < backups.size(); ++i) {
    const Taken& t = backups[i];
    SCOPED_TRACE("backup " + std::to_string(i));
    EXPECT_EQ(ModeOf(t.file), 0600);
    // The summary line is the file's: size and SHA-256.
    EXPECT_THAT(t.line, HasSubstr("2 zones (example.com. example.net.)"));
    EXPECT_THAT(t.line, HasSubstr(std::to_string(ReadFile(t.file).size()) +
                                  " bytes, sha256 "));
    ProcessResult sha = RunProcess({"sha256sum", t.file});
    ASSERT_EQ(sha.exit_code, 0);
    EXPECT_THAT(t.line, HasSubstr("sha256 " + sha.out.substr(0, 64)));
    EXPECT_THAT(t.line, HasSubstr("master key id "));

    const std::string target =
        FreshStateWithMasterKey("restored-" + std::to_string(i));
    ProcessResult r = Restore(t.file, target);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(LineCount(r.out), 1) << r.out;
    EXPECT_THAT(r.out, HasSubstr("2 zones (example.com. example.net.)"));
    EXPECT_THAT(r.out, HasSubstr("sha256 " + sha.out.substr(0, 64)));
    EXPECT_EQ(ModeOf(target + "/keystore.db"), 0600);
    EXPECT_FALSE(Exists(target + "/keystore.db-wal"));

    KeystoredProcess restored(target);
    ASSERT_TRUE(restored.started()) << restored.stderr_text();
    const std::string got = Fingerprint(target + "/admin.sock");
    std::vector<std::string> window;
    {
      std::lock_guard<std::mutex> lock(mu);
      ASSERT_LT(t.last_state, states.size());
      window.assign(states.begin() + t.first_state,
                    states.begin() + t.last_state + 1);
    }
    EXPECT_THAT(window, ::testing::Contains(got))
        << "the restored store is none of the states the original passed "
           "through while the backup ran; restored:\n"
        << got;
    restored_states.insert(got);

    // A zone signed by the restored daemon verifies, with the DNSKEYs the
    // original had then and the DS it gave the parent.
    const std::string signed_file = target + "/example.com.signed";
    ProcessResult s = Sign(target + "/admin.sock", "example.com.", signed_file);
    ASSERT_EQ(s.exit_code, 0) << s.err;
    ProcessResult verify =
        RunProcess({"dnssec-verify", "-o", "example.com.", signed_file});
    EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
    ProcessResult showkeys =
        Maintkeydb(target + "/admin.sock", {"showkeys", "example.com."});
    const std::set<std::string> dnskeys = DnskeysIn(ReadFile(signed_file));
    EXPECT_EQ(dnskeys, DnskeysIn(showkeys.out));
    EXPECT_GE(dnskeys.size(), 3u);
    ProcessResult dsfromkey = RunProcess(
        {"dnssec-dsfromkey", "-2", "-f", signed_file, "example.com."});
    ASSERT_EQ(dsfromkey.exit_code, 0) << dsfromkey.err;
    const std::set<std::string> parent_ds = DsIn(got);
    ASSERT_FALSE(parent_ds.empty()) << got;
    for (const std::string& ds : parent_ds) {
      EXPECT_THAT(DsIn(dsfromkey.out), ::testing::Contains(ds));
    }
    EXPECT_EQ(restored.Stop(), 0);
  }
  // The backups caught the loops at different points (they ran meanwhile).
  EXPECT_GT(restored_states.size(), 1u);
}

// A valid backup and the refusals around it. Each refusal is one line,
// non-zero, and leaves the target state dir as it was.
TEST_F(BackupRestoreE2eTest, RefusalsChangeNothing) {
  KeystoredProcess daemon(state());
  ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
  CreateKeys();
  const std::string backup = dir_.path() + "/good.db";
  ProcessResult taken = Backup(backup);
  ASSERT_EQ(taken.exit_code, 0) << taken.err;
  const std::string good = ReadFile(backup);

  const size_t sha_at = taken.out.find("sha256 ");
  ASSERT_NE(sha_at, std::string::npos) << taken.out;
  const std::string good_sha = taken.out.substr(sha_at + 7, 64);

  auto expect_refused = [&](const std::string& what, const std::string& file,
                            const std::string& target,
                            const std::string& reason, bool force = false,
                            const std::vector<std::string>& extra = {}) {
    SCOPED_TRACE(what);
    const auto before = DirSnapshot(target);
    ProcessResult r = Restore(file, target, force, extra);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(LineCount(r.err), 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr("restore refused: "));
    EXPECT_THAT(r.err, HasSubstr(reason));
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(DirSnapshot(target), before) << "the state dir changed";
  };

  // No master key: in a dir that does not exist, and in an empty one.
  expect_refused("no state dir", backup, dir_.path() + "/absent",
                 "no master key at");
  const std::string empty = dir_.path() + "/empty";
  ASSERT_EQ(mkdir(empty.c_str(), 0700), 0);
  expect_refused("no master key", backup, empty, "no master key at");

  // Another master key: 32 random bytes of its own.
  const std::string other = dir_.path() + "/other";
  ASSERT_EQ(mkdir(other.c_str(), 0700), 0);
  ASSERT_EQ(RunProcess({"dd", "if=/dev/urandom", "of=" + other + "/master.key",
                        "bs=32", "count=1", "status=none"})
                .exit_code,
            0);
  chmod((other + "/master.key").c_str(), 0400);
  expect_refused("another master key", backup, other,
                 "is not the master key of the backup");

  // Damaged backups, with the right master key.
  const std::string target = FreshStateWithMasterKey("target");
  const std::string truncated = dir_.path() + "/truncated.db";
  WriteFile(truncated, good.substr(0, good.size() / 2));
  expect_refused("truncated", truncated, target, "is not an intact");
  const std::string empty_file = dir_.path() + "/empty.db";
  WriteFile(empty_file, "");
  expect_refused("empty file", empty_file, target, "is not an intact");
  expect_refused("missing file", dir_.path() + "/nope.db", target,
                 "cannot read the backup");

  // One bit flipped in a b-tree page header (page 2's cell count).
  const size_t page_size = (static_cast<unsigned char>(good[16]) << 8) |
                           static_cast<unsigned char>(good[17]);
  ASSERT_GT(good.size(), 2 * page_size);
  std::string flipped = good;
  flipped[page_size + 3] ^= 0x40;
  const std::string flipped_header = dir_.path() + "/flipped-header.db";
  WriteFile(flipped_header, flipped);
  expect_refused("flipped b-tree header", flipped_header, target,
                 "is not an intact");

  // One bit flipped inside a sealed key: only the master key sees it.
  std::string sealed;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(
        sqlite3_open_v2(backup.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
        SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(
                  db, "SELECT sealed_private FROM keys ORDER BY id LIMIT 1", -1,
                  &stmt, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    sealed.assign(static_cast<const char*>(sqlite3_column_blob(stmt, 0)),
                  sqlite3_column_bytes(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  ASSERT_GT(sealed.size(), 32u);
  const size_t at = good.find(sealed);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(good.find(sealed, at + 1), std::string::npos);
  flipped = good;
  flipped[at + sealed.size() / 2] ^= 0x01;
  const std::string flipped_key = dir_.path() + "/flipped-key.db";
  WriteFile(flipped_key, flipped);
  expect_refused("flipped sealed key", flipped_key, target, "is damaged: key");

  // One bit flipped in audit text: no structure or key covers it, the
  // SHA-256 maintkeydb backup printed does.
  const size_t audit_at = good.find("create both");
  ASSERT_NE(audit_at, std::string::npos);
  flipped = good;
  flipped[audit_at] ^= 0x20;  // 'c' -> 'C'
  const std::string flipped_audit = dir_.path() + "/flipped-audit.db";
  WriteFile(flipped_audit, flipped);
  expect_refused("flipped audit text, --sha256", flipped_audit, target,
                 "has SHA-256", false, {"--sha256", good_sha});

  // keystored running on the target.
  expect_refused("daemon running", backup, state(), "already in use");

  // The same target accepts the good backup (with its SHA-256): the
  // refusals were real.
  ProcessResult ok = Restore(backup, target, false, {"--sha256", good_sha});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("6 keys"));

  // A store that holds keys is replaced only with --force.
  {
    KeystoredProcess second(target);
    ASSERT_TRUE(second.started()) << second.stderr_text();
    ProcessResult r = Maintkeydb(target + "/admin.sock",
                                 {"create", "both", "ED25519", "-", "extra."});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(second.Stop(), 0);
  }
  expect_refused("existing store", backup, target, "holds 9 keys");
  const auto before_force = DirSnapshot(target);
  ProcessResult forced = Restore(backup, target, /*force=*/true);
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("the old store is kept as "));
  std::string kept;
  for (const auto& [name, entry] : DirSnapshot(target)) {
    if (name.rfind("keystore.db.before-restore-", 0) == 0) kept = name;
  }
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(ModeOf(target + "/" + kept), 0600);
  EXPECT_EQ(ReadFile(target + "/" + kept),
            before_force.at("keystore.db")
                .substr(before_force.at("keystore.db").find(':') + 1));
  {
    KeystoredProcess third(target);
    ASSERT_TRUE(third.started()) << third.stderr_text();
    ProcessResult list = Maintkeydb(target + "/admin.sock", {"list"});
    EXPECT_THAT(list.out, HasSubstr("example.com."));
    EXPECT_THAT(list.out, ::testing::Not(HasSubstr("extra.")));
    EXPECT_EQ(third.Stop(), 0);
  }

  // maintkeydb backup refusals: an existing file is left alone...
  const std::string existing = dir_.path() + "/existing.db";
  WriteFile(existing, "keep me");
  ProcessResult r = Backup(existing);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("exists; give --force"));
  EXPECT_EQ(ReadFile(existing), "keep me");
  // ...and replaced with --force.
  r = Backup(existing, {"--force"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadFile(existing), "keep me");
  EXPECT_EQ(ModeOf(existing), 0600);
  // A directory that does not exist: nothing made.
  r = Backup(dir_.path() + "/no/such/dir/b.db");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("No such file or directory"));
  EXPECT_FALSE(Exists(dir_.path() + "/no"));
  // Daemon down: one line, no file, no temp file.
  ASSERT_EQ(daemon.Stop(), 0);
  const std::string outdir = dir_.path() + "/out";
  ASSERT_EQ(mkdir(outdir.c_str(), 0700), 0);
  r = Backup(outdir + "/b.db");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_EQ(DirSnapshot(outdir).size(), 1u) << "left a file behind";
}

TEST_F(BackupRestoreE2eTest, NonAdminGetsNoBackup) {
  // This uid is a signer only.
  const std::string config = dir_.path() + "/keystored.json";
  WriteFile(config, R"({"clients": [{"identity": "unix:root", "role": )"
                    R"("signer", "zones": ["example.com."]}]})");
  ASSERT_EQ(getuid(), 0u) << "the e2e suites run as root";
  KeystoredProcess daemon(state(), config);
  ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
  const std::string outdir = dir_.path() + "/out";
  ASSERT_EQ(mkdir(outdir.c_str(), 0700), 0);
  ProcessResult r = Backup(outdir + "/b.db");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("unix:root"));
  EXPECT_EQ(DirSnapshot(outdir).size(), 1u) << "left a file behind";
  ASSERT_EQ(daemon.Stop(), 0);
  // The refusal is audited (read as admin without the clients list).
  KeystoredProcess admin(state());
  ASSERT_TRUE(admin.started()) << admin.stderr_text();
  ProcessResult audit = Maintkeydb(socket(), {"audit"});
  EXPECT_THAT(audit.out, HasSubstr("backup"));
  EXPECT_THAT(audit.out, HasSubstr("not an admin"));
}

// Keys imported from BIND files made now: the backup restores them (their
// public keys sign), and holds none of their private bytes in any encoding.
TEST_F(BackupRestoreE2eTest, BackupHoldsNoPrivateKeyBytes) {
  const std::string keys = dir_.path() + "/keys";
  ASSERT_EQ(mkdir(keys.c_str(), 0700), 0);
  const std::string config = dir_.path() + "/keystored.json";
  WriteFile(config, R"({"import-dir": ")" + keys + R"("})");
  KeystoredProcess daemon(state(), config);
  ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
  struct Case {
    std::string zone, algorithm;
    std::vector<std::string> flags;
  };
  std::vector<std::string> bases;
  for (const Case& c :
       std::vector<Case>{{"ecdsa.example", "ECDSAP256SHA256", {}},
                         {"ed.example", "ED25519", {}},
                         {"rsa.example", "RSASHA256", {"-b", "2048"}}}) {
    for (bool ksk : {true, false}) {
      std::vector<std::string> argv = {"dnssec-keygen", "-q", "-K", keys, "-a",
                                       c.algorithm};
      argv.insert(argv.end(), c.flags.begin(), c.flags.end());
      if (ksk) argv.insert(argv.end(), {"-f", "KSK"});
      argv.push_back(c.zone);
      ProcessResult g = RunProcess(argv);
      ASSERT_EQ(g.exit_code, 0) << g.err;
      const std::string base = keys + "/" + g.out.substr(0, g.out.find('\n'));
      bases.push_back(base);
      ProcessResult r =
          Maintkeydb(socket(), {"import", c.zone + ".", base, "active"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  const std::string backup = dir_.path() + "/backup.db";
  ProcessResult b = Backup(backup);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_THAT(b.out, HasSubstr("3 zones"));
  EXPECT_THAT(b.out, HasSubstr("6 keys"));
  ASSERT_EQ(daemon.Stop(), 0);
  const std::string bytes = ReadFile(backup);
  ASSERT_GT(bytes.size(), 4096u);
  const std::string captured = bytes + b.out + b.err;
  for (const std::string& base : bases) {
    std::string error;
    const std::vector<Needle> needles = PrivateKeyEncodings(base, &error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_EQ(FindAny(captured, needles), "") << base << " leaked";
    // The scan can fail: the key's own file appended is found.
    EXPECT_NE(FindAny(captured + ReadFile(base + ".private"), needles), "")
        << base;
  }
  // The backup holds those keys: restored, the RSA zone signs with its
  // imported DNSKEYs.
  const std::string target = FreshStateWithMasterKey("restored");
  ProcessResult r = Restore(backup, target);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  KeystoredProcess restored(target);
  ASSERT_TRUE(restored.started()) << restored.stderr_text();
  const std::string out = target + "/rsa.signed";
  ProcessResult s = Sign(target + "/admin.sock", "rsa.example.", out);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const std::set<std::string> signed_keys = DnskeysIn(ReadFile(out));
  for (const std::string& base : bases) {
    if (base.find("Krsa.example.") == std::string::npos) continue;
    const std::set<std::string> imported = DnskeysIn(ReadFile(base + ".key"));
    ASSERT_EQ(imported.size(), 1u);
    EXPECT_THAT(signed_keys, ::testing::Contains(*imported.begin()));
  }
}

}  // namespace
}  // namespace zonekeep::testing
