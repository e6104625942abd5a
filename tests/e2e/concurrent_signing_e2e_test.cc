// Several clients sign while an admin rolls keys: dnssigner processes over the
// admin socket and over mutual TLS sign example.com. in loops while one admin
// (maintkeydb, single-threaded) runs ZSK and KSK rollovers (--force where a
// stage waits on DNS or time), creates and deletes keys. Every returned zone
// must pass BIND's dnssec-verify and must have been signed with a key set
// that existed at one instant: after each admin step the key set is read
// back (maintkeydb list --json), in order, and every zone's DNSKEY RRset and
// RRSIGs must be exactly those of one of these snapshots, never a mix.
// The daemon's stderr is checked for ThreadSanitizer reports by the harness
// (KeystoredProcess), so under --config=tsan the suite also asserts that the
// daemon ran race-free.
#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/key_set_snapshot.h"
#include "tests/e2e/process_runner.h"
#include "tests/e2e/refusing_dns_server.h"

namespace zonekeep::testing {
namespace {

constexpr char kOrigin[] = "example.com.";
constexpr char kAlg[] = "ECDSAP256SHA256";
constexpr int kSocketClients = 4;
constexpr int kTlsClients = 1;
constexpr int kAdminCycles = 5;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A zone of a few dozen RRsets with 1 s TTLs.
std::string ZoneText() {
  std::string text =
      "$ORIGIN example.com.\n$TTL 1\n"
      "@ IN SOA ns1 hostmaster 2026120101 7200 3600 1209600 1\n"
      "  IN NS ns1\n  IN MX 10 mail\nns1 IN A 192.0.2.53\n"
      "mail IN A 192.0.2.25\nsub IN NS ns.sub\nns.sub IN A 192.0.2.99\n";
  for (int i = 0; i < 30; ++i) {
    text +=
        "h" + std::to_string(i) + " IN A 192.0.2." + std::to_string(i) + "\n";
  }
  return text;
}

// One dnssigner run: what came back and what dnssec-verify said of it.
struct SignedZone {
  std::string client;
  int exit_code = -1;
  std::string err;
  std::string text;
  int verify_exit = -1;
  std::string verify_out;
};

class ConcurrentSigningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCertificates(); }
  static void TearDownTestSuite() { delete certs_; }
  static std::string Cert(const std::string& name) {
    return certs_->Path(name);
  }

  void SetUp() override {
    ASSERT_TRUE(dns_.ok());
    const std::string config = dir_.path() + "/keystored.json";
    std::ofstream(config)
        << "{\"listen\": \"127.0.0.1:0\", \"tls\": {\"trust-anchor\": \""
        << Cert("ca.pem") << "\", \"cert-file\": \"" << Cert("server.pem")
        << "\", \"key-file\": \"" << Cert("server.key")
        << "\"}, \"clients\": [{\"identity\": \"" << MyIdentity()
        << "\", \"role\": \"admin\"}, {\"identity\": \"signer1.example.net\", "
           "\"role\": \"signer\", \"zones\": [\"example.com.\"]}], "
           "\"propagation-delay\": 1, \"max-sign-jobs\": 16, "
           "\"max-sign-jobs-per-identity\": 16, \"zones\": [{\"zone\": "
           "\"example.com.\", \"parent-agents\": [\""
        << dns_.address() << "\"], \"zone-servers\": [\"" << dns_.address()
        << "\"]}]}";
    daemon_ =
        std::make_unique<KeystoredProcess>(dir_.path() + "/state", config);
    ASSERT_TRUE(daemon_->started()) << daemon_->stderr_text();
    for (int i = 0; i < 100 && port_.empty(); ++i) {
      const std::string log = daemon_->stderr_text();
      const size_t at = log.find("listening on 127.0.0.1:");
      if (at != std::string::npos) {
        port_ = log.substr(at + 23, log.find(' ', at + 23) - at - 23);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    ASSERT_FALSE(port_.empty()) << daemon_->stderr_text();
    zone_file_ = dir_.path() + "/example.com.zone";
    std::ofstream(zone_file_) << ZoneText();
  }

  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(daemon_->alive()) << daemon_->stderr_text();
    }
  }

  ProcessResult Mk(const std::vector<std::string>& args) {
    return Maintkeydb(daemon_->socket_path(), args);
  }

  // The zone's key set now, read back as an admin sees it.
  KeySetSnapshot Snapshot() {
    ProcessResult list = Mk({"list", "--json", kOrigin});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    absl::StatusOr<KeySetSnapshot> snapshot = ParseListJson(list.out);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status() << "\n" << list.out;
    return snapshot.ok() ? *snapshot : KeySetSnapshot{};
  }

  // dnssigner over the admin socket (tls false) or mutual TLS as signer1,
  // into `out`; then dnssec-verify on what it wrote.
  SignedZone SignOnce(const std::string& client, bool tls,
                      const std::string& out) {
    std::vector<std::string> argv = {RunfilePath("cli/dnssigner"), "-q"};
    if (tls) {
      argv.insert(argv.end(), {"--server", "127.0.0.1:" + port_, "--ca",
                               Cert("ca.pem"), "--cert", Cert("signer1.pem"),
                               "--key", Cert("signer1.key")});
    } else {
      argv.insert(argv.end(), {"--socket", daemon_->socket_path()});
    }
    argv.insert(argv.end(), {"-o", kOrigin, "-f", out, zone_file_});
    SignedZone result;
    result.client = client;
    ProcessResult r = RunProcess(argv);
    result.exit_code = r.exit_code;
    result.err = r.err;
    if (r.exit_code != 0) return result;
    result.text = ReadFile(out);
    ProcessResult verify = RunProcess({"dnssec-verify", "-o", kOrigin, out});
    result.verify_exit = verify.exit_code;
    result.verify_out = verify.out + verify.err;
    unlink(out.c_str());
    return result;
  }

  static TestCertificates* certs_;
  RefusingDnsServer dns_;
  ShortTempDir dir_;
  std::string port_;
  std::string zone_file_;
  std::unique_ptr<KeystoredProcess> daemon_;
};

TestCertificates* ConcurrentSigningTest::certs_ = nullptr;

// The live key of `role` in `after` that is not in `before` (0: none).
int NewKey(const KeySetSnapshot& before, const KeySetSnapshot& after,
           bool ksk) {
  for (const auto& key : after.live) {
    if (key.second == ksk && before.live.count(key) == 0) return key.first;
  }
  return 0;
}

TEST_F(ConcurrentSigningTest, EveryZoneIsSignedByTheKeySetOfOneInstant) {
  ProcessResult created = Mk({"create", "both", kAlg, "-", kOrigin});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::vector<KeySetSnapshot> snapshots = {Snapshot()};
  const auto started = std::chrono::steady_clock::now();

  std::atomic<bool> admin_done{false};
  std::mutex results_mu;
  std::vector<SignedZone> results;
  std::vector<std::thread> clients;
  for (int c = 0; c < kSocketClients + kTlsClients; ++c) {
    clients.emplace_back([&, c] {
      const bool tls = c >= kSocketClients;
      const std::string name = (tls ? "tls" : "socket") + std::to_string(c);
      for (int n = 0; !admin_done || n < 2; ++n) {
        SignedZone result =
            SignOnce(name, tls, dir_.path() + "/" + name + ".signed");
        std::lock_guard<std::mutex> lock(results_mu);
        results.push_back(std::move(result));
      }
    });
  }

  // The admin: one step at a time, each followed by a snapshot.
  int steps = 0;
  auto step = [&](const std::vector<std::string>& args) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ProcessResult r = Mk(args);
    EXPECT_EQ(r.exit_code, 0)
        << ::testing::PrintToString(args) << ": " << r.err;
    snapshots.push_back(Snapshot());
    ++steps;
  };
  for (int cycle = 0; cycle < kAdminCycles; ++cycle) {
    step({"rollover", "zsk-stage1", kAlg, kOrigin, "--force"});
    step({"rollover", "zsk-stage2", kAlg, kOrigin, "--force"});
    step({"rollover", "ksk-stage1", kAlg, kOrigin});
    step({"rollover", "ksk-stage2", kAlg, kOrigin, "--force"});
    step({"create", "zsk", kAlg, "-", kOrigin});
    const int zsk = NewKey(snapshots[snapshots.size() - 2], snapshots.back(),
                           /*ksk=*/false);
    ASSERT_NE(zsk, 0) << snapshots.back().ToString();
    step({"delete_id", kOrigin, kAlg, std::to_string(zsk)});
    step({"create", "ksk", kAlg, "-", kOrigin});
    const int ksk = NewKey(snapshots[snapshots.size() - 2], snapshots.back(),
                           /*ksk=*/true);
    ASSERT_NE(ksk, 0) << snapshots.back().ToString();
    step({"delete_id", kOrigin, kAlg, std::to_string(ksk)});
  }
  admin_done = true;
  for (std::thread& t : clients) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();

  ASSERT_EQ(steps, kAdminCycles * 8);
  // Distinct key sets among the snapshots: the admin really changed them.
  std::set<std::string> distinct;
  for (const KeySetSnapshot& s : snapshots) distinct.insert(s.ToString());
  EXPECT_GE(distinct.size(), 10u);

  std::set<int> matched;
  int tls_signed = 0;
  for (const SignedZone& zone : results) {
    ASSERT_EQ(zone.exit_code, 0) << zone.client << ": " << zone.err;
    EXPECT_EQ(zone.verify_exit, 0) << zone.client << ": " << zone.verify_out;
    absl::StatusOr<SignedKeyUse> use = ParseSignedZone(zone.text);
    ASSERT_TRUE(use.ok()) << use.status();
    const int index = MatchingSnapshot(*use, snapshots);
    if (index < 0) {
      std::string why;
      for (const KeySetSnapshot& s : snapshots) {
        why += "\n  " + s.ToString() + ": " + Mismatch(*use, s);
      }
      ADD_FAILURE() << zone.client << ": signed with no key set that existed"
                    << why;
      continue;
    }
    matched.insert(index);
    if (zone.client.rfind("tls", 0) == 0) ++tls_signed;
  }
  EXPECT_GT(tls_signed, 0);
  // Signings fell between many different admin steps, not all before or
  // after them: the check saw the key set change under the clients.
  EXPECT_GE(matched.size(), 6u) << results.size() << " zones";
  std::cout << results.size() << " zones signed by " << clients.size()
            << " clients during " << steps << " admin steps in " << seconds
            << " s; " << matched.size() << " of " << snapshots.size()
            << " key set snapshots seen in signed zones\n";
}

// The lines of `base` that `from_donor` does not pick, then the lines of
// `donor` that it picks: a zone made of two signed zones.
std::string Splice(const std::string& base, const std::string& donor,
                   bool (*from_donor)(const std::string& line)) {
  std::string out;
  std::istringstream a(base), b(donor);
  for (std::string line; std::getline(a, line);) {
    if (!from_donor(line)) out += line + "\n";
  }
  for (std::string line; std::getline(b, line);) {
    if (from_donor(line)) out += line + "\n";
  }
  return out;
}

bool IsDnskey(const std::string& line) {
  return line.find("\tDNSKEY\t") != std::string::npos;
}

bool IsRrsigOverA(const std::string& line) {
  return line.find("\tRRSIG\tA ") != std::string::npos;
}

// The check above can fail: zones spliced from two key sets match no
// snapshot, while each unspliced zone matches its own.
TEST_F(ConcurrentSigningTest, SplicedZonesMatchNoSnapshot) {
  ASSERT_EQ(Mk({"create", "both", kAlg, "-", kOrigin}).exit_code, 0);
  std::vector<KeySetSnapshot> snapshots = {Snapshot()};
  const SignedZone a = SignOnce("a", false, dir_.path() + "/a.signed");
  ASSERT_EQ(Mk({"rollover", "ksk-stage1", kAlg, kOrigin}).exit_code, 0);
  snapshots.push_back(Snapshot());
  const SignedZone b = SignOnce("b", true, dir_.path() + "/b.signed");
  ProcessResult zsk = Mk({"rollover", "zsk-stage1", kAlg, kOrigin, "--force"});
  ASSERT_EQ(zsk.exit_code, 0) << zsk.err;
  snapshots.push_back(Snapshot());
  const SignedZone c = SignOnce("c", false, dir_.path() + "/c.signed");
  int index = 0;
  for (const SignedZone* zone : {&a, &b, &c}) {
    ASSERT_EQ(zone->exit_code, 0) << zone->err;
    EXPECT_EQ(zone->verify_exit, 0) << zone->verify_out;
    absl::StatusOr<SignedKeyUse> use = ParseSignedZone(zone->text);
    ASSERT_TRUE(use.ok()) << use.status();
    EXPECT_EQ(MatchingSnapshot(*use, snapshots), index++);
  }
  // A's records with B's DNSKEY RRset (A's signature over it kept).
  absl::StatusOr<SignedKeyUse> dnskeys_spliced =
      ParseSignedZone(Splice(a.text, b.text, IsDnskey));
  ASSERT_TRUE(dnskeys_spliced.ok());
  EXPECT_EQ(MatchingSnapshot(*dnskeys_spliced, snapshots), -1);
  EXPECT_THAT(Mismatch(*dnskeys_spliced, snapshots[1]),
              ::testing::HasSubstr("DNSKEY signed by"));
  // B and C publish the same DNSKEY RRset; B with C's signatures over the A
  // RRsets mixes the ZSK of one instant with that of the next.
  absl::StatusOr<SignedKeyUse> rrsigs_spliced =
      ParseSignedZone(Splice(b.text, c.text, IsRrsigOverA));
  ASSERT_TRUE(rrsigs_spliced.ok());
  EXPECT_EQ(MatchingSnapshot(*rrsigs_spliced, snapshots), -1);
  EXPECT_THAT(Mismatch(*rrsigs_spliced, snapshots[1]),
              ::testing::HasSubstr("not by the active ZSKs"));
}

}  // namespace
}  // namespace zonekeep::testing
