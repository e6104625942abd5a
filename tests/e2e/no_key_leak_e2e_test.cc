// No private key ever leaves keystored: a full create / import / rollover /
// sign cycle with BIND-format keys made at test time (ECDSAP256SHA256,
// ED25519, RSASHA256, imported active), capturing every byte keystored sends
// as its clients receive it (maintkeydb's and dnssigner's stdout, stderr and
// signed zones, a gRPC client's raw responses) and its stderr log, then
// scanning all of it for every encoding of each private key
// (key_encodings.h). The scan is shown to work: it finds each key once the
// key's own .private file, or its PEM, is appended to the capture.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "proto/keystore.grpc.pb.h"
#include "tests/e2e/key_encodings.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

namespace v1 = ::zonekeep::v1;
using ::testing::HasSubstr;

struct ZoneCase {
  std::string zone;       // without the final dot, as dnssec-keygen takes it
  std::string algorithm;  // mnemonic
  std::vector<std::string> keygen_flags;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class NoKeyLeakTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Key files for `import` come from this test's directory only.
    const std::string config = dir_.path() + "/keystored.json";
    std::ofstream(config) << R"({"import-dir": ")" << dir_.path() << R"("})";
    daemon_ =
        std::make_unique<KeystoredProcess>(dir_.path() + "/state", config);
    ASSERT_TRUE(daemon_->started()) << daemon_->stderr_text();
    auto channel = grpc::CreateChannel("unix:" + daemon_->socket_path(),
                                       grpc::InsecureChannelCredentials());
    admin_ = v1::KeyAdmin::NewStub(channel);
    signer_ = v1::ZoneSigner::NewStub(channel);
    keys_ = dir_.path() + "/keys";
    RunProcess({"mkdir", "-p", keys_});
  }

  // Runs a client and keeps everything it printed.
  ProcessResult Capture(const ProcessResult& r) {
    captured_ += r.out;
    captured_ += r.err;
    return r;
  }
  ProcessResult Mk(const std::vector<std::string>& args) {
    return Capture(Maintkeydb(daemon_->socket_path(), args));
  }

  // dnssec-keygen in keys_; returns the file base (path without extension).
  std::string Keygen(const ZoneCase& c, bool ksk) {
    std::vector<std::string> argv = {"dnssec-keygen", "-q", "-K",
                                     keys_,           "-a", c.algorithm};
    argv.insert(argv.end(), c.keygen_flags.begin(), c.keygen_flags.end());
    if (ksk) argv.insert(argv.end(), {"-f", "KSK"});
    argv.push_back(c.zone);
    ProcessResult r = RunProcess(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string name = r.out.substr(0, r.out.find('\n'));
    return keys_ + "/" + name;
  }

  // dnssigner through the admin socket; the signed zone joins the capture.
  void Sign(const std::string& zone) {
    const std::string file = dir_.path() + "/" + zone + "zone";
    std::ofstream(file) << "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 3600 "
                           "1209600 300\n  IN NS ns1\nns1 IN A 192.0.2.53\n"
                           "www IN A 192.0.2.80\n";
    const std::string out = file + ".signed";
    ProcessResult r = Capture(
        RunProcess({RunfilePath("cli/dnssigner"), "--socket",
                    daemon_->socket_path(), "-o", zone, "-f", out, file}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    last_signed_ = ReadFile(out);
    captured_ += last_signed_;
  }

  // The KeyAdmin answers and a SignZone stream, as the wire bytes of each
  // response message.
  void CaptureGrpc(const std::string& zone) {
    auto keep = [this](const grpc::Status& s,
                       const google::protobuf::Message& m) {
      captured_ += s.error_message();
      captured_ += m.SerializeAsString();
      captured_ += m.DebugString();
    };
    {
      grpc::ClientContext ctx;
      v1::ListKeysRequest req;
      req.set_include_deleted(true);
      v1::KeyList resp;
      keep(admin_->ListKeys(&ctx, req, &resp), resp);
    }
    for (bool ds : {false, true}) {
      grpc::ClientContext ctx;
      v1::ShowKeysRequest req;
      req.set_zone(zone);
      req.set_ds(ds);
      v1::RecordText resp;
      keep(admin_->ShowKeys(&ctx, req, &resp), resp);
    }
    {
      grpc::ClientContext ctx;
      v1::StatusRequest req;
      v1::StatusReply resp;
      keep(admin_->Status(&ctx, req, &resp), resp);
    }
    {
      grpc::ClientContext ctx;
      v1::AuditRequest req;
      req.set_limit(1000000);
      v1::AuditLog resp;
      keep(admin_->Audit(&ctx, req, &resp), resp);
    }
    {
      grpc::ClientContext ctx;
      v1::StatsRequest req;
      v1::SignStats resp;
      keep(admin_->Stats(&ctx, req, &resp), resp);
    }
    {
      grpc::ClientContext ctx;
      auto stream = signer_->SignZone(&ctx);
      v1::SignZoneRequest req;
      req.mutable_options()->set_origin(zone);
      stream->Write(req);
      req.set_zone_chunk(
          "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
          "  IN NS ns1\nns1 IN A 192.0.2.53\n");
      stream->Write(req);
      stream->WritesDone();
      v1::SignZoneResponse resp;
      while (stream->Read(&resp)) keep(grpc::Status::OK, resp);
      grpc::Status status = stream->Finish();
      EXPECT_TRUE(status.ok()) << status.error_message();
      captured_ += status.error_message();
    }
  }

  ShortTempDir dir_;
  std::unique_ptr<KeystoredProcess> daemon_;
  std::unique_ptr<v1::KeyAdmin::Stub> admin_;
  std::unique_ptr<v1::ZoneSigner::Stub> signer_;
  std::string keys_;
  std::string captured_;
  std::string last_signed_;
};

TEST_F(NoKeyLeakTest, NoPrivateKeyInAnythingKeystoredSends) {
  const std::vector<ZoneCase> cases = {
      {"ecdsa.example", "ECDSAP256SHA256", {}},
      {"ed.example", "ED25519", {}},
      {"rsa.example", "RSASHA256", {"-b", "2048"}}};
  std::vector<std::string> bases;
  for (const ZoneCase& c : cases) {
    const std::string zone = c.zone + ".";
    const std::string ksk = Keygen(c, true);
    const std::string zsk = Keygen(c, false);
    const std::string next_zsk = Keygen(c, false);
    bases.insert(bases.end(), {ksk, zsk, next_zsk});
    ASSERT_EQ(Mk({"import", zone, ksk, "active"}).exit_code, 0) << captured_;
    ASSERT_EQ(Mk({"import", zone, zsk, "active"}).exit_code, 0) << captured_;
    ASSERT_EQ(Mk({"import", zone, next_zsk, "published"}).exit_code, 0)
        << captured_;
    // The imported keys are the ones that sign: their DNSKEYs are in the
    // signed zone.
    Sign(zone);
    for (const std::string& base : {ksk, zsk}) {
      const std::string key = ReadFile(base + ".key");
      const std::string public_b64 = key.substr(key.rfind(' ') + 1);
      EXPECT_THAT(last_signed_,
                  HasSubstr(public_b64.substr(0, public_b64.size() - 1)))
          << base;
    }
    // Both rollovers, signing at every step (stage 2 forced: no DNS here).
    for (const char* stage :
         {"zsk-stage1", "zsk-stage2", "ksk-stage1", "ksk-stage2"}) {
      ProcessResult r = Mk({"rollover", stage, c.algorithm, zone, "--force"});
      ASSERT_EQ(r.exit_code, 0) << stage << ": " << r.err;
      Sign(zone);
    }
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{
             {"list", "--all", zone},
             {"list", "--json", "--all"},
             {"showkeys", zone},
             {"showkeys", "ds", zone},
             {"parentdata", "ds", zone},
             {"parentdata", "key", zone},
             {"status", zone},
         }) {
      Mk(args);
    }
    CaptureGrpc(zone);
    Mk({"delete_name", zone, "--force"});
    Mk({"list", "--all", zone});
  }
  // Keys keystored makes itself, too (their bytes are unknown here, but the
  // calls' answers join the capture).
  ASSERT_EQ(
      Mk({"create", "both", "ECDSAP256SHA256", "-", "made.example."}).exit_code,
      0);
  Sign("made.example.");
  Mk({"audit", "--limit", "1000000"});
  Mk({"audit", "--json", "--limit", "1000000"});
  Mk({"stats"});
  EXPECT_EQ(daemon_->Stop(), 0);
  captured_ += daemon_->stderr_text();
  ASSERT_GT(captured_.size(), 20000u);

  for (const std::string& base : bases) {
    std::string error;
    const std::vector<Needle> needles = PrivateKeyEncodings(base, &error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_GT(needles.size(), 10u);
    EXPECT_EQ(FindAny(captured_, needles), "") << "leaked";
    // The scan can fail: the key's own file, or its PEM, appended.
    EXPECT_NE(FindAny(captured_ + ReadFile(base + ".private"), needles), "")
        << base;
    for (const Needle& needle : needles) {
      if (needle.first.find(" PEM") == std::string::npos) continue;
      EXPECT_NE(FindAny(captured_ + needle.second, needles), "")
          << needle.first;
    }
  }
}

// The scan itself: each encoding family is found, also when wrapped or at
// another base64 alignment, and nothing is found in unrelated text.
TEST(KeyEncodingsTest, FindsEveryFormAndNothingElse) {
  ShortTempDir dir;
  ProcessResult keygen = RunProcess({"dnssec-keygen", "-q", "-K", dir.path(),
                                     "-a", "ECDSAP256SHA256", "t.example"});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  const std::string base =
      dir.path() + "/" + keygen.out.substr(0, keygen.out.find('\n'));
  std::string error;
  const std::vector<Needle> needles = PrivateKeyEncodings(base, &error);
  ASSERT_TRUE(error.empty()) << error;
  const std::string noise(5000, 'x');
  EXPECT_EQ(FindAny(noise + ReadFile(base + ".key"), needles), "");
  // The PKCS#8 PEM body re-wrapped at 76 columns with CRLF, behind one odd
  // byte: still found.
  std::string pem;
  for (const Needle& n : needles) {
    if (n.first.find("PKCS#8 PEM") != std::string::npos) pem = n.second;
  }
  ASSERT_FALSE(pem.empty());
  std::string body;
  for (char c : pem.substr(pem.find('\n') + 1)) {
    if (c == '-') break;
    if (c != '\n') body += c;
  }
  std::string rewrapped;
  for (size_t i = 0; i < body.size(); i += 76) {
    rewrapped += body.substr(i, 76) + "\r\n";
  }
  EXPECT_NE(FindAny(noise + "?" + rewrapped + noise, needles), "");
  for (const char* family :
       {"PrivateKey raw", "PrivateKey hex lower", "PrivateKey hex upper",
        "PrivateKey base64 (from byte 1)", "PKCS#8 DER raw",
        "traditional DER base64 (from byte 2)", "traditional PEM"}) {
    bool found = false;
    for (const Needle& n : needles) {
      if (n.first.find(family) == std::string::npos) continue;
      found = true;
      EXPECT_NE(FindAny(noise + n.second + noise, needles), "") << n.first;
    }
    EXPECT_TRUE(found) << family;
  }
}

}  // namespace
}  // namespace zonekeep::testing
