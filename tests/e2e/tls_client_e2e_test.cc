// The clients of keystored's TCP listener: dnssigner --server over mutual and
// server-authenticated TLS (the accepted sign checked by dnssec-verify, and
// each refusal: one clear line, exit 1, no output file and no temp file left).
// Certificates are made at test time (make_test_certs.sh).
#include <dirent.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;

// Names in `dir`, without "." and "..".
std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(d);
  }
  return names;
}

constexpr char kZone[] =
    "$ORIGIN example.com.\n$TTL 300\n"
    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "  IN NS ns1\nns1 IN A 192.0.2.53\nwww IN A 192.0.2.80\n";

class TlsClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCertificates(); }
  static void TearDownTestSuite() { delete certs_; }

  static std::string Cert(const std::string& name) {
    return certs_->Path(name);
  }

  void Start(const std::string& tls_extra = "") {
    const std::string config = dir_.path() + "/keystored.json";
    std::ofstream(config)
        << "{\"listen\": \"127.0.0.1:0\", \"tls\": {\"trust-anchor\": \""
        << Cert("ca.pem") << "\", \"cert-file\": \"" << Cert("server.pem")
        << "\", \"key-file\": \"" << Cert("server.key") << "\"" << tls_extra
        << "}, \"clients\": [{\"identity\": \"" << MyIdentity()
        << "\", \"role\": \"admin\"}, {\"identity\": \"signer1.example.net\", "
           "\"role\": \"signer\", \"zones\": [\"example.com.\"]}]}";
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
    ProcessResult created =
        Maintkeydb(daemon_->socket_path(),
                   {"create", "both", "ECDSAP256SHA256", "-", "example.com."});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    work_ = dir_.path() + "/work";
    RunProcess({"mkdir", "-p", work_});
    std::ofstream(work_ + "/example.com.zone") << kZone;
  }

  void TearDown() override {
    if (daemon_) EXPECT_TRUE(daemon_->alive()) << daemon_->stderr_text();
  }

  // dnssigner --server with the client certificate NAME (empty: none).
  ProcessResult SignOverTls(const std::string& name,
                            const std::vector<std::string>& extra = {},
                            const std::string& ca = "ca.pem",
                            const std::string& key_name = "") {
    std::vector<std::string> argv = {RunfilePath("cli/dnssigner"), "--server",
                                     "127.0.0.1:" + port_, "--ca", Cert(ca)};
    if (!name.empty()) {
      argv.insert(argv.end(),
                  {"--cert", Cert(name + ".pem"), "--key",
                   Cert((key_name.empty() ? name : key_name) + ".key")});
    }
    argv.insert(argv.end(), {"-o", "example.com.", "-f", Out()});
    argv.insert(argv.end(), extra.begin(), extra.end());  // a later -o wins
    argv.push_back(work_ + "/example.com.zone");
    return RunProcess(argv);
  }
  std::string Out() const { return work_ + "/example.com.signed"; }

  // After a refusal: one line on stderr naming `reason`, exit 1, and the work
  // directory holds the zone file only.
  void ExpectRefused(const ProcessResult& r, const std::string& reason) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr(reason));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(ListDir(work_), std::vector<std::string>{"example.com.zone"});
  }

  static TestCertificates* certs_;
  ShortTempDir dir_;
  std::string port_;
  std::string work_;
  std::unique_ptr<KeystoredProcess> daemon_;
};

TestCertificates* TlsClientTest::certs_ = nullptr;

TEST_F(TlsClientTest, DnssignerSignsOverMutualTls) {
  Start();
  ProcessResult r = SignOverTls("signer1");
  ASSERT_EQ(r.exit_code, 0) << r.err << daemon_->stderr_text();
  EXPECT_THAT(r.err, HasSubstr("example.com. signed"));
  // stderr is no terminal here: no progress line.
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("records sent")));
  ProcessResult verify =
      RunProcess({"dnssec-verify", "-o", "example.com.", Out()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
  // The name "localhost" is in the server certificate too.
  std::vector<std::string> argv = {RunfilePath("cli/dnssigner"),
                                   "-q",
                                   "--server",
                                   "localhost:" + port_,
                                   "--ca",
                                   Cert("ca.pem"),
                                   "--cert",
                                   Cert("signer1.pem"),
                                   "--key",
                                   Cert("signer1.key"),
                                   "-o",
                                   "example.com.",
                                   "-f",
                                   "-",
                                   work_ + "/example.com.zone"};
  ProcessResult to_stdout = RunProcess(argv);
  EXPECT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_THAT(to_stdout.out, HasSubstr("RRSIG"));
}

TEST_F(TlsClientTest, DnssignerRefusalsAreOneClearLine) {
  Start();
  ExpectRefused(SignOverTls("signer1", {}, "otherca.pem"),
                "the server's certificate is not signed by --ca");
  ExpectRefused(SignOverTls("foreign"),
                "the server did not accept our certificate");
  ExpectRefused(SignOverTls("selfsigned"),
                "the server did not accept our certificate");
  ExpectRefused(SignOverTls(""),
                "the server likely requires a client "
                "certificate");
  ExpectRefused(SignOverTls("expired"), "has expired");
  ExpectRefused(SignOverTls("notyet"), "is not valid yet");
  ExpectRefused(SignOverTls("signer1", {}, "ca.pem", "other"),
                "is not the key of --cert");
  ExpectRefused(SignOverTls("signer1", {}, "missing.pem"),
                "missing.pem: cannot read (No such file or directory)");
  ExpectRefused(SignOverTls("signer1", {"-o", "example.org."}),
                "signer1.example.net may not sign example.org.");
  ExpectRefused(SignOverTls("other"), "other.example.net may not sign");
  // A zone whose origin is not the one asked for.
  std::ofstream(work_ + "/example.com.zone")
      << "$ORIGIN example.net.\n$TTL 300\n"
         "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n  IN NS ns1\n";
  ProcessResult wrong_origin = SignOverTls("signer1");
  EXPECT_EQ(wrong_origin.exit_code, 1);
  EXPECT_EQ(ListDir(work_), std::vector<std::string>{"example.com.zone"});
  // Nothing answers on the port.
  std::vector<std::string> argv = {RunfilePath("cli/dnssigner"),
                                   "--server",
                                   "127.0.0.1:1",
                                   "--ca",
                                   Cert("ca.pem"),
                                   "-o",
                                   "example.com.",
                                   "-f",
                                   Out(),
                                   work_ + "/example.com.zone"};
  ExpectRefused(RunProcess(argv), "nothing answers");
}

TEST_F(TlsClientTest, ServerAuthenticatedTls) {
  Start(", \"cert-required\": false");
  // No client certificate: the caller is tcp:anonymous, not on the list.
  ExpectRefused(SignOverTls(""), "tcp:anonymous may not sign");
  ProcessResult r = SignOverTls("signer1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A client that goes away while keystored signs a big zone: the engine's
// cancel hook ends the job within moments (a full job signs 300,000 RRsets, at
// least 5 s on two cores; the bound leaves room for a loaded machine),
// with CANCELLED in the log, and keystored signs on.
TEST_F(TlsClientTest, TruncatedStreamEndsTheJobPromptly) {
  Start();
  {
    std::ofstream big(work_ + "/example.com.zone");
    big << kZone;
    for (int i = 0; i < 300000; ++i) big << "h" << i << " IN A 192.0.2.9\n";
  }
  // dnssigner is stopped (SIGTERM: it removes its temp file) once the zone is
  // sent and signing has begun.
  const std::string script =
      RunfilePath("cli/dnssigner") + " -q --server 127.0.0.1:" + port_ +
      " --ca " + Cert("ca.pem") + " --cert " + Cert("signer1.pem") + " --key " +
      Cert("signer1.key") + " -o example.com. -f " + Out() + " " + work_ +
      "/example.com.zone & pid=$!; sleep 2; kill -TERM $pid; wait $pid";
  ProcessResult killed = RunProcess({"bash", "-c", script});
  const auto killed_at = std::chrono::steady_clock::now();
  std::string log;
  bool ended = false;
  while (!ended && std::chrono::steady_clock::now() - killed_at <
                       std::chrono::seconds(30)) {
    log = daemon_->stderr_text();
    ended = log.find("call=sign zone=example.com. outcome=CANCELLED") !=
            std::string::npos;
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - killed_at)
                             .count();
  ASSERT_TRUE(ended) << log;
  EXPECT_THAT(log, HasSubstr("signing cancelled by the caller")) << log;
  EXPECT_LT(seconds, 3.0) << "the job went on after the client left";
  EXPECT_EQ(ListDir(work_), std::vector<std::string>{"example.com.zone"});
  std::ofstream(work_ + "/example.com.zone") << kZone;
  ProcessResult again = SignOverTls("signer1");
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

// keystored's statistics after a few signings and refusals, through
// maintkeydb stats; reset zeroes them.
TEST_F(TlsClientTest, StatsCountSigningsAndRefusals) {
  Start();
  ASSERT_EQ(SignOverTls("signer1").exit_code, 0);
  ASSERT_EQ(SignOverTls("signer1").exit_code, 0);
  EXPECT_EQ(SignOverTls("signer1", {"-o", "example.org."}).exit_code, 1);
  EXPECT_EQ(SignOverTls("other").exit_code, 1);
  ProcessResult stats = Maintkeydb(daemon_->socket_path(), {"stats"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  // Two zones of 4 RRsets signed by one KSK and one ZSK, 2 refused by role.
  EXPECT_THAT(stats.out, HasSubstr("total zones 2 signatures "));
  EXPECT_THAT(stats.out, HasSubstr("refused PERMISSION_DENIED=2\n"));
  EXPECT_THAT(stats.out, HasSubstr("signer1.example.net zones 2 signatures "));
  EXPECT_THAT(stats.out, HasSubstr("other.example.net zones 0 signatures 0 "
                                   "in 0 B out 0 B sign 0.00 s errors 0 "
                                   "refused PERMISSION_DENIED=1"));
  EXPECT_THAT(stats.out, ::testing::Not(HasSubstr("out 0 B sign 0.00 s "
                                                  "errors 0 refused "
                                                  "PERMISSION_DENIED=2")));
  ProcessResult reset = Maintkeydb(daemon_->socket_path(), {"stats", "reset"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_THAT(reset.out, HasSubstr("total zones 2 "));
  ProcessResult after = Maintkeydb(daemon_->socket_path(), {"stats"});
  EXPECT_THAT(after.out, HasSubstr("total zones 0 signatures 0 in 0 B out 0 "
                                   "B sign 0.00 s errors 0 refused 0\n"));
  EXPECT_EQ(std::count(after.out.begin(), after.out.end(), '\n'), 2)
      << after.out;
  EXPECT_EQ(Maintkeydb(daemon_->socket_path(), {"stats", "bogus"}).exit_code,
            2);
}

}  // namespace
}  // namespace zonekeep::testing
