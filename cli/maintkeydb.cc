#include "cli/maintkeydb.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/command_words.h"
#include "cli/daemon_client.h"
#include "cli/json_output.h"
#include "cli/key_listing.h"
#include "cli/maintkeydb_usage.h"
#include "dnssec/algorithm.h"
#include "dnssec/digest_type.h"
#include "dnssec/key_actions.h"
#include "dnssec/name.h"

namespace zonekeep {
namespace cli {
namespace {

using Args = std::vector<std::string>;

// ZONE ALG KEYID, checked here so that no bad request reaches the daemon.
absl::StatusOr<v1::KeyRef> ParseKeyRef(const Args& args) {
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(args[0]);
  if (!zone.ok()) return zone.status();
  absl::StatusOr<dnssec::Algorithm> algorithm = dnssec::ParseAlgorithm(args[1]);
  if (!algorithm.ok()) return algorithm.status();
  uint32_t key_id = 0;
  if (!absl::SimpleAtoi(args[2], &key_id) || key_id > 0xffff) {
    return absl::InvalidArgumentError(
        absl::StrCat("KEYID \"", args[2], "\" is not a key tag (0-65535)"));
  }
  v1::KeyRef ref;
  ref.set_zone(*zone);
  ref.set_algorithm(static_cast<uint32_t>(*algorithm));
  ref.set_key_tag(key_id);
  return ref;
}

constexpr uint32_t kDefaultAuditLimit = 100;
constexpr uint32_t kMaxAuditLimit = 1000000;

// --since: RFC 3339 ("2026-11-30T10:00:00Z"), a UTC date ("2026-11-30"), or
// an age before `now` ("90s", "30m", "2h", "3d", "1w").
absl::StatusOr<absl::Time> ParseSince(const std::string& text, absl::Time now) {
  absl::Time time;
  std::string ignored;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &ignored) ||
      absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &ignored)) {
    return time;
  }
  if (text.size() >= 2) {
    int64_t count = 0;
    const char unit = text.back();
    const int64_t seconds = unit == 's'   ? 1
                            : unit == 'm' ? 60
                            : unit == 'h' ? 3600
                            : unit == 'd' ? 86400
                            : unit == 'w' ? 7 * 86400
                                          : 0;
    if (seconds != 0 &&
        absl::SimpleAtoi(text.substr(0, text.size() - 1), &count) &&
        count >= 0 && count < int64_t{1} << 32) {
      return now - absl::Seconds(count * seconds);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text,
                   "\" is not a time: give 2026-11-30T10:00:00Z, 2026-11-30 "
                   "or an age such as 2h or 3d"));
}

}  // namespace

int MaintKeyDb::Fail(const std::string& what) {
  err_ << "maintkeydb: " << what << "\n";
  return 1;
}

int MaintKeyDb::UsageError(const std::string& command,
                           const std::string& what) {
  err_ << "maintkeydb: " << what << "\n"
       << "usage: " << CommandSynopsis(command) << " (more: " << HelpPrefix()
       << "help " << command << ")\n";
  return kExitUsage;
}

int MaintKeyDb::UnknownCommand(const std::string& word) {
  const std::string suggestion = SuggestCommand(word);
  err_ << "maintkeydb: unknown command \"" << word
       << "\"; try: " << HelpPrefix() << "help"
       << (suggestion.empty() ? "" : " " + suggestion) << "\n";
  return kExitUsage;
}

std::string MaintKeyDb::HelpPrefix() const {
  return in_shell_ ? "" : "maintkeydb ";
}

int MaintKeyDb::RpcFailed(const grpc::Status& status) {
  return Fail(DescribeRpcError(status, socket_path_));
}

v1::KeyAdmin::Stub* MaintKeyDb::Stub() {
  if (stub_ == nullptr) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        ConnectToDaemon(socket_path_);
    if (!channel.ok()) {
      Fail(std::string(channel.status().message()));
      return nullptr;
    }
    stub_ = v1::KeyAdmin::NewStub(*channel);
  }
  return stub_.get();
}

int MaintKeyDb::Run(const Args& words) {
  if (words.empty()) return 0;
  const std::string& command = words[0];
  const Args args(words.begin() + 1, words.end());
  if (command == "help") return Help(args);
  if (CommandUsage(command).empty()) return UnknownCommand(command);
  if (args.size() == 1 && args[0] == "help") {
    out_ << CommandUsage(command);
    return 0;
  }
  if (command == "create") return Create(args);
  if (command == "delete_id") return DeleteId(args);
  if (command == "delete_name") return DeleteName(args);
  if (command == "undelete") return Undelete(args);
  if (command == "list") return List(args);
  if (command == "rollover") return Rollover(args);
  if (command == "parentdata") return ParentData(args);
  if (command == "showkeys") return ShowKeys(args);
  if (command == "import") return Import(args);
  if (command == "status") return Status(args);
  if (command == "stats") return Stats(args);
  if (command == "expire") return KeyRefCommand("expire", args);
  if (command == "purge") return Purge(args);
  if (command == "cds-delete") return CdsDelete(args);
  if (command == "rotate-master-key") return RotateMasterKey(args);
  if (command == "backup") return Backup(args);
  return Audit(args);
}

int MaintKeyDb::Help(const Args& args) {
  if (args.empty()) {
    out_ << AllUsage();
    return 0;
  }
  const std::string usage = CommandUsage(args[0]);
  if (usage.empty()) return UnknownCommand(args[0]);
  out_ << usage;
  return 0;
}

int MaintKeyDb::Create(const Args& args) {
  if (args.size() != 4) return UsageError("create", "create takes 4 arguments");
  v1::CreateKeysRequest request;
  absl::StatusOr<dnssec::CreateWhat> what = dnssec::ParseCreateWhat(args[0]);
  if (!what.ok()) {
    return UsageError("create",
                      absl::StrCat("create: ", what.status().message()));
  }
  switch (*what) {
    case dnssec::CreateWhat::kBoth:
      request.set_what(v1::CreateKeysRequest::BOTH);
      break;
    case dnssec::CreateWhat::kKsk:
      request.set_what(v1::CreateKeysRequest::KSK);
      break;
    case dnssec::CreateWhat::kZsk:
      request.set_what(v1::CreateKeysRequest::ZSK);
      break;
  }
  absl::StatusOr<dnssec::Algorithm> algorithm = dnssec::ParseAlgorithm(args[1]);
  if (!algorithm.ok()) {
    return UsageError("create", std::string(algorithm.status().message()));
  }
  std::optional<int> bits;
  if (args[2] != "-") {
    int value = 0;
    if (!absl::SimpleAtoi(args[2], &value) || value <= 0) {
      return UsageError(
          "create", absl::StrCat("create: BITS \"", absl::CHexEscape(args[2]),
                                 "\" is not a number or -"));
    }
    bits = value;
  }
  absl::StatusOr<int> resolved = dnssec::ResolveKeyBits(*algorithm, bits);
  if (!resolved.ok()) return Fail(std::string(resolved.status().message()));
  if (!dnssec::IsAllowedForNewKeys(*algorithm)) {
    return Fail(absl::StrCat(dnssec::AlgorithmName(*algorithm),
                             " is accepted for imported keys only"));
  }
  absl::StatusOr<std::string> zone = dnssec::CheckDelegatableZoneName(args[3]);
  if (!zone.ok())
    return UsageError("create", std::string(zone.status().message()));
  request.set_algorithm(static_cast<uint32_t>(*algorithm));
  request.set_bits(dnssec::IsRsa(*algorithm) ? *resolved : 0);
  request.set_zone(*zone);
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::KeyList response;
  grpc::Status status = stub->CreateKeys(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  out_ << FormatKeyTable(response);
  return 0;
}

namespace {

// Removes "--force" from `args`; true when it was there.
bool TakeForce(Args& args) {
  const auto end = std::remove(args.begin(), args.end(), "--force");
  const bool found = end != args.end();
  args.erase(end, args.end());
  return found;
}

}  // namespace

int MaintKeyDb::DeleteId(const Args& args) {
  return KeyRefCommand("delete_id", args);
}

int MaintKeyDb::DeleteName(const Args& in_args) {
  Args args = in_args;
  const bool force = TakeForce(args);
  if (args.size() != 1) {
    return UsageError("delete_name", "delete_name takes ZONE [--force]");
  }
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(args[0]);
  if (!zone.ok()) {
    return UsageError("delete_name", std::string(zone.status().message()));
  }
  v1::ZoneRef request;
  request.set_zone(*zone);
  request.set_force(force);
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::KeyList response;
  grpc::Status status = stub->DeleteZone(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  out_ << "moved to the expired-keys bin:\n" << FormatKeyTable(response);
  return 0;
}

int MaintKeyDb::Undelete(const Args& args) {
  return KeyRefCommand("undelete", args);
}

int MaintKeyDb::KeyRefCommand(const std::string& command, const Args& in_args) {
  Args args = in_args;
  const bool forcible = command == "delete_id" || command == "expire";
  const bool force = forcible && TakeForce(args);
  if (args.size() != 3) {
    return UsageError(command, forcible
                                   ? command + " takes ZONE ALG KEYID [--force]"
                                   : command + " takes ZONE ALG KEYID");
  }
  absl::StatusOr<v1::KeyRef> ref = ParseKeyRef(args);
  if (!ref.ok())
    return UsageError(command, std::string(ref.status().message()));
  ref->set_force(force);
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::KeyList response;
  const bool undelete = command == "undelete";
  grpc::Status status = undelete ? stub->UndeleteKey(&context, *ref, &response)
                        : command == "expire"
                            ? stub->ExpireKey(&context, *ref, &response)
                            : stub->DeleteKey(&context, *ref, &response);
  if (!status.ok()) return RpcFailed(status);
  out_ << (undelete ? "restored:\n" : "moved to the expired-keys bin:\n")
       << FormatKeyTable(response);
  return 0;
}

int MaintKeyDb::List(const Args& args) {
  v1::ListKeysRequest request;
  bool all = false;
  bool json = false;
  for (const std::string& arg : args) {
    if (arg == "--all" || arg == "-a") {
      all = true;
    } else if (arg == "--json") {
      json = true;
    } else if (request.zone().empty() && arg[0] != '-') {
      absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(arg);
      if (!zone.ok()) {
        return UsageError("list", std::string(zone.status().message()));
      }
      request.set_zone(*zone);
    } else {
      return UsageError("list", absl::StrCat("list: unexpected \"", arg, "\""));
    }
  }
  // The bin is always asked for: it tells a zone with only expired keys
  // from a zone that does not exist.
  request.set_include_deleted(true);
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::KeyList response;
  grpc::Status status = stub->ListKeys(&context, request, &response);
  // keystored says NOT_FOUND for a zone it has never had keys for.
  const bool unknown_zone = !request.zone().empty() &&
                            status.error_code() == grpc::StatusCode::NOT_FOUND;
  if (!status.ok() && !unknown_zone) return RpcFailed(status);
  v1::KeyList shown;
  shown.set_server_time_unix(unknown_zone ? absl::ToUnixSeconds(absl::Now())
                                          : response.server_time_unix());
  for (const v1::Key& key : response.keys()) {
    if (all || !key.deleted()) *shown.add_keys() = key;
  }
  int result = kExitOk;
  if (!request.zone().empty() && shown.keys().empty()) {
    if (response.keys().empty()) {
      err_ << "maintkeydb: no zone " << request.zone()
           << " in the key store; create its keys with: " << HelpPrefix()
           << "create both ALG BITS " << request.zone() << "\n";
      result = kExitUnknownZone;
    } else {
      err_ << "maintkeydb: " << request.zone() << " has no live keys, only "
           << response.keys_size()
           << " in the expired-keys bin; see them with: " << HelpPrefix()
           << "list --all " << request.zone()
           << " (undelete brings one back)\n";
      result = kExitNoLiveKeys;
    }
  }
  if (json) {
    out_ << FormatKeysJson(shown);
  } else if (result == kExitOk) {
    out_ << FormatKeyTable(shown);
  }
  return result;
}

int MaintKeyDb::Rollover(const Args& in_args) {
  Args args;
  bool force = false;
  for (const std::string& arg : in_args) {
    if (arg == "--force") {
      force = true;
    } else {
      args.push_back(arg);
    }
  }
  if (args.size() != 3) {
    return UsageError("rollover", "rollover takes a stage, ALG and ZONE");
  }
  v1::RolloverRequest request;
  absl::StatusOr<dnssec::RolloverStage> stage =
      dnssec::ParseRolloverStage(args[0]);
  if (!stage.ok()) {
    return UsageError("rollover",
                      absl::StrCat("rollover: ", stage.status().message()));
  }
  switch (*stage) {
    case dnssec::RolloverStage::kZskStage1:
      request.set_stage(v1::RolloverRequest::ZSK_STAGE1);
      break;
    case dnssec::RolloverStage::kZskStage2:
      request.set_stage(v1::RolloverRequest::ZSK_STAGE2);
      break;
    case dnssec::RolloverStage::kKskStage1:
      request.set_stage(v1::RolloverRequest::KSK_STAGE1);
      break;
    case dnssec::RolloverStage::kKskStage2:
      request.set_stage(v1::RolloverRequest::KSK_STAGE2);
      break;
    case dnssec::RolloverStage::kZskUndo:
      request.set_stage(v1::RolloverRequest::ZSK_UNDO);
      break;
    case dnssec::RolloverStage::kKskUndo:
      request.set_stage(v1::RolloverRequest::KSK_UNDO);
      break;
  }
  absl::StatusOr<dnssec::Algorithm> algorithm = dnssec::ParseAlgorithm(args[1]);
  if (!algorithm.ok()) {
    return UsageError("rollover", std::string(algorithm.status().message()));
  }
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(args[2]);
  if (!zone.ok()) {
    return UsageError("rollover", std::string(zone.status().message()));
  }
  request.set_algorithm(static_cast<uint32_t>(*algorithm));
  request.set_zone(*zone);
  request.set_force(force);
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::KeyList response;
  grpc::Status status = stub->Rollover(&context, request, &response);
  if (!status.ok()) {
    return Fail(
        absl::StrCat("rollover ", dnssec::RolloverStageName(*stage),
                     " refused: ", DescribeRpcError(status, socket_path_)));
  }
  out_ << FormatKeyTable(response);
  return 0;
}

int MaintKeyDb::ParentData(const Args& args) {
  if (args.size() != 2 && args.size() != 3) {
    return UsageError("parentdata", "parentdata takes {key|ds} ZONE [DIGEST]");
  }
  v1::ParentDataRequest request;
  const std::string kind = absl::AsciiStrToLower(args[0]);
  if (kind == "key") {
    request.set_kind(v1::ParentDataRequest::KEY);
  } else if (kind == "ds") {
    request.set_kind(v1::ParentDataRequest::DS);
  } else {
    return UsageError("parentdata", absl::StrCat("parentdata: \"", args[0],
                                                 "\" is not key or ds"));
  }
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(args[1]);
  if (!zone.ok()) {
    return UsageError("parentdata", std::string(zone.status().message()));
  }
  request.set_zone(*zone);
  if (args.size() == 3) {
    if (request.kind() != v1::ParentDataRequest::DS) {
      return UsageError("parentdata", "a DIGEST goes with parentdata ds only");
    }
    absl::StatusOr<dnssec::DigestType> digest =
        dnssec::ParseDigestType(args[2]);
    if (!digest.ok()) {
      return UsageError("parentdata", std::string(digest.status().message()));
    }
    request.set_digest_type(static_cast<uint32_t>(*digest));
  }
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::RecordText response;
  grpc::Status status = stub->ParentData(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  out_ << response.text();
  return 0;
}

int MaintKeyDb::ShowKeys(const Args& args) {
  v1::ShowKeysRequest request;
  Args rest = args;
  if (!rest.empty() && absl::AsciiStrToLower(rest[0]) == "ds") {
    request.set_ds(true);
    rest.erase(rest.begin());
  }
  if (rest.size() != 1) {
    return UsageError("showkeys", "showkeys takes [ds] and a ZONE");
  }
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(rest[0]);
  if (!zone.ok()) {
    return UsageError("showkeys", std::string(zone.status().message()));
  }
  request.set_zone(*zone);
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::RecordText response;
  grpc::Status status = stub->ShowKeys(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  out_ << response.text();
  return 0;
}

int MaintKeyDb::Import(const Args& args) {
  if (args.size() != 2 && args.size() != 3) {
    return UsageError("import", "import takes ZONE, KEYFILE-BASE and a state");
  }
  absl::StatusOr<std::string> zone = dnssec::CheckDelegatableZoneName(args[0]);
  if (!zone.ok()) {
    return UsageError("import", std::string(zone.status().message()));
  }
  v1::ImportKeyRequest request;
  request.set_zone(*zone);
  // keystored reads it, relative to its import-dir.
  request.set_key_file_base(args[1]);
  request.set_state(v1::PUBLISHED);
  if (args.size() == 3) {
    const std::string state = absl::AsciiStrToLower(args[2]);
    if (state == "active") {
      request.set_state(v1::ACTIVE);
    } else if (state != "published") {
      return UsageError(
          "import", absl::StrCat("import: state \"", absl::CHexEscape(args[2]),
                                 "\" is not active or published"));
    }
  }
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::KeyList response;
  grpc::Status status = stub->ImportKey(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  out_ << "imported:\n" << FormatKeyTable(response);
  return 0;
}

int MaintKeyDb::Audit(const Args& args) {
  v1::AuditRequest request;
  bool json = false;
  uint32_t limit = kDefaultAuditLimit;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string name = arg.substr(0, arg.find('='));
    std::string value;
    if (name == "--limit" || name == "--since") {
      if (arg.size() > name.size()) {
        value = arg.substr(name.size() + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return UsageError("audit",
                          absl::StrCat("audit: ", name, " needs a value"));
      }
    }
    if (arg == "--json") {
      json = true;
    } else if (name == "--limit") {
      if (!absl::SimpleAtoi(value, &limit) || limit == 0 ||
          limit > kMaxAuditLimit) {
        return UsageError("audit", absl::StrCat("audit: --limit \"", value,
                                                "\" is not a number from 1 to ",
                                                kMaxAuditLimit));
      }
    } else if (name == "--since") {
      absl::StatusOr<absl::Time> since = ParseSince(value, absl::Now());
      if (!since.ok()) {
        return UsageError("audit", absl::StrCat("audit: --since: ",
                                                since.status().message()));
      }
      request.set_since_unix(std::max<int64_t>(1, absl::ToUnixSeconds(*since)));
    } else if (request.zone().empty() && !arg.empty() && arg[0] != '-') {
      absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(arg);
      if (!zone.ok()) {
        return UsageError("audit", std::string(zone.status().message()));
      }
      request.set_zone(*zone);
    } else {
      return UsageError("audit",
                        absl::StrCat("audit: unexpected \"", arg, "\""));
    }
  }
  request.set_limit(limit);
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::AuditLog response;
  grpc::Status status = stub->Audit(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  if (json) {
    out_ << FormatAuditJson(response, limit);
  } else {
    for (const v1::AuditRecord& record : response.records()) {
      out_ << Rfc3339Utc(record.time_unix()) << " " << record.identity() << " "
           << record.command() << " "
           << (record.zone().empty() ? "-" : record.zone()) << " "
           << (record.key_tags().empty() ? "-" : record.key_tags()) << " "
           << record.result();
      // Refusals collapsed into one row (audit-refusal-interval).
      if (AuditCount(record) > 1) out_ << " (x" << AuditCount(record) << ")";
      out_ << "\n";
    }
  }
  if (response.truncated()) {
    err_ << "maintkeydb: audit: cut at " << limit
         << " rows, older rows left out; ask for more with --limit N or "
            "fewer with --since TIME\n";
  }
  return 0;
}

int MaintKeyDb::Status(const Args& args) {
  v1::StatusRequest request;
  if (args.size() > 1) {
    return UsageError("status", "status: at most one ZONE");
  }
  if (!args.empty()) {
    absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(args[0]);
    if (!zone.ok()) {
      return UsageError("status", std::string(zone.status().message()));
    }
    request.set_zone(*zone);
  }
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context);
  v1::StatusReply response;
  grpc::Status status = stub->Status(&context, request, &response);
  if (!status.ok()) return RpcFailed(status);
  for (const v1::ZoneStatus& zone : response.zones()) {
    out_ << zone.zone() << ": "
         << (zone.rollover_under_way() ? "rollover under way"
                                       : "no rollover under way")
         << "\n";
    for (const v1::KeyPlace& place : zone.keys()) {
      const v1::Key& key = place.key();
      out_ << "  " << (key.role() == v1::KSK ? "KSK" : "ZSK") << " "
           << key.algorithm_name() << " " << key.key_tag() << ": "
           << place.place() << "\n";
    }
    for (const std::string& step : zone.next_steps()) {
      out_ << "  next: " << absl::StrReplaceAll(step, {{"\n", "\n    "}})
           << "\n";
    }
  }
  return 0;
}

int MaintKeyDb::Interactive(LineReader& reader, bool keep_going) {
  in_shell_ = true;
  int last = 0;
  // Piped commands stop at the first failure unless told to go on.
  auto stop = [&](int status) {
    return status != 0 && !reader.interactive() && !keep_going;
  };
  while (std::optional<std::string> line = reader.ReadLine()) {
    std::string trimmed(absl::StripAsciiWhitespace(*line));
    if (trimmed.empty()) continue;
    if (trimmed == "quit" || trimmed == "exit") break;
    if (trimmed == "history") {
      const std::vector<std::string>& history = reader.History();
      for (size_t i = 0; i < history.size(); ++i) {
        out_ << "  " << i + 1 << "  " << history[i] << "\n";
      }
      continue;
    }
    if (trimmed[0] == '!') {
      const std::vector<std::string>& history = reader.History();
      size_t n = 0;
      if (!absl::SimpleAtoi(trimmed.substr(1), &n) || n == 0 ||
          n > history.size()) {
        last = Fail(absl::StrCat("no history entry ", trimmed.substr(1),
                                 " (history lists them)"));
        if (stop(last)) break;
        continue;
      }
      trimmed = history[n - 1];
      out_ << trimmed << "\n";
    }
    reader.AddHistory(trimmed);
    absl::StatusOr<std::vector<std::string>> words = SplitCommandWords(trimmed);
    if (!words.ok()) {
      last = UsageError("help", std::string(words.status().message()));
      if (stop(last)) break;
      continue;
    }
    last = Run(*words);
    if (stop(last)) break;
  }
  in_shell_ = false;
  return last;
}

}  // namespace cli
}  // namespace zonekeep
