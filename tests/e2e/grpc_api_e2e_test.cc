// The gRPC API of a real keystored, called with the generated stubs over its
// admin socket: malformed requests get a proper status and change nothing,
// roles are enforced, bad configurations stop the daemon at start with a
// reason, and the daemon stays up throughout.
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "proto/keystore.grpc.pb.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;

class GrpcApiTest : public ::testing::Test {
 protected:
  void Start(const std::string& config_json = "") {
    std::string config;
    if (!config_json.empty()) {
      config = dir_.path() + "/keystored.json";
      std::ofstream(config) << config_json;
    }
    daemon_ =
        std::make_unique<KeystoredProcess>(dir_.path() + "/state", config);
    ASSERT_TRUE(daemon_->started()) << daemon_->stderr_text();
    auto channel = grpc::CreateChannel("unix:" + daemon_->socket_path(),
                                       grpc::InsecureChannelCredentials());
    admin_ = v1::KeyAdmin::NewStub(channel);
    signer_ = v1::ZoneSigner::NewStub(channel);
  }

  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(daemon_->alive()) << daemon_->stderr_text();
    }
  }

  grpc::Status CreateBoth(const std::string& zone) {
    v1::CreateKeysRequest request;
    request.set_what(v1::CreateKeysRequest::BOTH);
    request.set_algorithm(13);
    request.set_zone(zone);
    grpc::ClientContext context;
    v1::KeyList response;
    return admin_->CreateKeys(&context, request, &response);
  }

  int KeyCount() {
    v1::ListKeysRequest request;
    request.set_include_deleted(true);
    grpc::ClientContext context;
    v1::KeyList response;
    grpc::Status status = admin_->ListKeys(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.keys_size();
  }

  // Sends `requests` on one SignZone stream; returns the final status and the
  // signed text received.
  grpc::Status SignStream(const std::vector<v1::SignZoneRequest>& requests,
                          std::string* signed_text = nullptr) {
    grpc::ClientContext context;
    auto stream = signer_->SignZone(&context);
    for (const v1::SignZoneRequest& request : requests) {
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
    v1::SignZoneResponse response;
    while (stream->Read(&response)) {
      if (signed_text) *signed_text += response.signed_chunk();
    }
    return stream->Finish();
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

  ShortTempDir dir_;
  std::unique_ptr<KeystoredProcess> daemon_;
  std::unique_ptr<v1::KeyAdmin::Stub> admin_;
  std::unique_ptr<v1::ZoneSigner::Stub> signer_;
};

constexpr char kZone[] =
    "$ORIGIN example.com.\n$TTL 300\n"
    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "  IN NS ns1\nns1 IN A 192.0.2.53\n";

TEST_F(GrpcApiTest, MalformedSignStreamsAreInvalidArgument) {
  Start();
  ASSERT_TRUE(CreateBoth("example.com.").ok());
  grpc::Status s = SignStream({Chunk(kZone)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("options"));
  s = SignStream(
      {Options("example.com."), Options("example.com."), Chunk(kZone)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = SignStream({Options(""), Chunk(kZone)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = SignStream({});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Garbage zone text: a file:line reason, not a crash.
  s = SignStream({Options("example.com."), Chunk("@ IN SOA ((((\n\x01\x02")});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // And the daemon still signs a good zone, streamed in small chunks.
  std::vector<v1::SignZoneRequest> requests = {Options("example.com.")};
  const std::string zone = kZone;
  for (size_t i = 0; i < zone.size(); i += 7) {
    requests.push_back(Chunk(zone.substr(i, 7)));
  }
  std::string signed_text;
  s = SignStream(requests, &signed_text);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(signed_text, HasSubstr("RRSIG"));
}

TEST_F(GrpcApiTest, OutOfRangeValuesChangeNothing) {
  Start();
  ASSERT_TRUE(CreateBoth("example.com.").ok());
  const int before = KeyCount();
  {
    v1::CreateKeysRequest request;
    request.set_what(v1::CreateKeysRequest::BOTH);
    request.set_algorithm(99);
    request.set_zone("example.org.");
    grpc::ClientContext context;
    v1::KeyList response;
    EXPECT_EQ(admin_->CreateKeys(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    v1::CreateKeysRequest request;  // no `what`
    request.set_algorithm(13);
    request.set_zone("example.org.");
    grpc::ClientContext context;
    v1::KeyList response;
    EXPECT_EQ(admin_->CreateKeys(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    v1::KeyRef request;
    request.set_zone("example.com.");
    request.set_algorithm(13);
    request.set_key_tag(70000);
    grpc::ClientContext context;
    v1::KeyList response;
    EXPECT_EQ(admin_->DeleteKey(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    v1::RolloverRequest request;  // no stage
    request.set_algorithm(13);
    request.set_zone("example.com.");
    grpc::ClientContext context;
    v1::KeyList response;
    EXPECT_EQ(admin_->Rollover(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    v1::ImportKeyRequest request;
    request.set_zone("example.com.");
    request.set_key_file_base("/etc/passwd");
    grpc::ClientContext context;
    v1::KeyList response;
    grpc::Status s = admin_->ImportKey(&context, request, &response);
    EXPECT_FALSE(s.ok());
    EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("root:")))
        << "import echoed file contents";
  }
  EXPECT_EQ(KeyCount(), before);
}

TEST_F(GrpcApiTest, ReadsOfAZoneWithoutKeysAreNotFound) {
  Start();
  ASSERT_TRUE(CreateBoth("example.com.").ok());
  ASSERT_TRUE(CreateBoth("example.net.").ok());
  {
    v1::ZoneRef request;  // every key of example.net. to the expired bin
    request.set_zone("example.net.");
    request.set_force(true);  // it leaves example.net. unsigned
    grpc::ClientContext context;
    v1::KeyList response;
    ASSERT_TRUE(admin_->DeleteZone(&context, request, &response).ok());
  }
  // Unknown zone, and a zone whose keys are all deleted.
  const std::pair<std::string, std::string> cases[] = {
      {"example.org.", "no zone example.org. in the key store"},
      {"example.net.", "no keys for example.net."}};
  for (const auto& [zone, message] : cases) {
    {
      v1::ParentDataRequest request;
      request.set_zone(zone);
      grpc::ClientContext context;
      v1::RecordText response;
      grpc::Status s = admin_->ParentData(&context, request, &response);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << zone;
      EXPECT_EQ(s.error_message(), message);
    }
    {
      v1::ShowKeysRequest request;
      request.set_zone(zone);
      grpc::ClientContext context;
      v1::RecordText response;
      grpc::Status s = admin_->ShowKeys(&context, request, &response);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << zone;
      EXPECT_EQ(s.error_message(), message);
    }
  }
  {  // the zone with keys still answers
    v1::ShowKeysRequest request;
    request.set_zone("example.com.");
    grpc::ClientContext context;
    v1::RecordText response;
    EXPECT_TRUE(admin_->ShowKeys(&context, request, &response).ok());
    EXPECT_THAT(response.text(), HasSubstr("DNSKEY"));
  }
}

TEST_F(GrpcApiTest, RolesFromTheClientsList) {
  // This uid is a signer for example.com. only, and nobody's admin.
  Start(R"({"clients": [{"identity": ")" + MyIdentity() +
        R"(", "role": "signer", "zones": ["example.com."]}]})");
  grpc::Status s = CreateBoth("example.com.");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr(MyIdentity()));
  s = SignStream({Options("example.org."), Chunk(kZone)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Allowed to sign example.com.: it gets past the role check (and fails only
  // because no admin could create keys).
  s = SignStream({Options("example.com."), Chunk(kZone)});
  EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_FALSE(s.ok());

  // The refused attempts are in the audit log: read it as an admin, from a
  // daemon on the same state dir without the clients list.
  ASSERT_EQ(daemon_->Stop(), 0);
  Start();
  v1::AuditRequest request;
  grpc::ClientContext context;
  v1::AuditLog log;
  ASSERT_TRUE(admin_->Audit(&context, request, &log).ok());
  bool create_denied = false, sign_denied = false;
  for (const v1::AuditRecord& record : log.records()) {
    if (record.identity() != MyIdentity()) continue;
    create_denied |= record.command() == "create" &&
                     record.result().find("not an admin") != std::string::npos;
    sign_denied |= record.command() == "sign" &&
                   record.zone() == "example.org." &&
                   record.result().find("may not sign") != std::string::npos;
  }
  EXPECT_TRUE(create_denied);
  EXPECT_TRUE(sign_denied);
}

TEST_F(GrpcApiTest, SighupDoesNotStopTheDaemon) {
  Start();
  ProcessResult pgrep =
      RunProcess({"pgrep", "-f", "keystored --state-dir " + dir_.path()});
  ASSERT_EQ(pgrep.exit_code, 0) << pgrep.err;
  const int daemon_pid = std::stoi(pgrep.out);
  ASSERT_EQ(kill(daemon_pid, SIGHUP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(daemon_->alive());
  EXPECT_TRUE(CreateBoth("example.com.").ok());
  EXPECT_THAT(daemon_->stderr_text(), HasSubstr("SIGHUP"));
}

// keystored refuses to start on a bad configuration, naming the problem.
class KeystoredStartTest : public ::testing::Test {
 protected:
  ProcessResult StartWith(const std::string& json) {
    const std::string config = dir_.path() + "/bad.json";
    std::ofstream(config) << json;
    return RunProcess({RunfilePath("keystore/keystored"), "--config", config,
                       "--state-dir", dir_.path() + "/state"});
  }
  ShortTempDir dir_;
};

TEST_F(KeystoredStartTest, BadConfigurationsAreStartupErrors) {
  ProcessResult r = StartWith(R"({"tls": {"cert-file": "/x.pem"}})");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.json: tls:"));
  r = StartWith(R"({"listen": "0.0.0.0:8053"})");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not a loopback"));
  r = StartWith(R"({"state-dir": )");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.json"));
  r = RunProcess({RunfilePath("keystore/keystored"), "--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--bogus"));
}

TEST_F(KeystoredStartTest, SecondDaemonOnTheSameSocketIsRefused) {
  KeystoredProcess first(dir_.path() + "/state");
  ASSERT_TRUE(first.started()) << first.stderr_text();
  ProcessResult second = RunProcess({RunfilePath("keystore/keystored"),
                                     "--state-dir", dir_.path() + "/state"});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_THAT(second.err, HasSubstr("already"));
  EXPECT_TRUE(first.alive());
}

}  // namespace
}  // namespace zonekeep::testing
