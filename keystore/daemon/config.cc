#include "keystore/daemon/config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace zonekeep {
namespace keystored {
namespace {

bool IsLoopbackListen(const std::string& listen) {
  return absl::StartsWith(listen, "127.") ||
         absl::StartsWith(listen, "localhost:") ||
         absl::StartsWith(listen, "[::1]:");
}

absl::Status CheckConfig(const v1::KeystoredConfig& config,
                         const std::string& source) {
  const v1::TlsConfig& tls = config.tls();
  const int tls_files_set = !tls.trust_anchor().empty() +
                            !tls.cert_file().empty() + !tls.key_file().empty();
  if (tls_files_set != 0 && tls_files_set != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        source,
        ": tls: trust-anchor, cert-file and key-file must be all set or all "
        "unset"));
  }
  if (tls_files_set == 0 && tls.has_cert_required()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": tls: cert-required given without TLS files"));
  }
  if (!config.listen().empty() && tls_files_set == 0 &&
      !IsLoopbackListen(config.listen())) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": listen ", config.listen(),
                     " is not a loopback address: configure tls for it"));
  }
  for (const v1::ClientConfig& client : config.clients()) {
    if (client.identity().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": clients: an entry has no identity"));
    }
    if (client.role() != "admin" && client.role() != "signer") {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": clients: ", client.identity(), ": role \"",
                       client.role(), "\" is not admin or signer"));
    }
  }
  if (config.has_propagation_delay() && config.propagation_delay() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": propagation-delay must not be negative"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::KeystoredConfig> ParseConfig(
    const std::string& json, const std::string& source,
    const std::string& state_dir_override) {
  v1::KeystoredConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(json, &config, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", std::string(parsed.message())));
  }
  if (absl::Status s = CheckConfig(config, source); !s.ok()) return s;
  if (!state_dir_override.empty()) config.set_state_dir(state_dir_override);
  if (config.state_dir().empty()) config.set_state_dir(kDefaultStateDir);
  if (config.admin_socket().empty()) {
    config.set_admin_socket(
        absl::StrCat(config.state_dir(), "/", kAdminSocketName));
  }
  if (!config.has_propagation_delay()) {
    config.set_propagation_delay(kDefaultPropagationDelaySeconds);
  }
  return config;
}

absl::StatusOr<v1::KeystoredConfig> LoadConfig(
    const std::string& config_path, const std::string& state_dir_override) {
  if (config_path.empty()) {
    return ParseConfig("{}", "embedded default", state_dir_override);
  }
  std::ifstream in(config_path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(config_path, ": cannot read configuration file"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), config_path, state_dir_override);
}

}  // namespace keystored
}  // namespace zonekeep
