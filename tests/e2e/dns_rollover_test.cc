// Issue 15: rollovers gated on what the DNS serves, through the real
// binaries. keystored signs a parent zone (example.) and its child
// (child.example.); one knotd serves both as signed; unbound trusts only the
// parent's DS, so the child validates only through the DS the parent serves
// for it. keystored's configuration names knotd as the child's zone server
// and parent agent, propagation-delay 1 s, check-interval 1 s.
//
// The child zone asks for CDS/CDNSKEY in its configuration ("cds": true) in
// the KSK rollover: the CDS knotd serves must equal `parentdata ds` after
// every signing, and name the new KSK only once its DNSKEY has been served
// for propagation-delay + the DNSKEY TTL (RFC 7583 3.3.1). The denial tests
// sign the child with NSEC, then NSEC3, and ask for names that do not exist,
// types a name lacks, a name synthesised from a wildcard and an empty
// non-terminal.
//
// zsk-stage1 is first refused (the published ZSK has not been served for
// propagation-delay + the DNSKEY TTL since keystored started), then accepted.
//
// TTLs (seconds) are kept apart on purpose: DNSKEY 2 (dnssigner -T 2), the
// child's max TTL 4, the child's DS in the parent 6. No step uses --force.
// After every step and every re-sign the resolver must validate
// www.child.example A, from a warm cache and from a cold one (FlushCache).
//
// The Knot 3.0.8 bug (the old KSK removed once the DNSKEY TTL has passed but
// before the DS TTL has) is caught in KskRollover: ksk-stage2 is tried after
// propagation-delay + DNSKEY TTL and must be refused while a warm resolver
// still holds the old DS set. With the rule weakened to the DNSKEY TTL (tried
// by hand: DnsGate waiting on dnskey_ttl) the stage 2 went through, the test
// failed, and the warm resolver answered SERVFAIL for a name it had not
// cached once the zone was re-signed with the new KSK only.
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process_runner.h"
#include "tests/test_dns_harness.h"

namespace zonekeep {
namespace testing {
namespace {

using ::testing::HasSubstr;

constexpr char kParent[] = "example.";
constexpr char kChild[] = "child.example.";
constexpr char kAlg[] = "ECDSAP256SHA256";
constexpr int kDnskeyTtl = 2;
constexpr int kChildMaxTtl = 4;
constexpr int kDsTtl = 6;
constexpr int kPropagation = 1;

std::string ParentText(uint32_t serial, const std::string& child_ds) {
  return absl::StrCat(
      "$ORIGIN example.\n$TTL 3\n"
      "@ IN SOA ns1 hostmaster ",
      serial,
      " 7200 3600 1209600 3\n"
      "@ IN NS ns1\n"
      "ns1 IN A 127.0.0.1\n"
      "www IN A 192.0.2.80\n"
      "child IN NS ns1.child\n"
      "ns1.child IN A 127.0.0.1\n",
      child_ds);
}

std::string ChildText(uint32_t serial) {
  return absl::StrCat(
      "$ORIGIN child.example.\n$TTL 3\n"
      "@ IN SOA ns1 hostmaster ",
      serial,
      " 7200 3600 1209600 3\n"
      "@ IN NS ns1\n"
      "ns1 IN A 127.0.0.1\n"
      "www ",
      kChildMaxTtl,
      " IN A 192.0.2.81\n"
      "mail IN A 192.0.2.25\n"
      // For the denial tests: a wildcard with TXT only, and b.c / c as
      // empty non-terminals.
      "*.wild IN TXT \"wildcard\"\n"
      "a.b.c IN A 192.0.2.7\n");
}

void Sleep(double seconds) {
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The " IN DS " lines of `parentdata ds` output, with their TTL set to `ttl`.
std::string DsLines(const std::string& out, int ttl) {
  std::string lines;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (!absl::StrContains(line, " IN DS ")) continue;
    std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() < 4) continue;
    f[1] = absl::StrCat(ttl);
    absl::StrAppend(&lines, absl::StrJoin(f, " "), "\n");
  }
  return lines;
}

class DnsRolloverTest : public ::testing::Test {
 protected:
  // `child_ds_override`: a DS RRset for the parent instead of the real one.
  void Start(const std::string& child_ds_override = "") {
    state_ = dir_.path() + "/state";
    work_ = dir_.path() + "/work";
    mkdir(work_.c_str(), 0700);
    // First run: keys and the first signed versions, before knotd exists.
    auto first = std::make_unique<KeystoredProcess>(state_);
    ASSERT_TRUE(first->started()) << first->stderr_text();
    socket_ = first->socket_path();
    for (const char* zone : {kParent, kChild}) {
      ProcessResult r = Mk({"create", "both", kAlg, "-", zone});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    std::string child_signed;
    ASSERT_NO_FATAL_FAILURE(child_signed = SignChild());
    ProcessResult ds = Mk({"parentdata", "ds", kChild});
    ASSERT_EQ(ds.exit_code, 0) << ds.err;
    child_ds_ =
        child_ds_override.empty() ? DsLines(ds.out, kDsTtl) : child_ds_override;
    std::string parent_signed;
    ASSERT_NO_FATAL_FAILURE(parent_signed = SignParent());
    ProcessResult anchor = Mk({"parentdata", "ds", kParent});
    ASSERT_EQ(anchor.exit_code, 0) << anchor.err;
    const std::string anchor_line = DsLines(anchor.out, 3600);
    ASSERT_FALSE(anchor_line.empty()) << anchor.out;
    first.reset();

    auto knot = interop::KnotServer::StartZones(
        {{kParent, parent_signed}, {kChild, child_signed}});
    ASSERT_TRUE(knot.ok()) << knot.status();
    knot_ = *std::move(knot);
    auto resolver = interop::UnboundResolver::StartStubs(
        {kParent, kChild}, absl::StripSuffix(anchor_line, "\n"), knot_->port());
    ASSERT_TRUE(resolver.ok()) << resolver.status();
    resolver_ = *std::move(resolver);

    // keystored again, now knowing where the DNS is.
    const std::string server = absl::StrCat("127.0.0.1:", knot_->port());
    config_ = dir_.path() + "/keystored.json";
    std::ofstream(config_) << absl::StrCat(
        R"({"propagation-delay": )", kPropagation,
        R"(, "check-interval": 1, "zones": [ { "zone": ")", kChild,
        R"(", "parent-agents": [")", server, R"("], "zone-servers": [")",
        server, R"("])", child_cds_ ? R"(, "cds": true)" : "", R"( } ] })");
    daemon_ = std::make_unique<KeystoredProcess>(state_, config_);
    ASSERT_TRUE(daemon_->started()) << daemon_->stderr_text();
  }

  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(daemon_->alive())
          << "keystored died: " << daemon_->stderr_text();
    }
  }

  ProcessResult Mk(const std::vector<std::string>& args) {
    return Maintkeydb(socket_, args);
  }

  std::string Sign(const std::string& origin, const std::string& text) {
    const std::string in = absl::StrCat(work_, "/", origin, "zone");
    const std::string out = in + ".signed";
    std::ofstream(in) << text;
    std::vector<std::string> argv = {RunfilePath("cli/dnssigner"),
                                     "--socket",
                                     socket_,
                                     "-o",
                                     origin,
                                     "-N",
                                     "keep",
                                     "-T",
                                     absl::StrCat(kDnskeyTtl),
                                     "-f",
                                     out};
    if (origin == kChild) {
      argv.insert(argv.end(), child_flags_.begin(), child_flags_.end());
    }
    argv.push_back(in);
    ProcessResult r = RunProcess(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ReadAll(out);
  }
  std::string SignChild() { return Sign(kChild, ChildText(++child_serial_)); }
  std::string SignParent() {
    return Sign(kParent, ParentText(++parent_serial_, child_ds_));
  }
  // Signs and has knotd serve the new version.
  void PublishChild(const std::string& signed_text) {
    ASSERT_TRUE(knot_->Reload(kChild, signed_text, child_serial_).ok());
  }
  void ResignParent() {
    const std::string text = SignParent();
    ASSERT_TRUE(knot_->Reload(kParent, text, parent_serial_).ok());
  }

  // www.child.example A validates: warm cache first, then a cold one.
  void ExpectValidates(const std::string& when) {
    for (bool cold : {false, true}) {
      if (cold) {
        ASSERT_TRUE(resolver_->FlushCache().ok());
      }
      auto a = interop::DigQuery(resolver_->port(), "www.child.example.", "A");
      ASSERT_TRUE(a.ok()) << a.status();
      EXPECT_EQ(a->rcode, "NOERROR")
          << when << (cold ? " (cold)" : " (warm)") << "\n"
          << a->raw << resolver_->log();
      EXPECT_TRUE(a->ad) << when << (cold ? " (cold)" : " (warm)") << "\n"
                         << a->raw;
    }
  }
  std::string WarmRcode(const char* name = "www.child.example.") {
    auto a = interop::DigQuery(resolver_->port(), name, "A");
    return a.ok() ? a->rcode : "no answer";
  }

  // Every refusal and status goes to the test log, for the reader.
  ProcessResult Roll(const char* stage) {
    ProcessResult r = Mk({"rollover", stage, kAlg, kChild});
    std::cout << "$ maintkeydb rollover " << stage << " -> " << r.exit_code
              << "\n"
              << r.err;
    return r;
  }
  ProcessResult Status() {
    ProcessResult r = Mk({"status", kChild});
    std::cout << "$ maintkeydb status " << kChild << "\n" << r.out;
    return r;
  }

  // The key tags of the DS records `parentdata ds` gives for the child.
  std::set<int> ParentDsTags() {
    ProcessResult ds = Mk({"parentdata", "ds", kChild});
    std::set<int> tags;
    for (absl::string_view line : absl::StrSplit(ds.out, '\n')) {
      std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (f.size() > 4 && f[3] == "DS") tags.insert(std::stoi(f[4]));
    }
    return tags;
  }
  // The key tags of the CDS RRset knotd serves for the child.
  std::set<int> ServedCdsTags() {
    auto a = interop::DigQuery(knot_->port(), kChild, "CDS", /*norec=*/true);
    std::set<int> tags;
    if (!a.ok()) return tags;
    for (const std::string& rdata : a->RdataOf(kChild, 59)) {
      if (rdata.size() >= 2) {
        tags.insert(static_cast<uint8_t>(rdata[0]) << 8 |
                    static_cast<uint8_t>(rdata[1]));
      }
    }
    return tags;
  }

  // Validates through the resolver: `rcode`, AD set, and no answer records
  // of `type` when `nodata`.
  void ExpectDenial(const std::string& name, const std::string& type,
                    const std::string& rcode, const std::string& what) {
    for (bool cold : {true, false}) {
      if (cold) {
        ASSERT_TRUE(resolver_->FlushCache().ok());
      }
      auto a = interop::DigQuery(resolver_->port(), name, type);
      ASSERT_TRUE(a.ok()) << a.status();
      const std::string when = absl::StrCat(what, " ", name, " ", type,
                                            cold ? " (cold)" : " (warm)");
      EXPECT_EQ(a->rcode, rcode) << when << "\n" << a->raw;
      EXPECT_TRUE(a->ad) << when << "\n" << a->raw;
      EXPECT_TRUE(a->answer.empty()) << when << "\n" << a->raw;
    }
  }
  void ExpectEveryDenialValidates(const std::string& chain) {
    ExpectDenial("nope.child.example.", "A", "NXDOMAIN", chain + " NXDOMAIN");
    ExpectDenial("www.child.example.", "MX", "NOERROR", chain + " NODATA");
    // x.wild is synthesised from *.wild, which has TXT only.
    ExpectDenial("x.wild.child.example.", "MX", "NOERROR",
                 chain + " wildcard NODATA");
    // b.c and c exist only as the path to a.b.c.
    ExpectDenial("b.c.child.example.", "A", "NOERROR", chain + " ENT NODATA");
    ExpectDenial("c.child.example.", "TXT", "NOERROR", chain + " ENT NODATA");
    // The positive wildcard answer validates too (the control: the same
    // names are there).
    auto a =
        interop::DigQuery(resolver_->port(), "x.wild.child.example.", "TXT");
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->rcode, "NOERROR") << a->raw;
    EXPECT_TRUE(a->ad) << a->raw;
    EXPECT_FALSE(a->answer.empty()) << a->raw;
  }

  ShortTempDir dir_;
  std::vector<std::string> child_flags_;  // dnssigner flags for the child
  bool child_cds_ = false;                // "cds": true in zones[] for it
  std::string state_, work_, config_, socket_, child_ds_;
  uint32_t child_serial_ = 2026113000;
  uint32_t parent_serial_ = 2026113000;
  std::unique_ptr<interop::KnotServer> knot_;
  std::unique_ptr<interop::UnboundResolver> resolver_;
  std::unique_ptr<KeystoredProcess> daemon_;
};

TEST_F(DnsRolloverTest, WrongDsInTheParentMakesTheResolverFail) {
  ASSERT_NO_FATAL_FAILURE(Start(absl::StrCat(
      "child 6 IN DS 12345 13 2 "
      "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n")));
  auto a = interop::DigQuery(resolver_->port(), "www.child.example.", "A");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->rcode, "SERVFAIL") << a->raw;
  // The parent itself still validates: the failure is the child's DS.
  auto p = interop::DigQuery(resolver_->port(), "www.example.", "A");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->rcode, "NOERROR") << p->raw;
  EXPECT_TRUE(p->ad) << p->raw;
}

// Negative answers in the child validate through the parent's DS alone:
// NXDOMAIN, NODATA, NODATA at a name synthesised from a wildcard and at an
// empty non-terminal, first with NSEC, then with NSEC3 (RFC 9276: no salt,
// 0 extra iterations).
TEST_F(DnsRolloverTest, DenialValidatesThroughNsec) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(ExpectEveryDenialValidates("NSEC"));
}

TEST_F(DnsRolloverTest, DenialValidatesThroughNsec3) {
  child_flags_ = {"-3", "-", "-H", "0"};
  ASSERT_NO_FATAL_FAILURE(Start());
  auto param = interop::DigQuery(knot_->port(), "child.example.", "NSEC3PARAM",
                                 /*norec=*/true);
  ASSERT_TRUE(param.ok()) << param.status();
  ASSERT_FALSE(param->answer.empty()) << "not an NSEC3 zone\n" << param->raw;
  ASSERT_NO_FATAL_FAILURE(ExpectEveryDenialValidates("NSEC3"));
}

TEST_F(DnsRolloverTest, ZskRolloverWaitsForTheZoneServersAndTheMaxTtl) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("before the rollover"));

  // Stage 1 waits too: the published ZSK has been served for less than
  // propagation-delay + the DNSKEY TTL (keystored has just started).
  ProcessResult r = Roll("zsk-stage1");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("DNSKEY TTL ", kDnskeyTtl, "s")));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("127.0.0.1:", knot_->port(),
                                            ": serves the DNSKEY of ")));
  Sleep(kPropagation + kDnskeyTtl + 1);
  r = Roll("zsk-stage1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("after zsk-stage1"));
  // Signed with the new ZSK, not yet served.
  const std::string resigned = SignChild();
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("after the re-sign"));
  r = Roll("zsk-stage2");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.err, HasSubstr("not every zone server"));
  EXPECT_THAT(r.err,
              HasSubstr(absl::StrCat("127.0.0.1:", knot_->port(),
                                     ": serves serial ", child_serial_ - 1,
                                     " (needs >= ", child_serial_, ")")));
  r = Status();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("rollover under way"));
  EXPECT_THAT(r.out, HasSubstr("zsk-stage2 ECDSAP256SHA256: waiting"));

  // The zone server catches up: still refused, the max TTL has not passed.
  ASSERT_NO_FATAL_FAILURE(PublishChild(resigned));
  const auto served = std::chrono::steady_clock::now();
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("once served"));
  r = Roll("zsk-stage2");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.err, HasSubstr("more: every zone server"));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("max TTL ", kChildMaxTtl, "s")));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("serves serial ", child_serial_)));
  // propagation-delay + max TTL - 2 s: still refused.
  Sleep(kPropagation + kChildMaxTtl - 2);
  r = Roll("zsk-stage2");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.err, HasSubstr(" left"));
  // Past propagation-delay + max TTL since the server was first seen.
  Sleep(2.5);
  r = Roll("zsk-stage2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(std::chrono::steady_clock::now() - served,
            std::chrono::seconds(kPropagation + kChildMaxTtl));
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("after zsk-stage2"));
  ASSERT_NO_FATAL_FAILURE(PublishChild(SignChild()));
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("after the last re-sign"));
  r = Mk({"audit", kChild});
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("--force")));
  EXPECT_THAT(r.out, HasSubstr("observed: every zone server serves serial"));
}

TEST_F(DnsRolloverTest, KskRolloverWaitsForTheParentDsAndItsTtl) {
  child_cds_ = true;  // the zone's configuration asks for CDS/CDNSKEY
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("before the rollover"));
  const std::set<int> old_ds = ParentDsTags();
  ASSERT_EQ(old_ds.size(), 1u);

  ProcessResult r = Roll("ksk-stage1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("after ksk-stage1"));
  ASSERT_NO_FATAL_FAILURE(PublishChild(SignChild()));
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("signed with both KSKs"));
  // RFC 7583 3.3.1: CDS names the new KSK only once its DNSKEY has been
  // served for propagation-delay + the DNSKEY TTL; until then the old set,
  // and parentdata says the same.
  EXPECT_EQ(ServedCdsTags(), old_ds);
  EXPECT_EQ(ParentDsTags(), old_ds);

  // Every TTL long past, but the parent does not serve the new DS.
  Sleep(kPropagation + kDsTtl + 1);
  r = Roll("ksk-stage2");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.err, HasSubstr("does not serve a DS for the new KSK"));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("127.0.0.1:", knot_->port(),
                                            ": serves DS ")));
  EXPECT_THAT(r.err, HasSubstr("not yet"));

  // A warm resolver takes the old DS set into its cache (TTL 6) just before
  // the parent publishes both DS.
  ASSERT_EQ(WarmRcode(), "NOERROR");
  ProcessResult ds = Mk({"parentdata", "ds", kChild});
  ASSERT_EQ(ds.exit_code, 0) << ds.err;
  child_ds_ = DsLines(ds.out, kDsTtl);
  // The new KSK's DNSKEY has been served long enough: both in parentdata,
  // and in the CDS of the next signing.
  ASSERT_EQ(ParentDsTags().size(), 2u) << ds.out;
  ASSERT_NO_FATAL_FAILURE(PublishChild(SignChild()));
  EXPECT_EQ(ServedCdsTags(), ParentDsTags());
  ASSERT_NO_FATAL_FAILURE(ResignParent());
  ASSERT_EQ(WarmRcode(), "NOERROR");
  r = Roll("ksk-stage2");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.err, HasSubstr("more: every parent agent"));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("DS TTL ", kDsTtl, "s")));

  // Knot 3.0.8: past propagation-delay + DNSKEY TTL, not the DS TTL.
  Sleep(kPropagation + kDnskeyTtl + 0.5);
  r = Roll("ksk-stage2");
  if (r.exit_code == 0) {
    // The rule was weakened: show what it costs a resolver.
    ASSERT_NO_FATAL_FAILURE(PublishChild(SignChild()));
    ADD_FAILURE() << "ksk-stage2 accepted before the old DS TTL had passed; "
                     "the warm resolver, asked for a name it has not cached, "
                     "now answers "
                  << WarmRcode("mail.child.example.");
    return;
  }
  EXPECT_THAT(r.err, HasSubstr(" left"));
  r = Status();
  EXPECT_THAT(r.out, HasSubstr("ksk-stage2 ECDSAP256SHA256: waiting"));
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("both DS in the parent"));

  Sleep(kDsTtl - kDnskeyTtl + 0.5);
  r = Roll("ksk-stage2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("after ksk-stage2"));
  ASSERT_NO_FATAL_FAILURE(PublishChild(SignChild()));
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("signed with the new KSK only"));
  // The parent drops the old DS.
  ds = Mk({"parentdata", "ds", kChild});
  child_ds_ = DsLines(ds.out, kDsTtl);
  ASSERT_NO_FATAL_FAILURE(ResignParent());
  ASSERT_NO_FATAL_FAILURE(ExpectValidates("the old DS gone"));
  r = Mk({"audit", kChild});
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("--force")));
  EXPECT_THAT(r.out, HasSubstr("observed: every parent agent serves a DS"));
}

}  // namespace
}  // namespace testing
}  // namespace zonekeep
