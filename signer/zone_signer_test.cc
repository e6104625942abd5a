// SignZone end to end with real keys, checked by our own verifier.
#include "signer/zone_signer.h"

#include <atomic>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "signer/zone_verifier.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr int64_t kNow = 1700000000;

constexpr char kZone[] =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
    "  IN NS ns1\n"
    "  IN MX 10 Mail\n"
    "ns1 IN A 192.0.2.1\n"
    "mail IN AAAA 2001:db8::25\n"
    "*.wild IN TXT \"wildcard\"\n"
    "a.b.c IN A 192.0.2.7\n"
    "sub IN NS ns.sub\n"
    "ns.sub IN A 192.0.2.53\n"
    "sec IN NS ns.sec\n"
    "sec IN DS 12345 13 2 "
    "AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899\n"
    "ns.sec IN A 192.0.2.54\n"
    "old IN RRSIG A 13 2 3600 20250101000000 20240101000000 1 example. "
    "AAAA\n";

// The zone "big." with `names` A RRsets below its apex (and so as many NSEC
// RRsets), for tests that need the sign workers busy for a while.
std::string BigZone(int names) {
  std::string zone =
      "$ORIGIN big.\n$TTL 300\n@ IN SOA ns1 h 1 2 3 4 300\n"
      "  IN NS ns1\nns1 IN A 192.0.2.1\n";
  for (int i = 0; i < names; ++i) {
    absl::StrAppend(&zone, "h", i, " IN A 192.0.2.2\n");
  }
  return zone;
}

class ZoneSignerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = new std::vector<dnssec::ZoneKey>(*std::move(keys));
  }
  static void TearDownTestSuite() { delete keys_; }

  SignOptions Options() {
    SignOptions o;
    o.origin = "example.";
    o.now = kNow;
    return o;
  }
  static std::vector<dnssec::ZoneKey>* keys_;
};
std::vector<dnssec::ZoneKey>* ZoneSignerTest::keys_ = nullptr;

TEST_F(ZoneSignerTest, NsecZoneSignsAndVerifies) {
  std::string out;
  SignOptions o = Options();
  o.add_cds = true;
  o.serial_mode = SerialMode::kIncrement;
  auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->verified);
  EXPECT_EQ(report->serial, 2024010102u);
  EXPECT_EQ(report->dnssec_records_dropped, 1u);
  EXPECT_EQ(report->zsk_tags.size(), 1u);
  EXPECT_EQ(report->ksk_tags.size(), 1u);
  EXPECT_EQ(report->earliest_expiration, kNow + 30 * 24 * 3600);
  std::vector<std::string> phase_names;
  for (const auto& [name, seconds] : report->phase_seconds) {
    phase_names.push_back(name);
    EXPECT_GE(seconds, 0.0) << name;
  }
  EXPECT_EQ(phase_names,
            (std::vector<std::string>{"parse", "build", "denial", "sign",
                                      "verify", "write", "readback", "wall"}));
  EXPECT_TRUE(absl::StartsWith(out, "example.\t3600\tIN\tSOA\t"));
  EXPECT_NE(out.find("\tCDS\t"), std::string::npos);
  EXPECT_NE(out.find("\tCDNSKEY\t"), std::string::npos);
  // Wildcard RRSIG labels: *.wild.example. has 3 labels, RRSIG says 2.
  EXPECT_NE(out.find("*.wild.example.\t3600\tIN\tRRSIG\tTXT 13 2 3600"),
            std::string::npos)
      << out;
  // No RRSIG over delegation NS or glue.
  EXPECT_EQ(out.find("sub.example.\t3600\tIN\tRRSIG\tNS"), std::string::npos);
  EXPECT_EQ(out.find("ns.sub.example.\t3600\tIN\tRRSIG"), std::string::npos);
  // NSEC TTL = min(SOA minimum, SOA TTL) = 300.
  EXPECT_NE(out.find("example.\t300\tIN\tNSEC\t"), std::string::npos);
  auto verified = VerifySignedZone(out, "example.", kNow);
  EXPECT_TRUE(verified.ok()) << verified.status();
}

// RFC 8078 delete form, and CDS only for the KSKs the key store marks.
TEST_F(ZoneSignerTest, WorkingMemoryIsHandedOverOnlyWhenAsked) {
  std::string plain;
  auto kept = SignZone(kZone, "example.zone", *keys_, Options(), &plain);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->working_memory, nullptr);
  for (const bool self_verify : {true, false}) {
    SignOptions o = Options();
    o.self_verify = self_verify;
    o.hand_over_working_memory = true;
    std::string out;
    auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_NE(report->working_memory, nullptr) << self_verify;
    EXPECT_EQ(report->working_memory.use_count(), 1);
    // The same zone either way (ECDSA signatures differ, not their size).
    EXPECT_EQ(out.size(), plain.size());
    report->working_memory.reset();  // frees the zone model and text
  }
}

TEST_F(ZoneSignerTest, CdsDeleteFormAndMarkedKsksOnly) {
  std::string out;
  SignOptions o = Options();
  o.cds_delete = true;
  auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_NE(out.find("\tCDS\t0 0 0 00\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\tCDNSKEY\t0 3 0 AA==\n"), std::string::npos) << out;
  EXPECT_NE(out.find("RRSIG\tCDS "), std::string::npos);

  // Two active KSKs, one marked: CDS names that one only.
  auto second = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
  ASSERT_TRUE(second.ok());
  std::vector<dnssec::ZoneKey> keys = *keys_;
  for (dnssec::ZoneKey& key : *second) {
    if (key.role == dnssec::KeyRole::kKsk) keys.push_back(key);
  }
  int marked = -1;
  for (dnssec::ZoneKey& key : keys) {
    if (key.role == dnssec::KeyRole::kKsk && marked < 0) {
      key.cds = true;
      marked = key.key_tag;
    }
  }
  o.cds_delete = false;
  o.add_cds = true;
  out.clear();
  report = SignZone(kZone, "example.zone", keys, o, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  size_t cds = 0;
  for (size_t at = out.find("\tCDS\t"); at != std::string::npos;
       at = out.find("\tCDS\t", at + 1)) {
    ++cds;
    EXPECT_EQ(out.substr(at + 5, std::to_string(marked).size() + 1),
              std::to_string(marked) + " ");
  }
  EXPECT_EQ(cds, 1u) << out;
}

TEST_F(ZoneSignerTest, Nsec3OptOutSignsAndVerifies) {
  for (bool opt_out : {false, true}) {
    std::string out;
    SignOptions o = Options();
    o.nsec3.enabled = true;
    o.nsec3.opt_out = opt_out;
    auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
    ASSERT_TRUE(report.ok()) << report.status();
    // Names: apex, b.c ENT, c ENT, a.b.c, mail, ns1, sec, sub(if !opt_out),
    // wild ENT, *.wild.
    EXPECT_EQ(report->nsec3_records, opt_out ? 9u : 10u);
    EXPECT_NE(out.find("\tNSEC3PARAM\t1 0 0 -"), std::string::npos);
    auto verified = VerifySignedZone(out, "example.", kNow);
    EXPECT_TRUE(verified.ok()) << verified.status();
    EXPECT_TRUE(verified->nsec3);
  }
}

TEST_F(ZoneSignerTest, Nsec3IterationLimits) {
  std::string out;
  SignOptions o = Options();
  o.nsec3.enabled = true;
  o.nsec3.iterations = 5;
  EXPECT_FALSE(SignZone(kZone, "z", *keys_, o, &out).ok());
  o.nsec3.allow_iterations = true;
  o.nsec3.salt = "\xaa\xbb";
  auto ok = SignZone(kZone, "z", *keys_, o, &out);
  EXPECT_TRUE(ok.ok()) << ok.status();
  EXPECT_NE(out.find("\tNSEC3PARAM\t1 0 5 aabb"), std::string::npos);
  o.nsec3.iterations = 51;
  auto too_many = SignZone(kZone, "z", *keys_, o, &out);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("above 50"), std::string::npos);
}

TEST_F(ZoneSignerTest, KeySetErrors) {
  std::string out;
  auto none = SignZone(kZone, "z", {}, Options(), &out);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no keys"), std::string::npos);

  std::vector<dnssec::ZoneKey> dup = *keys_;
  dup.push_back(dup[1]);
  auto d = SignZone(kZone, "z", dup, Options(), &out);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("KeyTrap"), std::string::npos);

  std::vector<dnssec::ZoneKey> many = *keys_;
  for (int i = 0; i < 2; ++i) {
    auto k = dnssec::MakeTestKey(dnssec::Algorithm::kEcdsaP256Sha256,
                                 dnssec::KeyRole::kZsk);
    ASSERT_TRUE(k.ok());
    many.push_back(*std::move(k));
  }
  auto m = SignZone(kZone, "z", many, Options(), &out);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("KeyTrap"), std::string::npos);
  EXPECT_TRUE(absl::StartsWith(m.status().message(),
                               "example.: 3 active ZSKs of (ECDSAP256SHA256)"))
      << m.status();
  EXPECT_NE(m.status().message().find("2 active ZSKs per algorithm"),
            std::string::npos)
      << m.status();
  EXPECT_TRUE(out.empty());

  // Without an active KSK: the zone and what to do.
  std::vector<dnssec::ZoneKey> no_ksk;
  for (const dnssec::ZoneKey& key : *keys_) {
    if (key.role == dnssec::KeyRole::kZsk) no_ksk.push_back(key);
  }
  auto k = SignZone(kZone, "z", no_ksk, Options(), &out);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().message(),
            "example.: the zone has no active KSK: create one with maintkeydb "
            "create ksk ALG BITS example.");
}

TEST_F(ZoneSignerTest, TwoActiveZsksPerAlgorithmInAnAlgorithmRollover) {
  // Two algorithms, two active ZSKs each: four in all, two per algorithm.
  std::vector<dnssec::ZoneKey> keys = *keys_;
  auto ed = dnssec::MakeTestKeySet(dnssec::Algorithm::kEd25519);
  ASSERT_TRUE(ed.ok()) << ed.status();
  keys.insert(keys.end(), ed->begin(), ed->end());
  for (dnssec::Algorithm alg :
       {dnssec::Algorithm::kEcdsaP256Sha256, dnssec::Algorithm::kEd25519}) {
    auto k = dnssec::MakeTestKey(alg, dnssec::KeyRole::kZsk);
    ASSERT_TRUE(k.ok());
    keys.push_back(*std::move(k));
  }
  std::string out;
  auto r = SignZone(kZone, "z", keys, Options(), &out);
  EXPECT_TRUE(r.ok()) << r.status();
}

TEST_F(ZoneSignerTest, BadZoneReportsLine) {
  std::string out;
  auto r = SignZone(
      "$ORIGIN example.\n@ 3600 IN SOA ns1 h 1 2 3 4 5\n"
      "@ 3600 IN NS ns1\nx 3600 IN A not-an-address\n",
      "in.zone", *keys_, Options(), &out);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::StartsWith(r.status().message(), "in.zone:4: "))
      << r.status();
}

TEST_F(ZoneSignerTest, JitterAndExpiryReported) {
  std::string out;
  SignOptions o = Options();
  o.inception = kNow - 100;
  o.expiration = kNow + 10000;
  o.jitter = 1000;
  auto r = SignZone(kZone, "z", *keys_, o, &out);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GE(r->earliest_expiration, kNow + 9000);
  EXPECT_LT(r->earliest_expiration, kNow + 10000);
  // At `expiration` the zone is no longer valid.
  EXPECT_FALSE(VerifySignedZone(out, "example.", kNow + 10000).ok());
}

// Every RRSIG's (expiration, inception) fields, as printed in the zone text.
std::vector<std::pair<std::string, std::string>> RrsigTimes(
    const std::string& zone) {
  std::vector<std::pair<std::string, std::string>> times;
  for (absl::string_view line : absl::StrSplit(zone, '\n')) {
    std::vector<std::string> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f.size() < 10 || f[3] != "RRSIG") continue;
    times.emplace_back(f[8], f[9]);
  }
  return times;
}

TEST_F(ZoneSignerTest, RrsigsCarryTheWindowExactly) {
  std::string out;
  SignOptions o = Options();
  o.inception = kNow;                // window and expiration at their limit:
  o.expiration = kNow + 2147483647;  // 2^31 - 1 seconds
  auto r = SignZone(kZone, "z", *keys_, o, &out);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->inception, kNow);
  EXPECT_EQ(r->expiration, kNow + 2147483647);
  const auto times = RrsigTimes(out);
  ASSERT_EQ(times.size(), r->signatures);
  for (const auto& [expiration, inception] : times) {
    EXPECT_EQ(expiration, "20911203012727");  // 3847483647
    EXPECT_EQ(inception, "20231114221320");   // 1700000000
  }
}

TEST_F(ZoneSignerTest, UnrepresentableWindowsAreRefusedAndNothingWritten) {
  struct Case {
    std::optional<int64_t> inception, expiration;
    const char* named;
  };
  const Case cases[] = {
      {std::nullopt, 4102444800, "-e 21000101000000 (4102444800)"},
      {std::nullopt, kNow + 2147483648, "-e "},
      {0, std::nullopt, "-s 19700101000000 (0)"},
      {-31536000, std::nullopt, "-s 19690101000000"},
      {kNow, kNow, "-e 20231114221320"},
      {kNow - 100, kNow - 100 + 2147483648, "s long"},
  };
  for (const Case& c : cases) {
    SignOptions o = Options();
    o.inception = c.inception;
    o.expiration = c.expiration;
    size_t sink_calls = 0;
    auto r = SignZone(kZone, "z", *keys_, o, [&](absl::string_view) {
      ++sink_calls;
      return absl::OkStatus();
    });
    ASSERT_FALSE(r.ok()) << c.named;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.named), std::string::npos)
        << r.status();
    EXPECT_EQ(sink_calls, 0u) << c.named;
  }
}

TEST_F(ZoneSignerTest, SelfVerifyCatchesTampering) {
  std::string out;
  ASSERT_TRUE(SignZone(kZone, "z", *keys_, Options(), &out).ok());
  std::string bad = out;
  const size_t pos = bad.find("192.0.2.7");
  ASSERT_NE(pos, std::string::npos);
  bad.replace(pos, 9, "192.0.2.8");
  auto v = VerifySignedZone(bad, "example.", kNow);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("bad RRSIG for a.b.c.example./A"),
            std::string::npos)
      << v.status();
}

TEST_F(ZoneSignerTest, CancelledBeforeSigningReturnsCancelledAndWritesNothing) {
  std::string out;
  SignOptions o = Options();
  std::atomic<int> asked{0};
  o.cancelled = [&asked] { return asked.fetch_add(1) >= 1; };  // after parse
  auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(absl::StrContains(report.status().message(), "after build"))
      << report.status();
  EXPECT_TRUE(out.empty());
}

TEST_F(ZoneSignerTest, CancelledWhileSigningStopsTheWorkers) {
  // Many RRsets; the hook turns true once signing has started, and the
  // workers stop long before every RRset is signed.
  const std::string zone = BigZone(20000);
  std::atomic<int> asked{0};
  SignOptions o = Options();
  o.origin = "big.";
  o.threads = 2;
  o.cancelled = [&asked] { return asked.fetch_add(1) >= 3 + 5; };
  std::string out;
  auto report = SignZone(zone, "big.zone", *keys_, o, &out);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(absl::StrContains(report.status().message(), "while signing"))
      << report.status();
  // The sign workers ask the hook at most once per 10 ms: far fewer than
  // the ~40000 / 32 chunks (an A and an NSEC RRset per name) of a whole run.
  EXPECT_LT(asked.load(), 100);
  EXPECT_TRUE(out.empty());
}

TEST_F(ZoneSignerTest, SignWorkersAskTheHookByTimeNotPerChunk) {
  // A hook that never cancels: the workers ask it at most once per 10 ms in
  // all, not once per 32 RRsets (1250 asks here: an A and an NSEC RRset per
  // name), since a gRPC server's IsCancelled costs tens of microseconds.
  const std::string zone = BigZone(20000);
  std::atomic<int> asked{0};
  SignOptions o = Options();
  o.origin = "big.";
  o.threads = 2;
  o.cancelled = [&asked] {
    asked.fetch_add(1);
    return false;
  };
  std::string out;
  auto report = SignZone(zone, "big.zone", *keys_, o, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->signatures_new, report->rrsets_signed);
  double run_seconds = -1;
  for (const auto& [step, seconds] : report->phase_seconds) {
    if (step == "wall") run_seconds = seconds;
  }
  ASSERT_GE(run_seconds, 0);
  // One ask per 10 ms of the whole run's wall time, plus one per step
  // boundary and the workers' first ask.
  EXPECT_LE(asked.load(), 10 + static_cast<int>(run_seconds * 100))
      << "run took " << run_seconds << " s";
  EXPECT_LT(asked.load(), 20000 / 32);
}

TEST_F(ZoneSignerTest, CancelledDuringSelfVerifyWritesNothing) {
  // The hook turns true while the output text is being formatted, with the
  // verify running beside it (pipelined) or done (sequential): the run still
  // ends CANCELLED once both checks are over, and nothing is written.
  for (const bool sequential : {false, true}) {
    SCOPED_TRACE(sequential ? "sequential" : "pipelined");
    std::atomic<bool> cancelled{false};
    SignOptions o = Options();
    o.sequential = sequential;
    o.threads = 2;
    o.cancelled = [&cancelled] { return cancelled.load(); };
    o.text_writer_for_testing =
        [&cancelled](const Zone& zone, const ZoneSink& sink, int threads) {
          cancelled.store(true);
          return WriteZoneText(zone, sink, threads);
        };
    std::string out;
    auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
    EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
    EXPECT_TRUE(absl::StrContains(report.status().message(), "after read-back"))
        << report.status();
    EXPECT_TRUE(out.empty());
  }
}

TEST_F(ZoneSignerTest, HookThatNeverCancelsChangesNothing) {
  std::string out;
  SignOptions o = Options();
  o.cancelled = [] { return false; };
  auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->verified);
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
