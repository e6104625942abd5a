// keystored's TCP listener beyond the main TLS refusals (tls_server_e2e_test):
// IPv6 loopback, no TLS on loopback (tcp:anonymous), "cert-required": false,
// server reflection, SIGTERM with a sign job in flight, the TLS 1.2 floor as
// openssl s_client sees it, and zone-content attacks over mutual TLS. Each
// refusal: a clear status, audited, the daemon still up, nothing written.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/impl/codegen/sync_stream.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "proto/keystore.grpc.pb.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

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
    "  IN NS ns1\nns1 IN A 192.0.2.53\n";

// How the listener is secured.
enum class Tls { kNone, kMutual, kServerOnly };

class TcpListenerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCertificates(); }
  static void TearDownTestSuite() { delete certs_; }

  static std::string Cert(const std::string& name) {
    return certs_->Path(name);
  }

  // The configuration: `listen`, the TLS level, the admin entries plus
  // `clients` (JSON objects, comma-separated), then `extra` top-level keys.
  std::string ConfigJson(const std::string& listen, Tls tls,
                         const std::string& clients,
                         const std::string& extra = "") {
    std::string json = "{\"listen\": \"" + listen + "\"";
    if (tls != Tls::kNone) {
      json += ", \"tls\": {\"trust-anchor\": \"" + Cert("ca.pem") +
              "\", \"cert-file\": \"" + Cert("server.pem") +
              "\", \"key-file\": \"" + Cert("server.key") + "\"" +
              (tls == Tls::kServerOnly ? ", \"cert-required\": false" : "") +
              "}";
    }
    json += ", \"clients\": [{\"identity\": \"" + MyIdentity() +
            "\", \"role\": \"admin\"}";
    if (!clients.empty()) json += ", " + clients;
    return json + "]" + extra + "}";
  }

  void Start(const std::string& listen, Tls tls, const std::string& clients,
             const std::string& extra = "") {
    tls_ = tls;
    host_ = listen.substr(0, listen.rfind(':'));
    config_ = dir_.path() + "/keystored.json";
    std::ofstream(config_) << ConfigJson(listen, tls, clients, extra);
    daemon_ =
        std::make_unique<KeystoredProcess>(dir_.path() + "/state", config_);
    ASSERT_TRUE(daemon_->started()) << daemon_->stderr_text();
    const std::string marker = "listening on " + host_ + ":";
    for (int i = 0; i < 100 && port_.empty(); ++i) {
      const std::string log = daemon_->stderr_text();
      const size_t at = log.find(marker);
      if (at != std::string::npos) {
        const size_t from = at + marker.size();
        port_ = log.substr(from, log.find(' ', from) - from);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    ASSERT_FALSE(port_.empty()) << daemon_->stderr_text();
    auto local = grpc::CreateChannel("unix:" + daemon_->socket_path(),
                                     grpc::InsecureChannelCredentials());
    admin_ = v1::KeyAdmin::NewStub(local);
    for (const char* zone : {"example.com.", "example.org."}) {
      v1::CreateKeysRequest request;
      request.set_what(v1::CreateKeysRequest::BOTH);
      request.set_algorithm(13);
      request.set_zone(zone);
      grpc::ClientContext context;
      v1::KeyList keys;
      ASSERT_TRUE(admin_->CreateKeys(&context, request, &keys).ok());
    }
    work_ = dir_.path() + "/work";
    RunProcess({"mkdir", "-p", work_});
  }

  void TearDown() override {
    if (daemon_) {
      EXPECT_TRUE(daemon_->alive()) << daemon_->stderr_text();
    }
  }

  std::string Target() const { return host_ + ":" + port_; }

  // A channel to the listener: plaintext with Tls::kNone, else TLS pinned to
  // ca.pem with the client certificate NAME.pem (empty: none). A fresh
  // connection each time.
  std::shared_ptr<grpc::Channel> Channel(const std::string& name = "") {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    if (tls_ == Tls::kNone) {
      return grpc::CreateCustomChannel(
          Target(), grpc::InsecureChannelCredentials(), args);
    }
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(Cert("ca.pem"));
    if (!name.empty()) {
      options.pem_cert_chain = ReadFile(Cert(name + ".pem"));
      options.pem_private_key = ReadFile(Cert(name + ".key"));
    }
    return grpc::CreateCustomChannel(Target(), grpc::SslCredentials(options),
                                     args);
  }

  // SignZone of `zone` as `origin`; the signed text, status message and
  // details are appended to `reply` when given.
  grpc::Status Sign(const std::shared_ptr<grpc::Channel>& channel,
                    const std::string& origin = "example.com.",
                    const std::string& zone = kZone,
                    std::string* reply = nullptr) {
    auto stub = v1::ZoneSigner::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    auto stream = stub->SignZone(&context);
    v1::SignZoneRequest options;
    options.mutable_options()->set_origin(origin);
    v1::SignZoneRequest chunk;
    chunk.set_zone_chunk(zone);
    if (stream->Write(options)) stream->Write(chunk);
    stream->WritesDone();
    v1::SignZoneResponse response;
    std::string text;
    while (stream->Read(&response)) text += response.SerializeAsString();
    grpc::Status status = stream->Finish();
    if (reply) {
      *reply += text + status.error_message() + status.error_details();
      for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
        *reply += std::string(key.data(), key.size()) +
                  std::string(value.data(), value.size());
      }
    }
    return status;
  }

  v1::AuditLog Audit() {
    v1::AuditRequest request;
    request.set_limit(1000);
    grpc::ClientContext context;
    v1::AuditLog log;
    EXPECT_TRUE(admin_->Audit(&context, request, &log).ok());
    return log;
  }
  // An audit row of `identity` from this listener's address family whose
  // result holds `reason`.
  ::testing::AssertionResult Audited(const std::string& identity,
                                     const std::string& reason) {
    const std::string from =
        host_ == "[::1]" ? "from ipv6:[::1]:" : "from ipv4:127.0.0.1:";
    const v1::AuditLog log = Audit();
    std::string rows;
    for (const v1::AuditRecord& r : log.records()) {
      if (r.identity().find(identity + " " + from) == 0 &&
          r.result().find(reason) != std::string::npos) {
        return ::testing::AssertionSuccess();
      }
      rows += r.identity() + " | " + r.command() + " | " + r.zone() + " | " +
              r.result() + "\n";
    }
    return ::testing::AssertionFailure()
           << "no audit row of " << identity << " " << from << " with \""
           << reason << "\" in:\n"
           << rows;
  }
  int SignedCount() {
    int n = 0;
    const v1::AuditLog log = Audit();
    for (const v1::AuditRecord& r : log.records()) {
      // A signing that succeeded is audited as "zone-signed serial ...".
      if (r.command().rfind("zone-signed", 0) == 0 && r.result() == "ok") ++n;
    }
    return n;
  }

  // dnssigner --server over mutual TLS as signer1 (zone file `zone`, output
  // work_/out.signed).
  std::vector<std::string> DnssignerArgs(const std::string& zone,
                                         const std::string& origin) {
    return {RunfilePath("cli/dnssigner"),
            "-q",
            "--server",
            Target(),
            "--ca",
            Cert("ca.pem"),
            "--cert",
            Cert("signer1.pem"),
            "--key",
            Cert("signer1.key"),
            "-o",
            origin,
            "-f",
            work_ + "/out.signed",
            zone};
  }

  static TestCertificates* certs_;
  ShortTempDir dir_;
  Tls tls_ = Tls::kMutual;
  std::string host_;
  std::string config_;
  std::string port_;
  std::string work_;
  std::unique_ptr<KeystoredProcess> daemon_;
  std::unique_ptr<v1::KeyAdmin::Stub> admin_;
};

TestCertificates* TcpListenerTest::certs_ = nullptr;

constexpr char kSigner1[] =
    "{\"identity\": \"signer1.example.net\", \"role\": \"signer\", "
    "\"zones\": [\"example.com.\"]}";

TEST_F(TcpListenerTest, Ipv6LoopbackMutualTls) {
  // No silent skip: without an IPv6 loopback this test fails, saying so.
  ProcessResult lo = RunProcess({"ip", "-6", "addr", "show", "lo"});
  ASSERT_THAT(lo.out, HasSubstr("inet6 ::1/128"))
      << "this machine has no IPv6 loopback: " << lo.out << lo.err;
  Start("[::1]:0", Tls::kMutual, kSigner1);
  std::string reply;
  grpc::Status s = Sign(Channel("signer1"), "example.com.", kZone, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message() << daemon_->stderr_text();
  EXPECT_THAT(reply, HasSubstr("RRSIG"));
  EXPECT_TRUE(Audited("signer1.example.net", "ok"));
  s = Sign(Channel("other"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Audited("other.example.net", "may not sign"));
  // No client certificate: refused in the handshake.
  EXPECT_EQ(Sign(Channel()).error_code(), grpc::StatusCode::UNAVAILABLE);
  // dnssigner over [::1] too; dnssec-verify accepts its output.
  std::ofstream(work_ + "/zone") << kZone;
  ProcessResult r = RunProcess(DnssignerArgs(work_ + "/zone", "example.com."));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ProcessResult verify = RunProcess(
      {"dnssec-verify", "-o", "example.com.", work_ + "/out.signed"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
}

TEST_F(TcpListenerTest, NoTlsOnLoopbackIsAnonymous) {
  // tcp:anonymous not listed: refused, audited.
  Start("127.0.0.1:0", Tls::kNone, kSigner1);
  grpc::Status s = Sign(Channel());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("tcp:anonymous may not sign"));
  EXPECT_TRUE(Audited("tcp:anonymous", "may not sign"));
  auto admin = v1::KeyAdmin::NewStub(Channel());
  grpc::ClientContext context;
  v1::KeyList keys;
  EXPECT_EQ(
      admin->ListKeys(&context, v1::ListKeysRequest(), &keys).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(SignedCount(), 0);

  // Listed as signer for example.com.: signs it, and only it.
  std::ofstream(config_) << ConfigJson(
      "127.0.0.1:0", Tls::kNone,
      "{\"identity\": \"tcp:anonymous\", \"role\": \"signer\", \"zones\": "
      "[\"example.com.\"]}");
  kill(daemon_->pid(), SIGHUP);
  for (int i = 0; i < 100; ++i) {
    if (daemon_->stderr_text().find("SIGHUP: reloaded") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string reply;
  s = Sign(Channel(), "example.com.", kZone, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(reply, HasSubstr("RRSIG"));
  EXPECT_TRUE(Audited("tcp:anonymous", "ok"));
  s = Sign(Channel(), "example.org.",
           "$ORIGIN example.org.\n$TTL 300\n@ IN SOA ns1 h 1 2 3 4 5\n"
           "  IN NS ns1\nns1 IN A 192.0.2.1\n");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("tcp:anonymous may not sign example.org."));
  EXPECT_EQ(SignedCount(), 1);
}

TEST_F(TcpListenerTest, NoTlsOffLoopbackIsAStartupError) {
  ShortTempDir dir;
  for (const std::string listen :
       {"0.0.0.0:0", "192.0.2.1:8053", "[::]:0", "127.0.0.1.example.net:0",
        "localhost.example.net:0"}) {
    const std::string config = dir.path() + "/keystored.json";
    std::ofstream(config) << ConfigJson(listen, Tls::kNone, kSigner1);
    ProcessResult r =
        RunProcess({RunfilePath("keystore/keystored"), "--state-dir",
                    dir.path() + "/state", "--config", config});
    EXPECT_EQ(r.exit_code, 2) << listen << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("listen " + listen +
                                 " is not a loopback address: configure tls"))
        << listen;
    EXPECT_FALSE(access((dir.path() + "/state/admin.sock").c_str(), F_OK) == 0)
        << listen << ": keystored served";
  }
}

TEST_F(TcpListenerTest, CertNotRequired) {
  Start("127.0.0.1:0", Tls::kServerOnly,
        std::string(kSigner1) +
            ", {\"identity\": \"tcp:anonymous\", \"role\": \"signer\", "
            "\"zones\": [\"example.org.\"]}");
  const std::string org_zone =
      "$ORIGIN example.org.\n$TTL 300\n@ IN SOA ns1 h 1 2 3 4 5\n"
      "  IN NS ns1\nns1 IN A 192.0.2.1\n";
  // Without a certificate: tcp:anonymous, which may sign example.org. only.
  grpc::Status s = Sign(Channel(), "example.org.", org_zone);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(Audited("tcp:anonymous", "ok"));
  s = Sign(Channel());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("tcp:anonymous may not sign example.com."));
  // With one: the SAN is the identity (example.com. only, not what
  // tcp:anonymous may).
  s = Sign(Channel("signer1"));
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(Audited("signer1.example.net", "ok"));
  s = Sign(Channel("signer1"), "example.org.", org_zone);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("signer1.example.net may not sign example.org."));
  // A certificate that is sent is verified: another CA's is refused in the
  // handshake, not taken as tcp:anonymous.
  EXPECT_EQ(Sign(Channel("foreign"), "example.org.", org_zone).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(SignedCount(), 2);
}

// Hand-encoded grpc.reflection.v1alpha messages (gRPC 1.51 ships no
// reflection.proto or stub for clients; its wire format is public).
std::string ReflectionRequest(int field, const std::string& value) {
  std::string out(1, static_cast<char>((field << 3) | 2));
  out += static_cast<char>(value.size());  // < 128 here
  return out + value;
}

// The length-delimited fields numbered `field` of a message.
std::vector<std::string> Fields(const std::string& message, uint32_t field) {
  std::vector<std::string> out;
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(message.data()), message.size());
  while (uint32_t tag = in.ReadTag()) {
    if ((tag & 7) == 2) {
      uint32_t size = 0;
      std::string value;
      if (!in.ReadVarint32(&size) || !in.ReadString(&value, size)) break;
      if ((tag >> 3) == field) out.push_back(value);
    } else if ((tag & 7) == 0) {
      uint64_t ignored;
      if (!in.ReadVarint64(&ignored)) break;
    } else {
      break;
    }
  }
  return out;
}

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

TEST_F(TcpListenerTest, ServerReflectionAnswers) {
  Start("127.0.0.1:0", Tls::kMutual, kSigner1);
  auto channel = Channel("signer1");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  const grpc::internal::RpcMethod method(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>>
      stream(grpc::internal::ClientReaderWriterFactory<
             grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel.get(), method,
                                                         &context));
  auto ask = [&](int field, const std::string& value) {
    const std::string bytes = ReflectionRequest(field, value);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    EXPECT_TRUE(stream->Write(request));
    EXPECT_TRUE(stream->Read(&response));
    return ToString(response);
  };
  // list_services (7): list_services_response (6) > service (1) > name (1).
  std::set<std::string> services;
  for (const std::string& list : Fields(ask(7, "*"), 6)) {
    for (const std::string& service : Fields(list, 1)) {
      for (const std::string& name : Fields(service, 1)) services.insert(name);
    }
  }
  EXPECT_THAT(services, ::testing::IsSupersetOf(
                            {"zonekeep.v1.ZoneSigner", "zonekeep.v1.KeyAdmin",
                             "grpc.health.v1.Health",
                             "grpc.reflection.v1alpha.ServerReflection"}));
  // file_containing_symbol (4): file_descriptor_response (4) >
  // file_descriptor_proto (1), a FileDescriptorProto naming the service.
  std::vector<std::string> files;
  for (const std::string& r : Fields(ask(4, "zonekeep.v1.ZoneSigner"), 4)) {
    files = Fields(r, 1);
  }
  ASSERT_FALSE(files.empty());
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(files[0]));
  EXPECT_EQ(file.package(), "zonekeep.v1");
  std::vector<std::string> methods;
  for (const auto& service : file.service()) {
    for (const auto& m : service.method()) methods.push_back(m.name());
  }
  EXPECT_THAT(methods, ::testing::Contains("SignZone"));
  stream->WritesDone();
  grpc::Status s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
}

bool CanConnect(const std::string& port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(port)));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

TEST_F(TcpListenerTest, SigtermLetsTheJobInFlightFinish) {
  Start("127.0.0.1:0", Tls::kMutual, kSigner1, ", \"shutdown-grace\": 20");
  std::string head = kZone;
  std::string tail;
  for (int i = 0; i < 4000; ++i) {
    (i < 2000 ? head : tail) += "h" + std::to_string(i) + " IN A 192.0.2.9\n";
  }
  // dnssigner reads the zone from a FIFO: the job stays in flight, half sent,
  // until the test writes the rest.
  const std::string fifo = work_ + "/zone.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ProcessResult signer;
  std::thread client(
      [&] { signer = RunProcess(DnssignerArgs(fifo, "example.com.")); });
  const int fd = open(fifo.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, head.data(), head.size()),
            static_cast<ssize_t>(head.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  ASSERT_TRUE(CanConnect(port_));

  kill(daemon_->pid(), SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (daemon_->stderr_text().find("shutting down") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // During the grace: new connections are refused, the daemon still runs.
  EXPECT_FALSE(CanConnect(port_));
  EXPECT_NE(Sign(Channel("signer1")).error_code(), grpc::StatusCode::OK);
  EXPECT_TRUE(daemon_->alive());
  const auto sent_rest = std::chrono::steady_clock::now();
  ASSERT_EQ(write(fd, tail.data(), tail.size()),
            static_cast<ssize_t>(tail.size()));
  close(fd);
  client.join();
  EXPECT_EQ(signer.exit_code, 0) << signer.err << daemon_->stderr_text();
  EXPECT_EQ(daemon_->Stop(), 0) << daemon_->stderr_text();  // waits
  EXPECT_LT(std::chrono::steady_clock::now() - sent_rest,
            std::chrono::seconds(10))
      << "keystored waited out the grace instead of the job";
  const std::string log = daemon_->stderr_text();
  const size_t shutdown = log.find("shutting down");
  const size_t signed_at = log.find("call=sign zone=example.com. outcome=OK");
  ASSERT_NE(signed_at, std::string::npos) << log;
  EXPECT_LT(shutdown, signed_at) << "the job was not in flight at SIGTERM";
  daemon_.reset();
  // The output is whole: every record, and dnssec-verify accepts it.
  const std::string out = ReadFile(work_ + "/out.signed");
  EXPECT_THAT(out, HasSubstr("h0.example.com."));
  EXPECT_THAT(out, HasSubstr("h3999.example.com."));
  ProcessResult verify = RunProcess(
      {"dnssec-verify", "-o", "example.com.", work_ + "/out.signed"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
}

TEST_F(TcpListenerTest, TlsBelow12IsRefused) {
  Start("127.0.0.1:0", Tls::kMutual, kSigner1);
  auto s_client = [&](const std::string& version) {
    // SECLEVEL=0: this client really offers TLS 1.1 (OpenSSL 3 would not).
    return RunProcess(
        {"openssl", "s_client", "-connect", "127.0.0.1:" + port_, version,
         "-cipher", "DEFAULT:@SECLEVEL=0", "-CAfile", Cert("ca.pem"), "-cert",
         Cert("signer1.pem"), "-key", Cert("signer1.key"),
         "-verify_return_error", "-alpn", "h2", "-msg"},
        "");
  };
  ProcessResult old = s_client("-tls1_1");
  EXPECT_NE(old.exit_code, 0) << old.out << old.err;
  // The client did offer TLS 1.1 (-msg: its ClientHello went out), and the
  // server ended the handshake without a byte: no session.
  EXPECT_THAT(old.out, HasSubstr(">>> TLS 1.1, Handshake"))
      << old.out << old.err;
  EXPECT_THAT(old.out, HasSubstr("ClientHello"));
  EXPECT_THAT(old.out, HasSubstr("Cipher is (NONE)")) << old.out;
  EXPECT_THAT(old.out, Not(HasSubstr("<<< TLS 1.1, Handshake"))) << old.out;
  // 1.2 and 1.3: a session (the exit code says little: gRPC may close the
  // connection before s_client has read all it wants).
  for (const std::string version : {"-tls1_2", "-tls1_3"}) {
    ProcessResult r = s_client(version);
    const std::string want = version == "-tls1_2"
                                 ? "New, TLSv1.2, Cipher is ECDHE-"
                                 : "New, TLSv1.3, Cipher is TLS_";
    EXPECT_THAT(r.out, HasSubstr(want)) << version << r.err;
    EXPECT_THAT(r.out, HasSubstr("Verify return code: 0 (ok)")) << version;
  }
}

TEST_F(TcpListenerTest, ZoneContentAttacks) {
  Start("127.0.0.1:0", Tls::kMutual, kSigner1);
  const std::string passwd = ReadFile("/etc/passwd");
  ASSERT_FALSE(passwd.empty());
  // Binary bytes (NULs among them), and bytes with no NUL that are no zone.
  std::string garbage = "$ORIGIN example.com.\n";
  std::string junk = std::string(kZone);
  for (int i = 0; i < 4096; ++i) {
    garbage += static_cast<char>((i * 7919 + 13) % 256);
    junk += static_cast<char>(1 + (i * 7919 + 13) % 255);
  }
  struct Attack {
    std::string name, zone, origin, reason;
  };
  const std::vector<Attack> attacks = {
      {"garbage", garbage, "example.com.", "NUL character in zone text"},
      {"junk", junk, "example.com.", ":6: "},
      {"include", std::string(kZone) + "$INCLUDE /etc/passwd\n", "example.com.",
       "$INCLUDE is not allowed"},
      {"include-origin",
       std::string(kZone) + "$include /etc/passwd example.com.\n",
       "example.com.", "$INCLUDE is not allowed"},
      {"origin",
       "$ORIGIN example.net.\n$TTL 300\n"
       "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
       "  IN NS ns1\nns1 IN A 192.0.2.53\n",
       "example.com.", "example.net."},
  };
  for (const Attack& attack : attacks) {
    SCOPED_TRACE(attack.name);
    std::string reply;
    grpc::Status s =
        Sign(Channel("signer1"), attack.origin, attack.zone, &reply);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(attack.reason));
    EXPECT_THAT(reply, Not(HasSubstr("RRSIG")));
    // Not one line of the server's /etc/passwd in the reply, the log or the
    // audit log.
    std::string audit_text;
    const v1::AuditLog log = Audit();
    for (const v1::AuditRecord& r : log.records()) {
      audit_text += r.identity() + " " + r.zone() + " " + r.result() + "\n";
    }
    const std::string daemon_log = daemon_->stderr_text();
    std::istringstream lines(passwd);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      EXPECT_THAT(reply, Not(HasSubstr(line)));
      EXPECT_THAT(daemon_log, Not(HasSubstr(line)));
      EXPECT_THAT(audit_text, Not(HasSubstr(line)));
    }
    EXPECT_TRUE(Audited("signer1.example.net", attack.reason))
        << s.error_message();
    EXPECT_TRUE(daemon_->alive());
    // Through dnssigner: exit 1, one line, nothing written.
    std::ofstream(work_ + "/zone", std::ios::binary) << attack.zone;
    ProcessResult r = RunProcess(DnssignerArgs(work_ + "/zone", attack.origin));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr(attack.reason));
    EXPECT_EQ(ListDir(work_), std::vector<std::string>{"zone"});
  }
  EXPECT_EQ(SignedCount(), 0);
  grpc::Status s = Sign(Channel("signer1"));
  EXPECT_TRUE(s.ok()) << "the daemon still signs: " << s.error_message();
}

}  // namespace
}  // namespace zonekeep::testing
