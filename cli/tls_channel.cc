#include "cli/tls_channel.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace zonekeep {
namespace cli {
namespace {

// The file's text, or "FLAG FILE: cannot read (reason)" / "... no PEM ...".
absl::StatusOr<std::string> ReadPemFile(const std::string& flag,
                                        const std::string& path,
                                        const std::string& marker) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, ": cannot read (",
                     errno != 0 ? std::strerror(errno) : "open failed", ")"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, ": read error"));
  }
  if (!absl::StrContains(text.str(), marker)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", path, ": no PEM ",
        marker == "PRIVATE KEY-----" ? "private key" : "certificate",
        " in the file"));
  }
  return text.str();
}

// Checks locally what the server would refuse later with a less clear
// message: a key that is not --cert's, a certificate out of its validity.
absl::Status CheckClientCertificate(const TlsTarget& target,
                                    const std::string& cert_pem,
                                    const std::string& key_pem) {
  BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), cert_pem.size());
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), key_pem.size());
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  absl::Status status;
  if (cert == nullptr) {
    status = absl::InvalidArgumentError(absl::StrCat(
        "--cert ", target.cert_file, ": not a readable PEM certificate"));
  } else if (key == nullptr) {
    status = absl::InvalidArgumentError(absl::StrCat(
        "--key ", target.key_file,
        ": not a readable PEM private key (encrypted keys are not supported)"));
  } else if (X509_check_private_key(cert, key) != 1) {
    status = absl::InvalidArgumentError(
        absl::StrCat("--key ", target.key_file, " is not the key of --cert ",
                     target.cert_file));
  } else if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    status = absl::InvalidArgumentError(
        absl::StrCat("--cert ", target.cert_file,
                     " has expired; the server would refuse it"));
  } else if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    status = absl::InvalidArgumentError(
        absl::StrCat("--cert ", target.cert_file,
                     " is not valid yet; the server would refuse it"));
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return status;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectOverTls(
    const TlsTarget& target) {
  absl::StatusOr<std::string> roots =
      ReadPemFile("--ca", target.ca_file, "-----BEGIN CERTIFICATE-----");
  if (!roots.ok()) return roots.status();
  std::vector<grpc::experimental::IdentityKeyCertPair> identity;
  if (!target.cert_file.empty()) {
    absl::StatusOr<std::string> cert =
        ReadPemFile("--cert", target.cert_file, "-----BEGIN CERTIFICATE-----");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key =
        ReadPemFile("--key", target.key_file, "PRIVATE KEY-----");
    if (!key.ok()) return key.status();
    if (absl::Status s = CheckClientCertificate(target, *cert, *key); !s.ok()) {
      return s;
    }
    identity.push_back({*std::move(key), *std::move(cert)});
  }
  const bool mutual = !identity.empty();
  auto provider =
      std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
          *roots, identity);
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();  // --ca only: never the system roots
  if (mutual) options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  options.set_check_call_host(true);
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::experimental::TlsCredentials(options);
  if (credentials == nullptr) {
    return absl::InvalidArgumentError(
        "cannot set up TLS with --ca, --cert and --key");
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(8 << 20);
  return grpc::CreateCustomChannel(target.server, credentials, args);
}

std::string DescribeTlsRpcError(const grpc::Status& status,
                                const TlsTarget& target) {
  const std::string& message = status.error_message();
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return message;
  const std::string prefix =
      absl::StrCat("cannot sign at ", target.server, ": ");
  if (absl::StrContains(message, "CERTIFICATE_VERIFY_FAILED") ||
      absl::StrContains(message, "certificate verify failed") ||
      absl::StrContains(message, "Handshaker: SSL_ERROR_SSL") &&
          absl::StrContains(message, "verif")) {
    return absl::StrCat(
        prefix, "the server's certificate is not signed by --ca ",
        target.ca_file, " (or does not name ", target.server, ")");
  }
  if (absl::StrContains(message, "ALERT") ||
      absl::StrContains(message, "alert") ||
      absl::StrContains(message, "Socket closed") ||
      absl::StrContains(message, "Connection reset") ||
      absl::StrContains(message, "handshake")) {
    return absl::StrCat(
        prefix,
        target.cert_file.empty()
            ? "the TLS handshake was refused; the server likely requires a "
              "client certificate (--cert and --key)"
            : absl::StrCat("the server did not accept our certificate ",
                           target.cert_file,
                           " (not signed by its trust anchor, expired, not "
                           "yet valid, or --key does not match)"));
  }
  if (absl::StrContains(message, "Connection refused") ||
      absl::StrContains(message, "connect")) {
    return absl::StrCat(prefix, "nothing answers (", message, ")");
  }
  return absl::StrCat(prefix, message);
}

}  // namespace cli
}  // namespace zonekeep
