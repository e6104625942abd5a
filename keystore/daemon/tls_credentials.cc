#include "keystore/daemon/tls_credentials.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace zonekeep {
namespace keystored {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& key,
                                    const std::string& path,
                                    const char* marker) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls: ", key, " ", path, ": cannot read"));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (!absl::StrContains(text.str(), marker)) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls: ", key, " ", path, ": no PEM ", marker, " in it"));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<std::string> RebuildTrustBundle(const v1::TlsConfig& tls,
                                               const std::string& bundle_path) {
  const std::string& anchor = tls.trust_anchor();
  struct stat st;
  if (stat(anchor.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls: trust-anchor ", anchor, ": no such file"));
  }
  if (!S_ISDIR(st.st_mode)) {
    absl::StatusOr<std::string> pem =
        ReadPem("trust-anchor", anchor, "-----BEGIN CERTIFICATE-----");
    if (!pem.ok()) return pem.status();
    return anchor;
  }
  std::vector<std::string> names;
  if (DIR* dir = opendir(anchor.c_str())) {
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') names.push_back(entry->d_name);
    }
    closedir(dir);
  }
  std::sort(names.begin(), names.end());
  std::string bundle;
  for (const std::string& name : names) {
    const std::string path = anchor + "/" + name;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    absl::StatusOr<std::string> pem =
        ReadPem("trust-anchor", path, "-----BEGIN CERTIFICATE-----");
    if (pem.ok()) bundle += *pem + "\n";
  }
  if (bundle.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tls: trust-anchor ", anchor, ": no PEM certificate in the directory"));
  }
  const std::string temp = bundle_path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << bundle;
    if (!out.flush()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tls: cannot write ", temp));
    }
  }
  if (rename(temp.c_str(), bundle_path.c_str()) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls: cannot rename ", temp, " to ", bundle_path));
  }
  return bundle_path;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const v1::TlsConfig& tls, const std::string& bundle_path) {
  if (tls.cert_file().empty()) return grpc::InsecureServerCredentials();
  if (absl::StatusOr<std::string> pem =
          ReadPem("cert-file", tls.cert_file(), "-----BEGIN CERTIFICATE-----");
      !pem.ok()) {
    return pem.status();
  }
  if (absl::StatusOr<std::string> pem =
          ReadPem("key-file", tls.key_file(), "PRIVATE KEY-----");
      !pem.ok()) {
    return pem.status();
  }
  absl::StatusOr<std::string> roots = RebuildTrustBundle(tls, bundle_path);
  if (!roots.ok()) return roots.status();
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          tls.key_file(), tls.cert_file(), *roots,
          static_cast<unsigned int>(tls.refresh_interval()));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  const bool required = !tls.has_cert_required() || tls.cert_required();
  options.set_cert_request_type(
      required ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
               : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace keystored
}  // namespace zonekeep
