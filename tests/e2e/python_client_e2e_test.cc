// The API is the contract: a client in a second language, generated from
// proto/keystore.proto at test time (Debian's python3-grpc-tools and
// python3-grpcio, python_sign_client.py), signs a zone over mutual TLS
// against a real keystored, streaming in chunks both ways; dnssec-verify
// checks the output. Refusals reach it as gRPC statuses: a signer for a zone
// it is not listed for, and a signer calling KeyAdmin, get PERMISSION_DENIED
// and nothing is written. Certificates are made at test time
// (make_test_certs.sh).
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Debian's interpreter, whose dist-packages hold grpc and grpc_tools (a
// python3 earlier in PATH, e.g. pyenv's, would not).
constexpr char kPython[] = "/usr/bin/python3";

std::string MyIdentity() {
  const passwd* me = getpwuid(getuid());
  return std::string("unix:") + (me ? me->pw_name : "?");
}

bool FileExists(const std::string& path) {
  return access(path.c_str(), F_OK) == 0;
}

class PythonClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new ShortTempDir();
    ProcessResult r = RunProcess(
        {"bash", RunfilePath("tests/e2e/make_test_certs.sh"), certs_->path()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete certs_; }

  static std::string Cert(const std::string& name) {
    return certs_->path() + "/" + name;
  }

  void SetUp() override {
    const std::string config = dir_.path() + "/keystored.json";
    std::ofstream(config)
        << "{\"listen\": \"127.0.0.1:0\", \"tls\": {\"trust-anchor\": \""
        << Cert("ca.pem") << "\", \"cert-file\": \"" << Cert("server.pem")
        << "\", \"key-file\": \"" << Cert("server.key")
        << "\"}, \"clients\": [{\"identity\": \"" << MyIdentity()
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
    for (const char* zone : {"example.com.", "example.org."}) {
      ProcessResult created =
          Maintkeydb(daemon_->socket_path(),
                     {"create", "both", "ECDSAP256SHA256", "-", zone});
      ASSERT_EQ(created.exit_code, 0) << created.err;
    }
    // Big enough for several chunks each way (16 KiB up, 1 MiB down).
    std::ofstream zone(ZoneFile());
    zone << "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
            "  IN NS ns1\nns1 IN A 192.0.2.53\n";
    for (int i = 0; i < 6000; ++i) zone << "host" << i << " IN A 192.0.2.9\n";
  }

  void TearDown() override {
    if (daemon_) EXPECT_TRUE(daemon_->alive()) << daemon_->stderr_text();
  }

  std::string ZoneFile() const { return dir_.path() + "/example.com.zone"; }
  std::string Out() const { return dir_.path() + "/example.com.signed"; }

  // python_sign_client.py with the client certificate NAME, then `extra`.
  ProcessResult Python(const std::string& name,
                       const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {
        kPython,    RunfilePath("tests/e2e/python_sign_client.py"),
        "--proto",  RunfilePath("proto/keystore.proto"),
        "--server", "127.0.0.1:" + port_,
        "--ca",     Cert("ca.pem"),
        "--cert",   Cert(name + ".pem"),
        "--key",    Cert(name + ".key")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv);
  }

  static ShortTempDir* certs_;
  ShortTempDir dir_;
  std::string port_;
  std::unique_ptr<KeystoredProcess> daemon_;
};

ShortTempDir* PythonClientTest::certs_ = nullptr;

TEST_F(PythonClientTest, SignsOverMutualTlsInChunks) {
  ProcessResult r = Python("signer1", {"--origin", "example.com.", "--out",
                                       Out(), "--chunk", "16384", ZoneFile()});
  ASSERT_EQ(r.exit_code, 0) << r.err << daemon_->stderr_text();
  EXPECT_THAT(r.err, HasSubstr("example.com. signed: 6003 records in"));
  EXPECT_THAT(r.err, HasSubstr("self-verified True"));
  // The zone went up in several chunks and came back in more than one.
  EXPECT_THAT(r.err, Not(HasSubstr(" 1 chunks sent"))) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(" 1 received"))) << r.err;
  ProcessResult verify =
      RunProcess({"dnssec-verify", "-o", "example.com.", Out()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
  // keystored saw the certificate's SAN as the identity.
  EXPECT_THAT(daemon_->stderr_text(),
              HasSubstr("identity=signer1.example.net"));
}

TEST_F(PythonClientTest, RefusalsArriveAsStatuses) {
  // A signer for a zone it is not listed for.
  std::ofstream(dir_.path() + "/example.org.zone")
      << "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
         "  IN NS ns1\nns1 IN A 192.0.2.53\n";
  ProcessResult r =
      Python("signer1", {"--origin", "example.org.", "--out", Out(),
                         dir_.path() + "/example.org.zone"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("python_sign_client: PERMISSION_DENIED: "));
  EXPECT_THAT(r.err,
              HasSubstr("signer1.example.net may not sign example.org."));
  EXPECT_FALSE(FileExists(Out()));
  // A signer calling KeyAdmin.
  ProcessResult list = Python("signer1", {"--list-keys", "example.com."});
  EXPECT_EQ(list.exit_code, 1) << list.out << list.err;
  EXPECT_THAT(list.err, HasSubstr("python_sign_client: PERMISSION_DENIED: "));
  EXPECT_EQ(list.out, "");
  // Same client, a certificate of another CA: the handshake fails, no call.
  ProcessResult foreign = Python(
      "foreign", {"--origin", "example.com.", "--out", Out(), ZoneFile()});
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_THAT(foreign.err, HasSubstr("python_sign_client: UNAVAILABLE"));
  EXPECT_FALSE(FileExists(Out()));
  // Nothing but the inputs and the output names left behind (no temp file).
  ProcessResult ls = RunProcess(
      {"bash", "-c", "ls -A " + dir_.path() + " | grep python_sign"});
  EXPECT_EQ(ls.out, "");
  // The daemon signs on.
  ProcessResult again = Python(
      "signer1", {"--origin", "example.com.", "--out", Out(), ZoneFile()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

}  // namespace
}  // namespace zonekeep::testing
