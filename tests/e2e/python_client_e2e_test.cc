// The API is the contract: a client in a second language, generated from
// proto/keystore.proto at test time (Debian's python3-grpc-tools and
// python3-grpcio, python_sign_client.py), signs a zone over mutual TLS
// against a real keystored, streaming in chunks both ways; dnssec-verify
// checks the output. Every refusal of issue 14's list that a client can
// provoke reaches it as a gRPC status, exit 1, nothing written, and the
// daemon signs on: handshake refusals (no client certificate, self-signed with
// a listed SAN, another CA, a key that does not match, expired, not yet
// valid) as UNAVAILABLE; a SAN not on the list, a signer for a zone it is not
// listed for and a signer calling KeyAdmin as PERMISSION_DENIED; garbage
// bytes, $INCLUDE /etc/passwd and a zone whose origin differs as
// INVALID_ARGUMENT; a stream that never ends as RESOURCE_EXHAUSTED
// (max-zone-bytes); a stream the client cancels mid-zone as CANCELLED;
// plaintext (no TLS) to the mutual-TLS port as UNAVAILABLE; one sign job
// more than max-sign-jobs (1 here) as RESOURCE_EXHAUSTED, while the job
// holding the slot (its zone a FIFO half written) then completes.
// Certificates are made at test time (make_test_certs.sh).
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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
using ::testing::Not;

// Debian's interpreter, whose dist-packages hold grpc and grpc_tools (a
// python3 earlier in PATH, e.g. pyenv's, would not).
constexpr char kPython[] = "/usr/bin/python3";

// The ceiling a stream that never ends runs into (the 6003-record zone of
// SignsOverMutualTlsInChunks is about 150 KB).
constexpr int kMaxZoneBytes = 1000000;

constexpr char kSmallZone[] =
    "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "  IN NS ns1\nns1 IN A 192.0.2.53\n";

bool FileExists(const std::string& path) {
  return access(path.c_str(), F_OK) == 0;
}

class PythonClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCertificates(); }
  static void TearDownTestSuite() { delete certs_; }

  static std::string Cert(const std::string& name) {
    return certs_->Path(name);
  }

  void SetUp() override {
    const std::string config = dir_.path() + "/keystored.json";
    std::ofstream(config)
        << "{\"listen\": \"127.0.0.1:0\", \"tls\": {\"trust-anchor\": \""
        << Cert("ca.pem") << "\", \"cert-file\": \"" << Cert("server.pem")
        << "\", \"key-file\": \"" << Cert("server.key")
        << "\"}, \"clients\": [{\"identity\": \"" << MyIdentity()
        << "\", \"role\": \"admin\"}, {\"identity\": \"signer1.example.net\", "
           "\"role\": \"signer\", \"zones\": [\"example.com.\"]}], "
           "\"max-zone-bytes\": "
        << kMaxZoneBytes
        << ", \"max-sign-jobs\": 1, \"max-sign-jobs-per-identity\": 1}";
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
    if (daemon_) {
      EXPECT_TRUE(daemon_->alive()) << daemon_->stderr_text();
    }
  }

  std::string ZoneFile() const { return dir_.path() + "/example.com.zone"; }
  std::string Out() const { return dir_.path() + "/example.com.signed"; }

  // python_sign_client.py with the client certificate NAME (empty: none)
  // and its key (or KEY_NAME's), then `extra`.
  ProcessResult Python(const std::string& name,
                       const std::vector<std::string>& extra,
                       const std::string& key_name = "") {
    std::vector<std::string> argv = {
        kPython,    RunfilePath("tests/e2e/python_sign_client.py"),
        "--proto",  RunfilePath("proto/keystore.proto"),
        "--server", "127.0.0.1:" + port_,
        "--ca",     Cert("ca.pem")};
    if (!name.empty()) {
      argv.insert(argv.end(),
                  {"--cert", Cert(name + ".pem"), "--key",
                   Cert((key_name.empty() ? name : key_name) + ".key")});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv);
  }

  // Signs ZONE_FILE as example.com. (or ORIGIN) into Out().
  ProcessResult PythonSign(const std::string& name,
                           const std::string& zone_file,
                           const std::vector<std::string>& extra = {},
                           const std::string& key_name = "",
                           const std::string& origin = "example.com.") {
    std::vector<std::string> args = {"--origin", origin, "--out", Out()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(zone_file);
    return Python(name, args, key_name);
  }

  // A refusal: exit 1, one line "python_sign_client: STATUS: ..." naming
  // `reason`, no output and no temp file, and the daemon up.
  void ExpectRefused(const ProcessResult& r, const std::string& status,
                     const std::string& reason = "") {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr("python_sign_client: " + status + ": "))
        << r.err;
    EXPECT_THAT(r.err, HasSubstr(reason));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(FileExists(Out()));
    ProcessResult ls = RunProcess(
        {"bash", "-c", "ls -A " + dir_.path() + " | grep python_sign"});
    EXPECT_EQ(ls.out, "") << "a temp file was left";
    EXPECT_TRUE(daemon_->alive()) << daemon_->stderr_text();
  }

  // The daemon still signs (and the output is then removed again).
  void ExpectStillSigns() {
    ProcessResult again = PythonSign("signer1", ZoneFile());
    EXPECT_EQ(again.exit_code, 0) << again.err << daemon_->stderr_text();
    EXPECT_TRUE(FileExists(Out()));
    unlink(Out().c_str());
  }

  // Waits up to 10 s for `text` in the daemon's log.
  bool LogShows(const std::string& text) {
    for (int i = 0; i < 200; ++i) {
      if (daemon_->stderr_text().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  static TestCertificates* certs_;
  ShortTempDir dir_;
  std::string port_;
  std::unique_ptr<KeystoredProcess> daemon_;
};

TestCertificates* PythonClientTest::certs_ = nullptr;

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

TEST_F(PythonClientTest, HandshakeRefusalsAreUnavailable) {
  struct Case {
    std::string what, cert, key;
  };
  const std::vector<Case> cases = {
      {"no client certificate", "", ""},
      {"self-signed, a listed SAN", "selfsigned", ""},
      {"another CA, a listed SAN", "foreign", ""},
      {"expired", "expired", ""},
      {"not yet valid", "notyet", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ExpectRefused(PythonSign(c.cert, ZoneFile(), {}, c.key), "UNAVAILABLE");
  }
  // A key that is not the certificate's: TLS needs proof of possession, so
  // no handshake can carry it; the client says so before it connects (gRPC
  // itself would only log "Invalid private key" and fail UNAVAILABLE with
  // "empty address list").
  ProcessResult mismatch = PythonSign("signer1", ZoneFile(), {}, "other");
  EXPECT_EQ(mismatch.exit_code, 1) << mismatch.err;
  EXPECT_THAT(mismatch.err, HasSubstr("other.key is not the key of --cert"));
  EXPECT_THAT(mismatch.err, HasSubstr("KEY_VALUES_MISMATCH"));
  EXPECT_THAT(mismatch.err, HasSubstr("nothing sent"));
  EXPECT_EQ(std::count(mismatch.err.begin(), mismatch.err.end(), '\n'), 1)
      << mismatch.err;
  EXPECT_FALSE(FileExists(Out()));
  // No call got through: nothing signed, nothing refused by role.
  EXPECT_THAT(daemon_->stderr_text(), Not(HasSubstr("call=sign")));
  ExpectStillSigns();
}

TEST_F(PythonClientTest, RoleRefusalsArePermissionDenied) {
  // A SAN not on the list.
  ExpectRefused(PythonSign("other", ZoneFile()), "PERMISSION_DENIED",
                "other.example.net may not sign example.com.");
  // A signer for a zone it is not listed for.
  std::ofstream(dir_.path() + "/example.org.zone") << kSmallZone;
  ExpectRefused(PythonSign("signer1", dir_.path() + "/example.org.zone", {}, "",
                           "example.org."),
                "PERMISSION_DENIED",
                "signer1.example.net may not sign example.org.");
  // A signer calling KeyAdmin.
  ProcessResult list = Python("signer1", {"--list-keys", "example.com."});
  ExpectRefused(list, "PERMISSION_DENIED");
  // The admin (here over the unix socket) still lists the keys.
  ProcessResult admin = Maintkeydb(daemon_->socket_path(), {"list"});
  EXPECT_EQ(admin.exit_code, 0) << admin.err;
  ExpectStillSigns();
}

TEST_F(PythonClientTest, ZoneContentRefusalsAreInvalidArgument) {
  std::string passwd;
  {
    std::ifstream in("/etc/passwd");
    std::stringstream buffer;
    buffer << in.rdbuf();
    passwd = buffer.str();
  }
  ASSERT_FALSE(passwd.empty());
  std::string garbage = "$ORIGIN example.com.\n";
  for (int i = 0; i < 4096; ++i) {
    garbage += static_cast<char>((i * 7919 + 13) % 256);
  }
  struct Attack {
    std::string name, zone, reason;
  };
  const std::vector<Attack> attacks = {
      {"garbage", garbage, "NUL character in zone text"},
      {"include", std::string(kSmallZone) + "$INCLUDE /etc/passwd\n",
       "$INCLUDE is not allowed"},
      {"origin", std::string("$ORIGIN example.net.\n") + kSmallZone,
       "example.net."},
  };
  const std::string zone_file = dir_.path() + "/attack.zone";
  for (const Attack& attack : attacks) {
    SCOPED_TRACE(attack.name);
    std::ofstream(zone_file, std::ios::binary) << attack.zone;
    ProcessResult r = PythonSign("signer1", zone_file);
    ExpectRefused(r, "INVALID_ARGUMENT", attack.reason);
    // Not one line of /etc/passwd in the reply or the daemon's log.
    std::istringstream lines(passwd);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      EXPECT_THAT(r.err, Not(HasSubstr(line)));
      EXPECT_THAT(daemon_->stderr_text(), Not(HasSubstr(line)));
    }
  }
  ExpectStillSigns();
}

TEST_F(PythonClientTest, StreamRefusals) {
  // A stream that never ends: the ceiling stops it.
  ExpectRefused(PythonSign("signer1", ZoneFile(), {"--stream-forever"}),
                "RESOURCE_EXHAUSTED",
                "zone larger than " + std::to_string(kMaxZoneBytes) +
                    " bytes (max-zone-bytes)");
  // A truncated stream: the client cancels after 2 of its zone's chunks.
  ExpectRefused(PythonSign("signer1", ZoneFile(),
                           {"--chunk", "16384", "--cancel-after", "2"}),
                "CANCELLED");
  EXPECT_TRUE(LogShows("identity=signer1.example.net"))
      << daemon_->stderr_text();
  // The zone name is in the line unless the cancel overtook the options
  // (on a loaded machine the server may not have read them yet).
  EXPECT_TRUE(LogShows("outcome=CANCELLED")) << daemon_->stderr_text();
  ExpectStillSigns();
}

TEST_F(PythonClientTest, PlaintextToTheTlsPortIsUnavailable) {
  ExpectRefused(PythonSign("", ZoneFile(), {"--plaintext"}), "UNAVAILABLE");
  EXPECT_THAT(daemon_->stderr_text(), Not(HasSubstr("call=sign")));
  ExpectStillSigns();
}

TEST_F(PythonClientTest, OneJobMoreThanMaxSignJobsIsResourceExhausted) {
  std::string zone;
  {
    std::ifstream in(ZoneFile());
    std::stringstream buffer;
    buffer << in.rdbuf();
    zone = buffer.str();
  }
  const size_t half = zone.find('\n', zone.size() / 2) + 1;
  const std::string fifo = dir_.path() + "/held.zone";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // The held job writes elsewhere, so its temp file is not the refused one's.
  const std::string held_dir = dir_.path() + "/held";
  ASSERT_EQ(mkdir(held_dir.c_str(), 0700), 0);
  const std::string held_out = held_dir + "/example.com.signed";
  ProcessResult held;
  std::thread first([&] {
    held = Python("signer1", {"--origin", "example.com.", "--out", held_out,
                              "--chunk", "1024", fifo});
  });
  // Blocks until the first client opens its zone, i.e. its call is under way.
  const int fd = open(fifo.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0) << "cannot open the FIFO";
  auto write_all = [fd](const char* p, size_t n) {
    while (n > 0) {
      const ssize_t w = write(fd, p, n);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  };
  EXPECT_TRUE(write_all(zone.data(), half));
  // Its first chunks are with the daemon; the job holds the one slot.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ExpectRefused(PythonSign("signer1", ZoneFile()), "RESOURCE_EXHAUSTED",
                "max-sign-jobs");
  // Finish the held job: it signs the whole zone.
  EXPECT_TRUE(write_all(zone.data() + half, zone.size() - half));
  close(fd);
  first.join();
  ASSERT_EQ(held.exit_code, 0) << held.err << daemon_->stderr_text();
  EXPECT_THAT(held.err, HasSubstr("example.com. signed: 6003 records in"));
  ProcessResult verify =
      RunProcess({"dnssec-verify", "-o", "example.com.", held_out});
  EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
  ExpectStillSigns();
}

}  // namespace
}  // namespace zonekeep::testing
