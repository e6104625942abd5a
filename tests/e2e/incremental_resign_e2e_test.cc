// Incremental re-signing (dnssigner -i) end to end: keystored + dnssigner as
// processes. A zone is signed, changed (records added and removed, a TTL
// changed, a delegation removed; NSEC <-> NSEC3; a ZSK rollover stage 1 or a
// key deletion in between) and re-signed with -i. Each output must pass
// dnssec-verify, ldns-verify-zone and kzonecheck, and the summary's "R reused,
// N new" must equal two independent counts made from the two output files
// alone:
//  - identical: RRSIG lines (owner + RDATA) present in both outputs;
//  - by the rule: RRSIGs over an RRset that is byte-identical in both
//    outputs (same owner, type, TTL, RDATA set), made by a key that signed it
//    before (same key tag), when the interval allows reuse.
// The two agree only if exactly the reusable signatures were reused (an
// ECDSA signature made afresh always differs). A damaged record, a missing
// one and RRSIGs sent by the client give a full sign that says so; a
// restart of keystored keeps the record.
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/key_table.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kZone[] = "example.com.";
constexpr char kAlg[] = "ECDSAP256SHA256";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// The zone the tests start from: 40 hosts, 12 delegations (every other one
// with DS), some AAAA and TXT.
std::string BaseZone() {
  std::string z =
      "$ORIGIN example.com.\n$TTL 3600\n"
      "@ IN SOA ns1 hostmaster 2026120101 7200 3600 1209600 300\n"
      "@ IN NS ns1\n@ IN MX 10 mail\n"
      "ns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n";
  for (int i = 0; i < 40; ++i) {
    z += "host" + std::to_string(i) + " IN A 192.0.2." + std::to_string(i) +
         "\n";
    if (i % 4 == 0) {
      z += "host" + std::to_string(i) +
           " IN AAAA 2001:db8::" + std::to_string(i + 1) + "\n";
    }
    if (i % 10 == 0) {
      z += "host" + std::to_string(i) + " IN TXT \"t" + std::to_string(i) +
           "\"\n";
    }
  }
  for (int i = 0; i < 12; ++i) {
    const std::string d = "deleg" + std::to_string(i);
    z += d + " IN NS ns." + d + "\nns." + d + " IN A 198.51.100." +
         std::to_string(i) + "\n";
    if (i % 2 == 0) {
      z += d + " IN DS " + std::to_string(1000 + i) + " 13 2 " +
           std::string(62, 'a') + "0" + std::to_string(i % 10) + "\n";
    }
  }
  return z;
}

// Removes every line of `text` that starts with `prefix`.
std::string DropLines(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) out += line + "\n";
  }
  return out;
}

// A signed zone as dnssigner writes it (one record per line, tab-separated
// owner, TTL, class, type, RDATA).
struct SignedZone {
  // (owner, type) -> sorted "TTL RDATA" lines: the RRset as published.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>>
      rrsets;
  // owner + RRSIG RDATA text, for every RRSIG.
  std::set<std::string> rrsig_lines;
  // (owner, covered type, key tag) of each RRSIG, with its line and its
  // expiration (YYYYMMDDHHMMSS as written).
  struct Rrsig {
    std::string line;
    std::string expiration;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Rrsig> rrsigs;
  size_t rrsig_count = 0;
};

SignedZone ParseSigned(const std::string& text) {
  SignedZone zone;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ';') continue;
    std::istringstream fields(line);
    std::string owner, ttl, cls, type;
    fields >> owner >> ttl >> cls >> type;
    std::string rdata;
    std::getline(fields, rdata);
    rdata.erase(0, rdata.find_first_not_of(" \t"));
    if (type == "RRSIG") {
      std::istringstream r(rdata);
      std::string covered, alg, labels, orig_ttl, exp, inc, tag;
      r >> covered >> alg >> labels >> orig_ttl >> exp >> inc >> tag;
      zone.rrsig_lines.insert(owner + " " + rdata);
      zone.rrsigs[{owner, covered, tag}] = {owner + " " + rdata, exp};
      ++zone.rrsig_count;
    } else {
      zone.rrsets[{owner, type}].push_back(ttl + " " + rdata);
    }
  }
  for (auto& [key, lines] : zone.rrsets) std::sort(lines.begin(), lines.end());
  return zone;
}

struct Counts {
  size_t identical = 0;  // RRSIG lines found in the earlier output
  size_t by_rule = 0;    // RRSIGs that the reuse rule allows
};

// "YYYYMMDDHHMMSS" (UTC) of unix time `t`, comparable as a string.
std::string TimeText(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

// Both independent counts of what `after` may have reused from `before`.
// `interval`: the -i given (-1: no -i or no usable record, so nothing may
// be reused); the rule
// then also needs the old signature to expire later than now + interval.
Counts CountReuse(const SignedZone& before, const SignedZone& after,
                  int64_t interval) {
  Counts c;
  const std::string reusable_after =
      TimeText(static_cast<int64_t>(time(nullptr)) + interval);
  for (const auto& [key, sig] : after.rrsigs) {
    const auto& [owner, covered, tag] = key;
    if (before.rrsig_lines.count(sig.line) > 0) ++c.identical;
    auto old_set = before.rrsets.find({owner, covered});
    auto new_set = after.rrsets.find({owner, covered});
    const bool same_rrset = old_set != before.rrsets.end() &&
                            new_set != after.rrsets.end() &&
                            old_set->second == new_set->second;
    auto old_sig = before.rrsigs.find(key);
    if (interval >= 0 && same_rrset && old_sig != before.rrsigs.end() &&
        old_sig->second.expiration > reusable_after) {
      ++c.by_rule;
    }
  }
  return c;
}

struct Summary {
  bool found = false;
  size_t reused = 0;
  size_t made = 0;
  size_t total = 0;
  size_t verified_before = 0;  // "self-verified (V as verified before)"
};

// "N signatures (R reused, M new)" from dnssigner's summary line.
Summary ParseSummary(const std::string& err) {
  Summary s;
  std::smatch m;
  static const std::regex re(
      "(\\d+) signatures \\((\\d+) reused, (\\d+) new\\)");
  if (std::regex_search(err, m, re)) {
    s.found = true;
    s.total = std::stoul(m[1]);
    s.reused = std::stoul(m[2]);
    s.made = std::stoul(m[3]);
  }
  static const std::regex before_re("(\\d+) as verified before");
  if (std::regex_search(err, m, before_re)) {
    s.verified_before = std::stoul(m[1]);
  }
  return s;
}

class IncrementalResignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = dir_.path() + "/state";
    daemon_ = std::make_unique<KeystoredProcess>(state_);
    ASSERT_TRUE(daemon_->started()) << daemon_->stderr_text();
    work_ = dir_.path() + "/work";
    mkdir(work_.c_str(), 0700);
    zone_file_ = work_ + "/example.com.zone";
    WriteFile(zone_file_, BaseZone());
    ASSERT_EQ(Mk({"create", "both", kAlg, "-", kZone}).exit_code, 0);
  }

  void TearDown() override {
    EXPECT_TRUE(daemon_->alive())
        << "keystored died: " << daemon_->stderr_text();
  }

  ProcessResult Mk(const std::vector<std::string>& args) {
    return Maintkeydb(daemon_->socket_path(), args);
  }

  std::string RecordPath() const {
    return state_ + "/signatures/example.com.sigs";
  }

  // Signs `zone_file_` into work_/NAME; returns dnssigner's result.
  ProcessResult Sign(const std::vector<std::string>& extra,
                     const std::string& name) {
    std::vector<std::string> argv = {RunfilePath("cli/dnssigner"),
                                     "--socket",
                                     daemon_->socket_path(),
                                     "-o",
                                     kZone,
                                     "-f",
                                     work_ + "/" + name};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(zone_file_);
    return RunProcess(argv);
  }

  void ExpectVerified(const std::string& name) {
    const std::string file = work_ + "/" + name;
    ProcessResult bind = RunProcess({"dnssec-verify", "-o", kZone, file});
    EXPECT_EQ(bind.exit_code, 0) << "dnssec-verify: " << bind.err << bind.out;
    ProcessResult ldns = RunProcess({"ldns-verify-zone", file});
    EXPECT_EQ(ldns.exit_code, 0)
        << "ldns-verify-zone: " << ldns.err << ldns.out;
    ProcessResult knot =
        RunProcess({"kzonecheck", "-o", kZone, "--dnssec", "on", file});
    EXPECT_EQ(knot.exit_code, 0) << "kzonecheck: " << knot.err << knot.out;
  }

  // Checks run `after` against `before`: verifiers pass, and the summary's
  // counts equal both independent counts. Returns the summary.
  Summary ExpectExactReuse(const ProcessResult& run, const std::string& before,
                           const std::string& after, int64_t interval) {
    EXPECT_EQ(run.exit_code, 0) << run.err;
    ExpectVerified(after);
    const Summary s = ParseSummary(run.err);
    EXPECT_TRUE(s.found) << run.err;
    const SignedZone old_zone = ParseSigned(ReadFile(work_ + "/" + before));
    const SignedZone new_zone = ParseSigned(ReadFile(work_ + "/" + after));
    const Counts c = CountReuse(old_zone, new_zone, interval);
    EXPECT_EQ(s.total, new_zone.rrsig_count) << run.err;
    EXPECT_EQ(s.reused, c.identical) << run.err;
    EXPECT_EQ(s.reused, c.by_rule) << run.err;
    EXPECT_EQ(s.made, new_zone.rrsig_count - c.identical) << run.err;
    // Self-verify skipped the arithmetic of exactly the reused signatures
    // (the record it trusts is the one this key store tagged); new ones it
    // verified.
    EXPECT_EQ(s.verified_before, s.reused) << run.err;
    return s;
  }

  ShortTempDir dir_;
  std::string state_, work_, zone_file_;
  std::unique_ptr<KeystoredProcess> daemon_;
};

TEST_F(IncrementalResignTest, SmallChangesReuseExactlyWhatTheyMay) {
  ProcessResult first = Sign({}, "1.signed");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ExpectVerified("1.signed");
  const Summary full = ParseSummary(first.err);
  EXPECT_EQ(full.reused, 0u) << "nothing may be reused without -i";
  EXPECT_GT(full.made, 100u);

  std::string zone = BaseZone();
  zone += "added1 IN A 192.0.2.201\nadded2 IN TXT \"new\"\n";  // added
  zone = DropLines(zone, "host7 ");                            // removed
  zone = DropLines(zone, "host12 IN A");                       // TTL changed
  zone += "host12 60 IN A 192.0.2.12\n";
  zone = DropLines(zone, "deleg4 ");  // a delegation (NS + DS) removed
  zone = DropLines(zone, "ns.deleg4 ");
  WriteFile(zone_file_, zone);
  ProcessResult second = Sign({"-i", "86400", "-N", "increment"}, "2.signed");
  const Summary s = ExpectExactReuse(second, "1.signed", "2.signed", 86400);
  EXPECT_THAT(second.err, Not(HasSubstr("full sign")));
  // Most RRsets are unchanged; the changed ones and their NSEC neighbours,
  // the SOA (serial) and the new names are signed afresh.
  EXPECT_GT(s.reused, s.made);
  EXPECT_GE(s.made, 8u);  // SOA, 2 added x (data + NSEC), host12, 3 NSECs
  const SignedZone after = ParseSigned(ReadFile(work_ + "/2.signed"));
  EXPECT_EQ(after.rrsets.count({"deleg4.example.com.", "DS"}), 0u);
  EXPECT_EQ(after.rrsets.count({"host7.example.com.", "A"}), 0u);

  // The same input again with -i: the serial is the input's + 1 as before,
  // so the zone is unchanged and every signature is reused.
  ProcessResult third = Sign({"-i", "86400", "-N", "increment"}, "3.signed");
  const Summary again = ExpectExactReuse(third, "2.signed", "3.signed", 86400);
  EXPECT_EQ(again.made, 0u) << third.err;
  EXPECT_EQ(again.reused, again.total);
}

TEST_F(IncrementalResignTest, WithoutIntervalEverythingIsSignedAfresh) {
  ASSERT_EQ(Sign({}, "1.signed").exit_code, 0);
  ProcessResult second = Sign({}, "2.signed");
  const Summary s = ExpectExactReuse(second, "1.signed", "2.signed", -1);
  EXPECT_EQ(s.reused, 0u);
  // The by-rule count is 0 here only because nothing was reused: the same
  // zone re-signed with -i shows the rule would allow reuse.
  ProcessResult third = Sign({"-i", "3600"}, "3.signed");
  const Summary t = ExpectExactReuse(third, "2.signed", "3.signed", 3600);
  EXPECT_EQ(t.made, 0u) << third.err;
  EXPECT_EQ(t.reused, t.total);
}

TEST_F(IncrementalResignTest, NsecToNsec3AndBack) {
  ASSERT_EQ(Sign({}, "nsec.signed").exit_code, 0);
  ProcessResult to3 = Sign({"-i", "3600", "-3", "-"}, "nsec3.signed");
  const Summary s = ExpectExactReuse(to3, "nsec.signed", "nsec3.signed", 3600);
  const SignedZone nsec3 = ParseSigned(ReadFile(work_ + "/nsec3.signed"));
  size_t nsec3_sigs = 0;
  for (const auto& [key, sig] : nsec3.rrsigs) {
    if (std::get<1>(key) == "NSEC3" || std::get<1>(key) == "NSEC3PARAM") {
      ++nsec3_sigs;
    }
  }
  EXPECT_GT(nsec3_sigs, 0u);
  EXPECT_GE(s.made, nsec3_sigs);  // every NSEC3 signature is new
  EXPECT_GT(s.reused, 0u);        // data and DNSKEY signatures are not

  ProcessResult back = Sign({"-i", "3600"}, "nsec-again.signed");
  const Summary b =
      ExpectExactReuse(back, "nsec3.signed", "nsec-again.signed", 3600);
  EXPECT_GT(b.reused, 0u);
  EXPECT_GT(b.made, 0u);  // the NSEC chain
}

TEST_F(IncrementalResignTest, ZskRolloverStage1ReusesNoOldZskSignature) {
  ASSERT_EQ(Sign({}, "1.signed").exit_code, 0);
  std::vector<KeyRow> keys = ParseKeyTable(Mk({"list", "--all", kZone}).out);
  const int old_zsk = Select(keys, "ZSK", "active").at(0).tag;
  const int ksk = Select(keys, "KSK", "active").at(0).tag;
  // No zone server serves the new ZSK here: stage 1 is forced (as in
  // dnssigner_e2e_test).
  ASSERT_EQ(Mk({"rollover", "zsk-stage1", kAlg, kZone, "--force"}).exit_code,
            0);
  ProcessResult second = Sign({"-i", "3600"}, "2.signed");
  const Summary s = ExpectExactReuse(second, "1.signed", "2.signed", 3600);
  const SignedZone after = ParseSigned(ReadFile(work_ + "/2.signed"));
  for (const auto& [key, sig] : after.rrsigs) {
    EXPECT_NE(std::get<2>(key), std::to_string(old_zsk)) << sig.line;
  }
  // The DNSKEY set holds the same keys (a state change, not a new key), so
  // only the KSK's signature over it may be and is reused.
  EXPECT_EQ(s.reused, 1u) << second.err;
  EXPECT_EQ(after.rrsigs.count({"example.com.", "DNSKEY", std::to_string(ksk)}),
            1u);
}

TEST_F(IncrementalResignTest, DeletedKeyInvalidatesOnlyWhatItMust) {
  ASSERT_EQ(Sign({}, "1.signed").exit_code, 0);
  std::vector<KeyRow> keys = ParseKeyTable(Mk({"list", "--all", kZone}).out);
  const int published = Select(keys, "ZSK", "published").at(0).tag;
  ProcessResult del = Mk({"delete_id", kZone, kAlg, std::to_string(published)});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  ProcessResult second = Sign({"-i", "3600"}, "2.signed");
  const Summary s = ExpectExactReuse(second, "1.signed", "2.signed", 3600);
  // The DNSKEY set lost a key: its signature is new; nothing else changed.
  EXPECT_EQ(s.made, 1u) << second.err;
  const SignedZone before = ParseSigned(ReadFile(work_ + "/1.signed"));
  const SignedZone after = ParseSigned(ReadFile(work_ + "/2.signed"));
  EXPECT_NE(before.rrsets.at({"example.com.", "DNSKEY"}),
            after.rrsets.at({"example.com.", "DNSKEY"}));
}

TEST_F(IncrementalResignTest, SignaturesExpiringWithinTheIntervalAreRenewed) {
  // Signatures valid until two hours from now.
  ASSERT_EQ(Sign({"-e", "now+7200"}, "1.signed").exit_code, 0);
  // They expire later than now + 1 h: all reused.
  ProcessResult keep = Sign({"-i", "3600", "-e", "now+7200"}, "2.signed");
  const Summary k = ExpectExactReuse(keep, "1.signed", "2.signed", 3600);
  EXPECT_EQ(k.made, 0u) << keep.err;
  EXPECT_GT(k.reused, 100u);
  // Not later than now + 3 h: none reused, all made for 30 days.
  ProcessResult renew = Sign({"-i", "10800"}, "3.signed");
  const Summary s = ExpectExactReuse(renew, "2.signed", "3.signed", 10800);
  EXPECT_EQ(s.reused, 0u) << renew.err;
  // An end earlier than the recorded expirations: none reused either (the
  // operator gets the shorter validity asked for).
  ProcessResult shorter = Sign({"-i", "3600", "-e", "now+86400"}, "4.signed");
  ASSERT_EQ(shorter.exit_code, 0) << shorter.err;
  ExpectVerified("4.signed");
  EXPECT_EQ(ParseSummary(shorter.err).reused, 0u) << shorter.err;
}

TEST_F(IncrementalResignTest, CorruptedRecordCostsOnlyAFullSign) {
  ASSERT_EQ(Sign({}, "1.signed").exit_code, 0);
  std::string record = ReadFile(RecordPath());
  ASSERT_GT(record.size(), 1000u);
  record[record.size() / 2] ^= 0x01;
  WriteFile(RecordPath(), record);
  ProcessResult damaged = Sign({"-i", "3600"}, "2.signed");
  const Summary s = ExpectExactReuse(damaged, "1.signed", "2.signed", -1);
  EXPECT_EQ(s.reused, 0u);
  EXPECT_THAT(damaged.err,
              HasSubstr("-i: full sign: signature record damaged"));
  EXPECT_THAT(daemon_->stderr_text(), HasSubstr("incremental: full sign"));
  // That run wrote a good record again: the next -i run reuses.
  ProcessResult next = Sign({"-i", "3600"}, "3.signed");
  const Summary n = ExpectExactReuse(next, "2.signed", "3.signed", 3600);
  EXPECT_EQ(n.made, 0u) << next.err;

  // Cut short: also a full sign.
  record = ReadFile(RecordPath());
  WriteFile(RecordPath(), record.substr(0, record.size() - 100));
  ProcessResult cut = Sign({"-i", "3600"}, "4.signed");
  EXPECT_EQ(ExpectExactReuse(cut, "3.signed", "4.signed", -1).reused, 0u);
  EXPECT_THAT(cut.err, HasSubstr("-i: full sign: signature record damaged"));
}

TEST_F(IncrementalResignTest, ClientSentRrsigsAreNeverReused) {
  ASSERT_EQ(Sign({}, "1.signed").exit_code, 0);
  ASSERT_EQ(unlink(RecordPath().c_str()), 0);
  // The signed zone, RRSIGs and all, goes back in as input.
  WriteFile(zone_file_, ReadFile(work_ + "/1.signed"));
  ProcessResult again = Sign({"-i", "3600"}, "2.signed");
  const Summary s = ExpectExactReuse(again, "1.signed", "2.signed", -1);
  EXPECT_EQ(s.reused, 0u);
  EXPECT_THAT(again.err, HasSubstr("-i: full sign: no signature record"));
}

TEST_F(IncrementalResignTest, RestartKeepsTheRecord) {
  ASSERT_EQ(Sign({}, "1.signed").exit_code, 0);
  ASSERT_EQ(daemon_->Stop(), 0);
  daemon_ = std::make_unique<KeystoredProcess>(state_);
  ASSERT_TRUE(daemon_->started()) << daemon_->stderr_text();
  ProcessResult after = Sign({"-i", "3600"}, "2.signed");
  const Summary s = ExpectExactReuse(after, "1.signed", "2.signed", 3600);
  EXPECT_EQ(s.made, 0u) << after.err;
  EXPECT_GT(s.reused, 100u);
  struct stat st;
  ASSERT_EQ(stat(RecordPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace zonekeep::testing
