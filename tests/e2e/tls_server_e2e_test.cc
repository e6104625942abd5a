// keystored's TCP listener over mutual TLS, called with the generated stubs:
// the accepted sign, every refused certificate and caller, the limits, the
// signing policy, certificate rotation and SIGHUP reloads. Certificates are
// made at test time (make_test_certs.sh). Each refusal: a clear status, the
// daemon still up, nothing signed.
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "proto/keystore.grpc.pb.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr char kZone[] =
    "$ORIGIN example.com.\n$TTL 300\n"
    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "  IN NS ns1\nns1 IN A 192.0.2.53\n";

class TlsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCertificates(); }
  static void TearDownTestSuite() { delete certs_; }

  static std::string Cert(const std::string& name) {
    return certs_->Path(name);
  }

  std::string ConfigJson(const std::string& extra, bool with_signer1 = true) {
    std::string clients = "{\"identity\": \"" + MyIdentity() +
                          "\", \"role\": \"admin\"},"
                          "{\"identity\": \"admin.example.net\", \"role\": "
                          "\"admin\"}";
    if (with_signer1) {
      clients +=
          ",{\"identity\": \"signer1.example.net\", \"role\": \"signer\", "
          "\"zones\": [\"example.com.\"]}";
    }
    return "{\"listen\": \"127.0.0.1:0\", \"tls\": {\"trust-anchor\": \"" +
           dir_.path() + "/anchors\", \"cert-file\": \"" + dir_.path() +
           "/server.pem\", \"key-file\": \"" + dir_.path() +
           "/server.key\", \"refresh-interval\": 1}, \"clients\": [" + clients +
           "]" + extra + "}";
  }

  void Start(const std::string& extra = "") {
    RunProcess({"mkdir", "-p", dir_.path() + "/anchors"});
    RunProcess({"cp", Cert("ca.pem"), dir_.path() + "/anchors/ca.pem"});
    RunProcess({"cp", Cert("server.pem"), Cert("server.key"), dir_.path()});
    config_ = dir_.path() + "/keystored.json";
    std::ofstream(config_) << ConfigJson(extra);
    daemon_ =
        std::make_unique<KeystoredProcess>(dir_.path() + "/state", config_);
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
    auto local = grpc::CreateChannel("unix:" + daemon_->socket_path(),
                                     grpc::InsecureChannelCredentials());
    admin_ = v1::KeyAdmin::NewStub(local);
    v1::CreateKeysRequest request;
    request.set_what(v1::CreateKeysRequest::BOTH);
    request.set_algorithm(13);
    request.set_zone("example.com.");
    grpc::ClientContext context;
    v1::KeyList keys;
    ASSERT_TRUE(admin_->CreateKeys(&context, request, &keys).ok());
  }

  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(daemon_->alive()) << daemon_->stderr_text();
    }
  }

  // A TLS channel pinned to `ca` with the client certificate NAME.pem /
  // KEY.key (empty: none); a fresh connection each time.
  std::shared_ptr<grpc::Channel> Channel(const std::string& name,
                                         const std::string& key_name = "",
                                         const std::string& ca = "ca.pem") {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(Cert(ca));
    if (!name.empty()) {
      options.pem_cert_chain = ReadFile(Cert(name + ".pem"));
      options.pem_private_key =
          ReadFile(Cert((key_name.empty() ? name : key_name) + ".key"));
    }
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel("127.0.0.1:" + port_,
                                     grpc::SslCredentials(options), args);
  }

  static v1::SignZoneRequest Options(const std::string& origin) {
    v1::SignZoneRequest request;
    request.mutable_options()->set_origin(origin);
    return request;
  }
  static v1::SignZoneRequest Chunk(const std::string& text) {
    v1::SignZoneRequest request;
    request.set_zone_chunk(text);
    return request;
  }

  grpc::Status Sign(const std::shared_ptr<grpc::Channel>& channel,
                    v1::SignZoneRequest options = Options("example.com."),
                    std::string* signed_text = nullptr) {
    auto stub = v1::ZoneSigner::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    auto stream = stub->SignZone(&context);
    if (stream->Write(options)) stream->Write(Chunk(kZone));
    stream->WritesDone();
    v1::SignZoneResponse response;
    while (stream->Read(&response)) {
      if (signed_text) *signed_text += response.signed_chunk();
    }
    return stream->Finish();
  }

  // Audit rows (identity, result) of successful signings, and all rows.
  int SignedCount() {
    int n = 0;
    const v1::AuditLog log = Audit();
    for (const v1::AuditRecord& r : log.records()) {
      // A signing that succeeded is audited as "zone-signed serial ..."
      // (a "sign" row is a refusal or a failure).
      if (r.command().rfind("zone-signed", 0) == 0 && r.result() == "ok") ++n;
    }
    return n;
  }
  v1::AuditLog Audit() {
    v1::AuditRequest request;
    request.set_limit(1000);
    grpc::ClientContext context;
    v1::AuditLog log;
    EXPECT_TRUE(admin_->Audit(&context, request, &log).ok());
    return log;
  }
  bool Audited(const std::string& identity, const std::string& reason) {
    const v1::AuditLog log = Audit();
    for (const v1::AuditRecord& r : log.records()) {
      if (r.identity().find(identity) != std::string::npos &&
          r.identity().find("from ipv4:127.0.0.1:") != std::string::npos &&
          r.result().find(reason) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  static TestCertificates* certs_;
  ShortTempDir dir_;
  std::string config_;
  std::string port_;
  std::unique_ptr<KeystoredProcess> daemon_;
  std::unique_ptr<v1::KeyAdmin::Stub> admin_;
};

TestCertificates* TlsServerTest::certs_ = nullptr;

TEST_F(TlsServerTest, MutualTlsSignAndHealth) {
  Start();
  std::string signed_text;
  grpc::Status s =
      Sign(Channel("signer1"), Options("example.com."), &signed_text);
  ASSERT_TRUE(s.ok()) << s.error_message() << daemon_->stderr_text();
  EXPECT_THAT(signed_text, HasSubstr("RRSIG"));
  EXPECT_TRUE(Audited("signer1.example.net", "ok"));
  // A certificate without SAN: its CN is the identity.
  EXPECT_TRUE(Sign(Channel("cn")).ok());
  // An admin certificate signs any zone and may call KeyAdmin.
  EXPECT_TRUE(Sign(Channel("admin")).ok());
  auto admin = v1::KeyAdmin::NewStub(Channel("admin"));
  grpc::ClientContext list_context;
  v1::KeyList keys;
  EXPECT_TRUE(
      admin->ListKeys(&list_context, v1::ListKeysRequest(), &keys).ok());
  EXPECT_EQ(keys.keys_size(), 3);

  // grpc.health.v1.Health/Check with an empty request: SERVING is "\x08\x01".
  grpc::internal::RpcMethod method("/grpc.health.v1.Health/Check",
                                   grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext health_context;
  auto channel = Channel("signer1");
  s = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      channel.get(), method, &health_context, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

TEST_F(TlsServerTest, BadCertificatesAndCallersAreRefused) {
  Start();
  const int signed_before = SignedCount();
  // Refused in the TLS handshake: no call reaches keystored.
  for (const auto& [name, key, ca] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"", "", "ca.pem"},              // no client certificate
           {"selfsigned", "", "ca.pem"},    // self-signed, listed SAN
           {"foreign", "", "ca.pem"},       // another CA
           {"signer1", "other", "ca.pem"},  // key does not match
           {"expired", "", "ca.pem"},       // expired
           {"notyet", "", "ca.pem"},        // not yet valid
       }) {
    grpc::Status s = Sign(Channel(name, key, ca));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
        << name << "/" << key << ": " << s.error_message();
  }
  // Plaintext to the TLS port.
  grpc::Status s = Sign(grpc::CreateChannel(
      "127.0.0.1:" + port_, grpc::InsecureChannelCredentials()));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();

  // Refused per call, with the reason audited.
  s = Sign(Channel("other"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("other.example.net may not sign"));
  EXPECT_TRUE(Audited("other.example.net", "may not sign"));

  s = Sign(Channel("signer1"), Options("example.org."));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Audited("signer1.example.net", "may not sign example.org."));

  auto admin = v1::KeyAdmin::NewStub(Channel("signer1"));
  grpc::ClientContext context;
  v1::KeyList keys;
  s = admin->ListKeys(&context, v1::ListKeysRequest(), &keys);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Audited("signer1.example.net", "is not an admin"));

  // Signing policy: validity beyond max-validity, skipping self-verify.
  v1::SignZoneRequest options = Options("example.com.");
  options.mutable_options()->set_expiration_unix(time(nullptr) + 40 * 86400);
  s = Sign(Channel("signer1"), options);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("max-validity is 2592000 s"));
  EXPECT_TRUE(Audited("signer1.example.net", "max-validity"));
  options = Options("example.com.");
  options.mutable_options()->set_skip_self_verify(true);
  s = Sign(Channel("signer1"), options);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("allow-skip-self-verify"));

  EXPECT_EQ(SignedCount(), signed_before) << "a refused call signed";
  EXPECT_TRUE(Sign(Channel("signer1")).ok()) << "the daemon still signs";
  EXPECT_EQ(SignedCount(), signed_before + 1) << "SignedCount counts nothing";
}

TEST_F(TlsServerTest, LimitsTruncationAndCeiling) {
  Start(", \"max-sign-jobs\": 1, \"max-zone-bytes\": 200000");
  const int signed_before = SignedCount();
  auto stub = v1::ZoneSigner::NewStub(Channel("signer1"));
  // A stream that never ends: RESOURCE_EXHAUSTED once past the ceiling.
  {
    grpc::ClientContext context;
    auto stream = stub->SignZone(&context);
    stream->Write(Options("example.com."));
    const std::string filler = "; " + std::string(65530, 'x') + "\n";
    for (int i = 0; i < 100 && stream->Write(Chunk(filler)); ++i) {
    }
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(s.error_message(), HasSubstr("200000 bytes"));
  }
  EXPECT_TRUE(Audited("signer1.example.net", "max-zone-bytes"));
  // One job holds the only slot; a second is refused with the limit.
  {
    grpc::ClientContext first_context;
    auto first = stub->SignZone(&first_context);
    first->Write(Options("example.com."));
    first->Write(Chunk(std::string(kZone).substr(0, 40)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    grpc::Status s = Sign(Channel("signer1"));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(s.error_message(), HasSubstr("max-sign-jobs 1"));
    // The first is then truncated: the client cancels mid-stream.
    first_context.TryCancel();
    EXPECT_EQ(first->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(Audited("signer1.example.net", "cancelled"));
  EXPECT_EQ(SignedCount(), signed_before);
  // The slot is free again.
  grpc::Status s = Sign(Channel("signer1"));
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(SignedCount(), signed_before + 1);
}

TEST_F(TlsServerTest, CertificateRotationAndClientsReload) {
  Start();
  auto stub = v1::ZoneSigner::NewStub(Channel("signer1"));
  grpc::ClientContext context;
  auto stream = stub->SignZone(&context);
  ASSERT_TRUE(stream->Write(Options("example.com.")));
  const std::string zone = kZone;
  ASSERT_TRUE(stream->Write(Chunk(zone.substr(0, 30))));
  // Rotate the server certificate while the job streams.
  RunProcess({"cp", Cert("server2.key"), dir_.path() + "/server.key.new"});
  RunProcess({"cp", Cert("server2.pem"), dir_.path() + "/server.pem.new"});
  RunProcess(
      {"mv", dir_.path() + "/server.key.new", dir_.path() + "/server.key"});
  RunProcess(
      {"mv", dir_.path() + "/server.pem.new", dir_.path() + "/server.pem"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  // A new connection sees the new certificate.
  auto admin = v1::KeyAdmin::NewStub(Channel("admin"));
  grpc::ClientContext list_context;
  v1::KeyList keys;
  ASSERT_TRUE(
      admin->ListKeys(&list_context, v1::ListKeysRequest(), &keys).ok());
  std::vector<grpc::string_ref> pem =
      list_context.auth_context()->FindPropertyValues("x509_pem_cert");
  ASSERT_EQ(pem.size(), 1u);
  EXPECT_EQ(std::string(pem[0].data(), pem[0].size()),
            ReadFile(Cert("server2.pem")));
  // The job in flight completes.
  ASSERT_TRUE(stream->Write(Chunk(zone.substr(30))));
  stream->WritesDone();
  std::string signed_text;
  v1::SignZoneResponse response;
  while (stream->Read(&response)) signed_text += response.signed_chunk();
  grpc::Status s = stream->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(signed_text, HasSubstr("RRSIG"));

  // SIGHUP with signer1 removed: refused from then on.
  std::ofstream(config_) << ConfigJson("", /*with_signer1=*/false);
  kill(daemon_->pid(), SIGHUP);
  for (int i = 0; i < 100; ++i) {
    if (daemon_->stderr_text().find("SIGHUP: reloaded") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  s = Sign(Channel("signer1"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();
  // An invalid file on reload keeps the configuration, with one line.
  std::ofstream(config_) << "{\"clients\": 7}";
  kill(daemon_->pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_THAT(daemon_->stderr_text(),
              HasSubstr("SIGHUP: keeping the old configuration"));
  EXPECT_TRUE(Sign(Channel("admin")).ok());
  // SIGTERM: exit 0.
  EXPECT_EQ(daemon_->Stop(), 0);
  daemon_.reset();
}

}  // namespace
}  // namespace zonekeep::testing
