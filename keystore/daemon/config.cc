#include "keystore/daemon/config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dnssec/name.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "keystore/dns_observer.h"

namespace zonekeep {
namespace keystored {
namespace {

// The host of `listen` is an IPv4 address in 127.0.0.0/8, "localhost" or
// [::1]. A name such as 127.0.0.1.example.net is not: it may resolve anywhere.
bool IsLoopbackListen(const std::string& listen) {
  const std::string host = listen.substr(0, listen.rfind(':'));
  if (host == "localhost" || host == "[::1]") return true;
  in_addr v4{};
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 &&
         (ntohl(v4.s_addr) >> 24) == 127;
}

// HOST:PORT or [IPV6]:PORT, port 0-65535 (0: any free port, logged).
bool IsHostPort(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  const std::string host = listen.substr(0, colon);
  int port = 0;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return false;
  }
  if (host.front() == '[') return host.size() > 2 && host.back() == ']';
  return host.find(':') == std::string::npos;
}

void CheckNotNegative(bool has, int64_t value, const std::string& key,
                      std::vector<std::string>& problems) {
  if (has && value < 0) {
    problems.push_back(absl::StrCat(key, " must not be negative"));
  }
}

void CheckSigningPolicy(const v1::SigningPolicyConfig& policy,
                        const std::string& where,
                        std::vector<std::string>& problems) {
  CheckNotNegative(policy.has_max_validity(), policy.max_validity(),
                   where + "max-validity", problems);
  if (policy.has_max_validity() && policy.max_validity() == 0) {
    problems.push_back(where + "max-validity must be above 0");
  }
  CheckNotNegative(policy.has_inception_margin(), policy.inception_margin(),
                   where + "inception-margin", problems);
  CheckNotNegative(policy.has_max_jitter(), policy.max_jitter(),
                   where + "max-jitter", problems);
  CheckNotNegative(policy.has_max_refresh(), policy.max_refresh(),
                   where + "max-refresh", problems);
}

bool UserExists(const std::string& user) {
  std::vector<char> buf(16384);
  passwd entry;
  passwd* found = nullptr;
  return getpwnam_r(user.c_str(), &entry, buf.data(), buf.size(), &found) ==
             0 &&
         found != nullptr;
}

// A TLS client certificate's name: a DNS host name of two labels or more
// (letters, digits, hyphens), as in its SAN or CN.
bool IsDnsIdentity(const std::string& identity) {
  if (!dnssec::NormalizeZoneName(identity).ok()) return false;
  std::string name = identity;
  if (!name.empty() && name.back() == '.') name.pop_back();
  const std::vector<std::string> labels = absl::StrSplit(name, '.');
  if (labels.size() < 2) return false;
  for (const std::string& label : labels) {
    if (label.empty() || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') return false;
    }
  }
  return true;
}

// The problems of one "clients" entry, each a phrase after "SOURCE: ".
void CheckClient(const v1::ClientConfig& client, int index,
                 std::vector<std::string>& problems) {
  const std::string& identity = client.identity();
  const std::string who = identity.empty()
                              ? absl::StrCat("clients[", index, "]")
                              : absl::StrCat("clients: \"", identity, "\"");
  if (identity.empty()) {
    problems.push_back(absl::StrCat(who, ": \"identity\" is missing"));
  } else if (identity == kAnonymousTcpIdentity) {
    // Callers over plaintext TCP on loopback (no TLS): allowed by name.
  } else if (absl::StartsWith(identity, "unix:")) {
    const std::string user = identity.substr(5);
    if (user.empty()) {
      problems.push_back(absl::StrCat(who, ": unix: needs a user name"));
    } else if (!UserExists(user)) {
      problems.push_back(
          absl::StrCat(who, ": there is no user \"", user,
                       "\" on this machine (identity: unix:USER)"));
    }
  } else if (!IsDnsIdentity(identity)) {
    problems.push_back(absl::StrCat(
        who,
        ": identity is neither unix:USER (a local user on the admin socket) "
        "nor the DNS name of a TLS client certificate; for a local user write "
        "\"unix:",
        identity, "\""));
  }
  if (client.role() != "admin" && client.role() != "signer") {
    problems.push_back(absl::StrCat(who, ": role \"", client.role(),
                                    "\" is not admin or signer"));
  }
  if (client.role() == "admin" && client.zones_size() > 0) {
    problems.push_back(absl::StrCat(
        who,
        ": \"zones\" is given for an admin, who manages every zone: remove "
        "\"zones\", or make the role \"signer\""));
  }
  for (const std::string& zone : client.zones()) {
    absl::StatusOr<std::string> normal = dnssec::NormalizeZoneName(zone);
    if (!normal.ok()) {
      problems.push_back(
          absl::StrCat(who, ": zones: \"", zone,
                       "\" is not a zone name: ", normal.status().message()));
    }
  }
  CheckSigningPolicy(client.signing_policy(),
                     absl::StrCat(who, ": signing-policy: "), problems);
}

// The problems of one "zones" entry, each a phrase after "SOURCE: ".
void CheckZoneDns(const v1::ZoneDnsConfig& zone, int index,
                  std::set<std::string>& seen,
                  std::vector<std::string>& problems) {
  const std::string who = absl::StrCat("zones[", index, "]");
  absl::StatusOr<std::string> name = dnssec::NormalizeZoneName(zone.zone());
  if (zone.zone().empty()) {
    problems.push_back(absl::StrCat(who, ": \"zone\" is missing"));
  } else if (!name.ok()) {
    problems.push_back(absl::StrCat(who, ": zone \"", zone.zone(),
                                    "\" is not a valid zone name"));
  } else if (!seen.insert(*name).second) {
    problems.push_back(
        absl::StrCat(who, ": zone ", *name, " is configured twice"));
  }
  auto check =
      [&](const char* key,
          const google::protobuf::RepeatedPtrField<std::string>& list) {
        for (const std::string& address : list) {
          absl::StatusOr<keystore::ServerAddress> parsed =
              keystore::ParseServerAddress(address);
          if (!parsed.ok()) {
            problems.push_back(
                absl::StrCat(who, ": ", key, ": ", parsed.status().message()));
          }
        }
      };
  check("parent-agents", zone.parent_agents());
  check("zone-servers", zone.zone_servers());
}

std::vector<std::string> Problems(const v1::KeystoredConfig& config) {
  std::vector<std::string> problems;
  const v1::TlsConfig& tls = config.tls();
  const int tls_files_set = !tls.trust_anchor().empty() +
                            !tls.cert_file().empty() + !tls.key_file().empty();
  if (tls_files_set != 0 && tls_files_set != 3) {
    std::vector<std::string> missing;
    if (tls.trust_anchor().empty()) missing.push_back("trust-anchor");
    if (tls.cert_file().empty()) missing.push_back("cert-file");
    if (tls.key_file().empty()) missing.push_back("key-file");
    problems.push_back(absl::StrCat(
        "tls: ", absl::StrJoin(missing, " and "),
        " missing: trust-anchor, cert-file and key-file must be all set or "
        "all unset"));
  }
  if (tls_files_set == 0 && tls.has_cert_required()) {
    problems.push_back("tls: cert-required given without TLS files");
  }
  if (!config.listen().empty() && tls_files_set == 0 &&
      !IsLoopbackListen(config.listen())) {
    problems.push_back(absl::StrCat("listen ", config.listen(),
                                    " is not a loopback address: configure "
                                    "tls for it"));
  }
  if (!config.listen().empty() && !IsHostPort(config.listen())) {
    problems.push_back(absl::StrCat("listen \"", config.listen(),
                                    "\" is not HOST:PORT or [IPV6]:PORT"));
  }
  if (tls.has_refresh_interval() && tls.refresh_interval() <= 0) {
    problems.push_back("tls: refresh-interval must be above 0 (seconds)");
  }
  if (tls_files_set == 0 && tls.has_refresh_interval()) {
    problems.push_back("tls: refresh-interval given without TLS files");
  }
  if (config.has_max_sign_jobs() && config.max_sign_jobs() < 1) {
    problems.push_back("max-sign-jobs must be 1 or more");
  }
  if (config.has_max_zone_bytes() && config.max_zone_bytes() < 1) {
    problems.push_back("max-zone-bytes must be 1 or more");
  }
  struct Cap {
    const char* key;
    bool set;
    int64_t value;
  };
  const Cap caps[] = {
      {"max-records", config.has_max_records(), config.max_records()},
      {"max-name-labels", config.has_max_name_labels(),
       config.max_name_labels()},
      {"max-signatures", config.has_max_signatures(), config.max_signatures()},
      {"max-sign-jobs-per-identity", config.has_max_sign_jobs_per_identity(),
       config.max_sign_jobs_per_identity()},
      {"max-connections-per-identity",
       config.has_max_connections_per_identity(),
       config.max_connections_per_identity()},
      {"idle-timeout", config.has_idle_timeout(), config.idle_timeout()}};
  for (const Cap& cap : caps) {
    if (cap.set && cap.value < 1) {
      problems.push_back(absl::StrCat(cap.key, " must be 1 or more"));
    }
  }
  CheckNotNegative(config.has_shutdown_grace(), config.shutdown_grace(),
                   "shutdown-grace", problems);
  CheckSigningPolicy(config.signing_policy(), "signing-policy: ", problems);
  for (int i = 0; i < config.clients_size(); ++i) {
    CheckClient(config.clients(i), i, problems);
  }
  if (config.has_propagation_delay() && config.propagation_delay() < 0) {
    problems.push_back("propagation-delay must not be negative");
  }
  if (config.has_purge_min_age() && config.purge_min_age() < 0) {
    problems.push_back("purge-min-age must not be negative");
  }
  if (config.has_audit_refusal_interval() &&
      config.audit_refusal_interval() < 0) {
    problems.push_back("audit-refusal-interval must not be negative");
  }
  if (config.has_check_interval() && config.check_interval() < 1) {
    problems.push_back("check-interval must be at least 1 (seconds)");
  }
  std::set<std::string> zones_seen;
  for (int i = 0; i < config.zones_size(); ++i) {
    CheckZoneDns(config.zones(i), i, zones_seen, problems);
  }
  return problems;
}

bool IsNameChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

// Protobuf's JSON parser names fields as declared in config.proto
// ("propagation_delay"); the operator wrote the JSON key
// ("propagation-delay").
std::string WithJsonKeys(std::string message) {
  std::vector<std::pair<std::string, std::string>> names;
  for (const google::protobuf::Descriptor* type :
       {v1::KeystoredConfig::descriptor(), v1::TlsConfig::descriptor(),
        v1::ClientConfig::descriptor(), v1::SigningPolicyConfig::descriptor(),
        v1::ZoneDnsConfig::descriptor()}) {
    for (int i = 0; i < type->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = type->field(i);
      if (field->name() != field->json_name()) {
        names.emplace_back(field->name(), field->json_name());
      }
    }
  }
  for (const auto& [name, json] : names) {
    size_t at = 0;
    while ((at = message.find(name, at)) != std::string::npos) {
      const size_t end = at + name.size();
      if ((at > 0 && IsNameChar(message[at - 1])) ||
          (end < message.size() && IsNameChar(message[end]))) {
        at = end;
        continue;
      }
      message.replace(at, name.size(), json);
      at += json.size();
    }
  }
  return message;
}

absl::Status ProblemsStatus(const std::vector<std::string>& problems,
                            const std::string& source) {
  std::vector<std::string> lines;
  for (const std::string& problem : problems) {
    lines.push_back(absl::StrCat(source, ": ", problem));
  }
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
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
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": ", WithJsonKeys(std::string(parsed.message()))));
  }
  const std::vector<std::string> problems = Problems(config);
  if (!problems.empty()) return ProblemsStatus(problems, source);
  if (!state_dir_override.empty()) config.set_state_dir(state_dir_override);
  if (config.state_dir().empty()) config.set_state_dir(kDefaultStateDir);
  if (config.admin_socket().empty()) {
    config.set_admin_socket(
        absl::StrCat(config.state_dir(), "/", kAdminSocketName));
  }
  if (!config.has_propagation_delay()) {
    config.set_propagation_delay(kDefaultPropagationDelaySeconds);
  }
  if (!config.has_purge_min_age()) {
    config.set_purge_min_age(kDefaultPurgeMinAgeSeconds);
  }
  if (!config.has_audit_refusal_interval()) {
    config.set_audit_refusal_interval(kDefaultAuditRefusalIntervalSeconds);
  }
  if (!config.has_max_sign_jobs())
    config.set_max_sign_jobs(kDefaultMaxSignJobs);
  if (!config.has_max_zone_bytes()) {
    config.set_max_zone_bytes(kDefaultMaxZoneBytes);
  }
  if (!config.has_shutdown_grace()) {
    config.set_shutdown_grace(kDefaultShutdownGraceSeconds);
  }
  if (!config.has_max_records()) config.set_max_records(kDefaultMaxRecords);
  if (!config.has_max_name_labels()) {
    config.set_max_name_labels(kDefaultMaxNameLabels);
  }
  if (!config.has_max_signatures()) {
    config.set_max_signatures(kDefaultMaxSignatures);
  }
  if (!config.has_max_sign_jobs_per_identity()) {
    config.set_max_sign_jobs_per_identity(kDefaultMaxSignJobsPerIdentity);
  }
  if (!config.has_max_connections_per_identity()) {
    config.set_max_connections_per_identity(kDefaultMaxConnectionsPerIdentity);
  }
  if (!config.has_idle_timeout()) {
    config.set_idle_timeout(kDefaultIdleTimeoutSeconds);
  }
  if (!config.tls().cert_file().empty() &&
      !config.tls().has_refresh_interval()) {
    config.mutable_tls()->set_refresh_interval(kDefaultTlsRefreshSeconds);
  }
  if (!config.has_check_interval()) {
    config.set_check_interval(kDefaultCheckIntervalSeconds);
  }
  for (v1::ZoneDnsConfig& zone : *config.mutable_zones()) {
    zone.set_zone(*dnssec::NormalizeZoneName(zone.zone()));
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
