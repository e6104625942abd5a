#include "tests/e2e/disconnecting_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "proto/keystore.grpc.pb.h"

namespace zonekeep::testing {
namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int Uniform(std::mt19937* rng, int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(*rng);
}

void SleepMicros(int micros) {
  std::this_thread::sleep_for(std::chrono::microseconds(micros));
}

// A socket connected to the admin socket or to the TCP port; -1 on failure.
int ConnectUnix(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int ConnectTcp(const std::string& host_port) {
  const size_t colon = host_port.rfind(':');
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(std::stoi(host_port.substr(colon + 1)));
  inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += n;
  }
}

// The HTTP/2 client preface, an empty SETTINGS frame and a HEADERS frame
// whose header announces 200 bytes of which only a few follow.
std::string PartialHttp2() {
  std::string bytes = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  bytes += std::string("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9);
  bytes += std::string("\x00\x00\xc8\x01\x04\x00\x00\x00\x01", 9);
  bytes += std::string("\x83\x86\x44\x0f/zonekeep.v1.Ke", 20);
  return bytes;
}

// A TLS ClientHello as OpenSSL would send it (made in memory, no socket).
std::string ClientHello() {
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out);  // ssl owns both
  SSL_set_connect_state(ssl.get());
  SSL_do_handshake(ssl.get());  // wants to read the ServerHello: stops
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  return std::string(data, size);
}

std::shared_ptr<grpc::Channel> NewChannel(
    const std::string& target,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  // A connection of its own: dropping the channel closes the socket.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, credentials, args);
}

// Starts a unary call on `cq` and leaves: cancelled, or out of time.
template <typename Response, typename Start>
void LeaveUnary(Start start, std::mt19937* rng) {
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  const bool deadline = Uniform(rng, 0, 1) == 1;
  if (deadline) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::microseconds(Uniform(rng, 0, 2000)));
  }
  Response response;
  grpc::Status status;
  auto call = start(&context, &cq);
  call->StartCall();
  call->Finish(&response, &status, &response);
  if (!deadline) {
    SleepMicros(Uniform(rng, 0, 1000));
    context.TryCancel();
  }
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace

struct HeldSignStream::Call {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::ZoneSigner::Stub> stub;
  grpc::ClientContext context;
  std::unique_ptr<
      grpc::ClientReaderWriter<v1::SignZoneRequest, v1::SignZoneResponse>>
      stream;
};

HeldSignStream::HeldSignStream(const std::string& socket_path,
                               const std::string& origin, int mebibytes)
    : call_(std::make_unique<Call>()) {
  call_->channel =
      NewChannel("unix:" + socket_path, grpc::InsecureChannelCredentials());
  call_->stub = v1::ZoneSigner::NewStub(call_->channel);
  call_->stream = call_->stub->SignZone(&call_->context);
  v1::SignZoneRequest options;
  options.mutable_options()->set_origin(origin);
  ok_ = call_->stream->Write(options);
  v1::SignZoneRequest chunk;
  for (int i = 0; ok_ && i < mebibytes; ++i) {
    // Distinct text per MiB, so nothing can share it.
    chunk.set_zone_chunk(std::string(1 << 20, static_cast<char>('a' + i % 26)));
    ok_ = call_->stream->Write(chunk);
  }
}

HeldSignStream::~HeldSignStream() {
  call_->context.TryCancel();
  call_->stream->Finish();
}

int ConnectAndHold(const std::string& host_port) {
  return ConnectTcp(host_port);
}

DisconnectingClient::DisconnectingClient(DaemonEndpoints endpoints)
    : endpoints_(std::move(endpoints)),
      ca_pem_(ReadFile(endpoints_.ca_file)),
      cert_pem_(ReadFile(endpoints_.cert_file)),
      key_pem_(ReadFile(endpoints_.key_file)) {}

std::string DisconnectingClient::DisconnectOnce(std::mt19937* rng,
                                                int forced_kind,
                                                int forced_tls) const {
  const bool tls = forced_tls >= 0 ? forced_tls == 1 : Uniform(rng, 0, 1) == 1;
  const std::string where = tls ? "tls " : "socket ";
  const int kind = forced_kind >= 0 ? forced_kind : Uniform(rng, 0, 9);

  if (kind == 0) {  // raw: nothing sent, or a TLS ClientHello cut short
    if (!tls) {
      const int fd = ConnectUnix(endpoints_.socket_path);
      if (fd >= 0) close(fd);
      return where + "raw-silent";
    }
    const std::string hello = ClientHello();
    const int fd = ConnectTcp(endpoints_.tcp_host_port);
    if (fd >= 0) {
      WriteAll(fd, hello.substr(0, Uniform(rng, 1, hello.size() - 1)));
      close(fd);
    }
    return where + "raw-client-hello-partial";
  }
  if (kind == 1) {  // raw: an HTTP/2 preface and a truncated frame
    const std::string h2 = PartialHttp2();
    const std::string cut = h2.substr(0, Uniform(rng, 1, h2.size()));
    if (!tls) {
      const int fd = ConnectUnix(endpoints_.socket_path);
      if (fd >= 0) {
        WriteAll(fd, cut);
        close(fd);
      }
      return where + "raw-h2-partial";
    }
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_use_certificate_file(ctx.get(), endpoints_.cert_file.c_str(),
                                 SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx.get(), endpoints_.key_file.c_str(),
                                SSL_FILETYPE_PEM);
    SSL_CTX_set_alpn_protos(
        ctx.get(), reinterpret_cast<const unsigned char*>("\x02h2"), 3);
    const int fd = ConnectTcp(endpoints_.tcp_host_port);
    if (fd >= 0) {
      std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
      SSL_set_fd(ssl.get(), fd);
      if (SSL_connect(ssl.get()) == 1) {
        SSL_write(ssl.get(), cut.data(), cut.size());
      }
      close(fd);  // no close_notify: the peer just goes
    }
    return where + "raw-h2-partial";
  }

  std::shared_ptr<grpc::Channel> channel =
      tls ? NewChannel(endpoints_.tcp_host_port,
                       grpc::SslCredentials({ca_pem_, key_pem_, cert_pem_}))
          : NewChannel("unix:" + endpoints_.socket_path,
                       grpc::InsecureChannelCredentials());

  // Connected before the call starts: a channel dropped while it still
  // connects can leave its socket open in this process (gRPC 1.51), which
  // would be a client that never went away, not one that disconnects.
  channel->WaitForConnected(std::chrono::system_clock::now() +
                            std::chrono::seconds(5));

  if (kind <= 4) {  // an admin RPC, left right after it started
    // Over TLS the caller is a signer: KeyAdmin refuses it, if it gets there.
    std::unique_ptr<v1::KeyAdmin::Stub> admin = v1::KeyAdmin::NewStub(channel);
    switch (kind) {
      case 2: {
        v1::ListKeysRequest request;
        request.set_zone(endpoints_.origin);
        LeaveUnary<v1::KeyList>(
            [&](grpc::ClientContext* c, grpc::CompletionQueue* cq) {
              return admin->PrepareAsyncListKeys(c, request, cq);
            },
            rng);
        return where + "admin-list-left";
      }
      case 3: {
        v1::StatusRequest request;
        LeaveUnary<v1::StatusReply>(
            [&](grpc::ClientContext* c, grpc::CompletionQueue* cq) {
              return admin->PrepareAsyncStatus(c, request, cq);
            },
            rng);
        return where + "admin-status-left";
      }
      default: {
        v1::CreateKeysRequest request;  // refused: no such algorithm
        request.set_what(v1::CreateKeysRequest::BOTH);
        request.set_algorithm(99);
        request.set_zone(endpoints_.origin);
        LeaveUnary<v1::KeyList>(
            [&](grpc::ClientContext* c, grpc::CompletionQueue* cq) {
              return admin->PrepareAsyncCreateKeys(c, request, cq);
            },
            rng);
        return where + "admin-create-refused-left";
      }
    }
  }

  // A SignZone stream cut short.
  std::unique_ptr<v1::ZoneSigner::Stub> signer =
      v1::ZoneSigner::NewStub(channel);
  auto context = std::make_unique<grpc::ClientContext>();
  auto stream = signer->SignZone(context.get());
  v1::SignZoneRequest options;
  options.mutable_options()->set_origin(endpoints_.origin);
  const std::string& zone = endpoints_.zone_text;
  constexpr int kChunks = 32;
  const size_t chunk_size = zone.size() / kChunks + 1;
  const bool whole_zone = kind >= 8;
  const int chunks = whole_zone ? kChunks : Uniform(rng, 0, kChunks - 1);
  bool writing = stream->Write(options);
  for (int i = 0; writing && i < chunks; ++i) {
    v1::SignZoneRequest chunk;
    chunk.set_zone_chunk(zone.substr(i * chunk_size, chunk_size));
    writing = stream->Write(chunk);
  }
  std::string what = where;
  if (!whole_zone) {
    what += "sign-cut-after-chunks";
  } else {
    stream->WritesDone();
    // Leave while keystored signs, or once some of the result has come.
    v1::SignZoneResponse response;
    const int reads = Uniform(rng, 0, 1);
    for (int i = 0; i < reads && stream->Read(&response); ++i) {
    }
    SleepMicros(Uniform(rng, 0, 20000));
    what += reads == 0 ? "sign-cut-while-signing" : "sign-cut-while-sending";
  }
  if (Uniform(rng, 0, 1) == 1) {
    context->TryCancel();
    stream->Finish();
    what += "-cancelled";
  } else {
    what += "-dropped";  // the call and the connection just go away
  }
  stream.reset();
  context.reset();
  signer.reset();
  channel.reset();
  return what;
}

}  // namespace zonekeep::testing
