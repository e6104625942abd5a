#include "keystore/daemon/admin_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/digest_type.h"
#include "dnssec/key_actions.h"
#include "dnssec/zone_key.h"
#include "keystore/daemon/caller.h"
#include "keystore/daemon/grpc_status.h"
#include "keystore/parent_data.h"

namespace zonekeep {
namespace keystored {
namespace {

absl::StatusOr<dnssec::Algorithm> AlgorithmOf(uint32_t number) {
  return dnssec::ParseAlgorithm(absl::StrCat(number));
}

struct KeyId {
  dnssec::Algorithm algorithm;
  uint16_t tag;
};

absl::StatusOr<KeyId> KeyIdOf(const v1::KeyRef& ref) {
  absl::StatusOr<dnssec::Algorithm> algorithm = AlgorithmOf(ref.algorithm());
  if (!algorithm.ok()) return algorithm.status();
  if (ref.key_tag() > 0xffff) {
    return absl::InvalidArgumentError("key id must be 0-65535");
  }
  return KeyId{*algorithm, static_cast<uint16_t>(ref.key_tag())};
}

void FillKeyList(const std::vector<keystore::KeyView>& keys,
                 v1::KeyList* response) {
  for (const keystore::KeyView& key : keys)
    *response->add_keys() = ToProtoKey(key);
  response->set_server_time_unix(absl::ToUnixSeconds(absl::Now()));
}

absl::StatusOr<dnssec::CreateWhat> CreateWhatOf(
    v1::CreateKeysRequest::What what) {
  switch (what) {
    case v1::CreateKeysRequest::BOTH:
      return dnssec::CreateWhat::kBoth;
    case v1::CreateKeysRequest::KSK:
      return dnssec::CreateWhat::kKsk;
    case v1::CreateKeysRequest::ZSK:
      return dnssec::CreateWhat::kZsk;
    default:
      return absl::InvalidArgumentError("create: say both, ksk or zsk");
  }
}

absl::StatusOr<dnssec::RolloverStage> RolloverStageOf(
    v1::RolloverRequest::Stage stage) {
  switch (stage) {
    case v1::RolloverRequest::ZSK_STAGE1:
      return dnssec::RolloverStage::kZskStage1;
    case v1::RolloverRequest::ZSK_STAGE2:
      return dnssec::RolloverStage::kZskStage2;
    case v1::RolloverRequest::KSK_STAGE1:
      return dnssec::RolloverStage::kKskStage1;
    case v1::RolloverRequest::KSK_STAGE2:
      return dnssec::RolloverStage::kKskStage2;
    case v1::RolloverRequest::ZSK_UNDO:
      return dnssec::RolloverStage::kZskUndo;
    case v1::RolloverRequest::KSK_UNDO:
      return dnssec::RolloverStage::kKskUndo;
    default:
      return absl::InvalidArgumentError("rollover: unknown stage");
  }
}

grpc::Status Respond(const absl::StatusOr<std::vector<keystore::KeyView>>& keys,
                     v1::KeyList* response) {
  if (!keys.ok()) return ToGrpcStatus(keys.status());
  FillKeyList(*keys, response);
  return grpc::Status::OK;
}

}  // namespace

v1::Key ToProtoKey(const keystore::KeyView& key) {
  v1::Key out;
  out.set_zone(key.zone);
  out.set_algorithm(static_cast<uint32_t>(key.algorithm));
  out.set_algorithm_name(dnssec::AlgorithmName(key.algorithm));
  out.set_key_tag(key.key_tag);
  out.set_role(key.role == dnssec::KeyRole::kKsk ? v1::KSK : v1::ZSK);
  out.set_bits(key.bits);
  out.set_state(key.state == dnssec::KeyState::kActive ? v1::ACTIVE
                                                       : v1::PUBLISHED);
  out.set_rollover(key.rollover);
  out.set_deleted(key.deleted);
  out.set_created_unix(absl::ToUnixSeconds(key.created));
  out.set_state_changed_unix(absl::ToUnixSeconds(key.state_changed));
  out.set_dnskey_rdata(
      std::string(key.dnskey_rdata.begin(), key.dnskey_rdata.end()));
  return out;
}

absl::StatusOr<std::string> AdminService::Admin(grpc::ServerContext* context,
                                                absl::string_view command) {
  std::shared_ptr<const AccessPolicy> policy = policies_->Get();
  const Caller caller = CallerOf(*context, *policy);
  absl::Status allowed = policy->CheckAdmin(caller.identity);
  if (!allowed.ok()) {
    // A refused caller is worth a row too: someone tried.
    AuditCall(keys_, caller, std::string(command), "", "", allowed);
    if (stats_ != nullptr) stats_->Refused(caller.identity, allowed);
    return allowed;
  }
  return caller.AuditName();
}

void AdminService::AuditRead(const std::string& identity,
                             absl::string_view command, const std::string& zone,
                             const grpc::Status& result) {
  const absl::Status status =
      result.ok()
          ? absl::OkStatus()
          : absl::Status(static_cast<absl::StatusCode>(result.error_code()),
                         result.error_message());
  keys_->RecordAudit(identity, std::string(command), zone, "", status)
      .IgnoreError();
}

grpc::Status AdminService::CreateKeys(grpc::ServerContext* context,
                                      const v1::CreateKeysRequest* request,
                                      v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "create");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  absl::StatusOr<dnssec::Algorithm> algorithm =
      AlgorithmOf(request->algorithm());
  if (!algorithm.ok()) return ToGrpcStatus(algorithm.status());
  absl::StatusOr<dnssec::CreateWhat> what = CreateWhatOf(request->what());
  if (!what.ok()) return ToGrpcStatus(what.status());
  std::optional<int> bits;
  if (request->bits() != 0) bits = static_cast<int>(request->bits());
  return Respond(
      keys_->CreateKeys(*identity, *what, *algorithm, bits, request->zone()),
      response);
}

grpc::Status AdminService::DeleteKey(grpc::ServerContext* context,
                                     const v1::KeyRef* request,
                                     v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "delete_id");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  absl::StatusOr<KeyId> key = KeyIdOf(*request);
  if (!key.ok()) return ToGrpcStatus(key.status());
  return Respond(keys_->DeleteKey(*identity, request->zone(), key->algorithm,
                                  key->tag, request->force()),
                 response);
}

grpc::Status AdminService::DeleteZone(grpc::ServerContext* context,
                                      const v1::ZoneRef* request,
                                      v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "delete_name");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  return Respond(
      keys_->DeleteZone(*identity, request->zone(), request->force()),
      response);
}

grpc::Status AdminService::UndeleteKey(grpc::ServerContext* context,
                                       const v1::KeyRef* request,
                                       v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "undelete");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  absl::StatusOr<KeyId> key = KeyIdOf(*request);
  if (!key.ok()) return ToGrpcStatus(key.status());
  absl::StatusOr<keystore::KeyView> restored =
      keys_->UndeleteKey(*identity, request->zone(), key->algorithm, key->tag);
  if (!restored.ok()) return ToGrpcStatus(restored.status());
  FillKeyList({*restored}, response);
  return grpc::Status::OK;
}

grpc::Status AdminService::ListKeys(grpc::ServerContext* context,
                                    const v1::ListKeysRequest* request,
                                    v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "list");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  const grpc::Status result = Respond(
      keys_->ListKeys(request->zone(), request->include_deleted()), response);
  AuditRead(*identity, "list", request->zone(), result);
  return result;
}

grpc::Status AdminService::Rollover(grpc::ServerContext* context,
                                    const v1::RolloverRequest* request,
                                    v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "rollover");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  absl::StatusOr<dnssec::Algorithm> algorithm =
      AlgorithmOf(request->algorithm());
  if (!algorithm.ok()) return ToGrpcStatus(algorithm.status());
  absl::StatusOr<dnssec::RolloverStage> stage =
      RolloverStageOf(request->stage());
  if (!stage.ok()) return ToGrpcStatus(stage.status());
  return Respond(keys_->Rollover(*identity, *stage, *algorithm, request->zone(),
                                 request->force()),
                 response);
}

grpc::Status AdminService::ExpireKey(grpc::ServerContext* context,
                                     const v1::KeyRef* request,
                                     v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "expire");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  absl::StatusOr<KeyId> key = KeyIdOf(*request);
  if (!key.ok()) return ToGrpcStatus(key.status());
  return Respond(keys_->ExpireKey(*identity, request->zone(), key->algorithm,
                                  key->tag, request->force()),
                 response);
}

grpc::Status AdminService::PurgeBin(grpc::ServerContext* context,
                                    const v1::PurgeRequest* request,
                                    v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "purge");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  if (request->older_than_seconds() < 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("--older-than must not be negative"));
  }
  std::optional<absl::Duration> older_than;
  if (request->older_than_seconds() > 0) {
    older_than = absl::Seconds(request->older_than_seconds());
  }
  return Respond(keys_->PurgeBin(*identity, request->zone(), older_than),
                 response);
}

grpc::Status AdminService::CdsDelete(grpc::ServerContext* context,
                                     const v1::CdsDeleteRequest* request,
                                     v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "cds-delete");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  absl::Status s =
      keys_->SetCdsDelete(*identity, request->zone(), !request->undo());
  if (!s.ok()) return ToGrpcStatus(s);
  return Respond(keys_->ListKeys(request->zone(), false), response);
}

absl::StatusOr<std::vector<keystore::KeyView>> AdminService::LiveKeysOf(
    const std::string& zone) {
  absl::StatusOr<std::vector<keystore::KeyView>> keys =
      keys_->ListKeys(zone, false);
  if (keys.ok() && keys->empty()) {
    return absl::NotFoundError(absl::StrCat("no keys for ", zone));
  }
  return keys;
}

grpc::Status AdminService::ParentData(grpc::ServerContext* context,
                                      const v1::ParentDataRequest* request,
                                      v1::RecordText* response) {
  absl::StatusOr<std::string> identity = Admin(context, "parentdata");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  const grpc::Status result = [&]() -> grpc::Status {
    absl::StatusOr<std::vector<keystore::KeyView>> keys =
        LiveKeysOf(request->zone());
    if (!keys.ok()) return ToGrpcStatus(keys.status());
    dnssec::DigestType digest = dnssec::DigestType::kSha256;
    if (request->digest_type() != 0) {
      absl::StatusOr<dnssec::DigestType> parsed =
          dnssec::ParseDigestType(absl::StrCat(request->digest_type()));
      if (!parsed.ok()) return ToGrpcStatus(parsed.status());
      digest = *parsed;
    }
    absl::StatusOr<std::string> text =
        keystore::FormatParentData(keys->front().zone, *keys,
                                   request->kind() == v1::ParentDataRequest::DS
                                       ? keystore::ParentDataKind::kDs
                                       : keystore::ParentDataKind::kDnskey,
                                   digest);
    if (!text.ok()) return ToGrpcStatus(text.status());
    response->set_text(*text);
    return grpc::Status::OK;
  }();
  AuditRead(*identity, "parentdata", request->zone(), result);
  return result;
}

grpc::Status AdminService::ShowKeys(grpc::ServerContext* context,
                                    const v1::ShowKeysRequest* request,
                                    v1::RecordText* response) {
  absl::StatusOr<std::string> identity = Admin(context, "showkeys");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  const grpc::Status result = [&]() -> grpc::Status {
    absl::StatusOr<std::vector<keystore::KeyView>> keys =
        LiveKeysOf(request->zone());
    if (!keys.ok()) return ToGrpcStatus(keys.status());
    absl::StatusOr<std::string> text =
        keystore::FormatShowKeys(keys->front().zone, *keys, request->ds());
    if (!text.ok()) return ToGrpcStatus(text.status());
    response->set_text(*text);
    return grpc::Status::OK;
  }();
  AuditRead(*identity, "showkeys", request->zone(), result);
  return result;
}

grpc::Status AdminService::ImportKey(grpc::ServerContext* context,
                                     const v1::ImportKeyRequest* request,
                                     v1::KeyList* response) {
  absl::StatusOr<std::string> identity = Admin(context, "import");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  const dnssec::KeyState state = request->state() == v1::ACTIVE
                                     ? dnssec::KeyState::kActive
                                     : dnssec::KeyState::kPublished;
  absl::StatusOr<keystore::KeyView> key = keys_->ImportBindKey(
      *identity, request->zone(), request->key_file_base(), state);
  if (!key.ok()) return ToGrpcStatus(key.status());
  FillKeyList({*key}, response);
  return grpc::Status::OK;
}

grpc::Status AdminService::Audit(grpc::ServerContext* context,
                                 const v1::AuditRequest* request,
                                 v1::AuditLog* response) {
  absl::StatusOr<std::string> identity = Admin(context, "audit");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  const grpc::Status result = [&]() -> grpc::Status {
    constexpr uint32_t kMaxLimit = 1000000;
    const int limit = static_cast<int>(
        request->limit() == 0 ? 100 : std::min(request->limit(), kMaxLimit));
    // One row more than the limit says whether rows were left out. Rows come
    // newest first, so those at or after `since` are a prefix of them.
    absl::StatusOr<std::vector<keystore::AuditEntry>> entries =
        keys_->Audit(request->zone(), limit + 1);
    if (!entries.ok()) return ToGrpcStatus(entries.status());
    const absl::Time since = absl::FromUnixSeconds(request->since_unix());
    int kept = 0;
    for (const keystore::AuditEntry& entry : *entries) {
      if (request->since_unix() != 0 && entry.time < since) break;
      if (kept == limit) {
        response->set_truncated(true);
        break;
      }
      ++kept;
      v1::AuditRecord* record = response->add_records();
      record->set_time_unix(absl::ToUnixSeconds(entry.time));
      record->set_identity(entry.identity);
      record->set_command(entry.command);
      record->set_zone(entry.zone);
      record->set_key_tags(entry.key_tags);
      record->set_result(entry.result);
      record->set_count(static_cast<uint64_t>(entry.count));
    }
    return grpc::Status::OK;
  }();
  AuditRead(*identity, "audit", request->zone(), result);
  return result;
}

grpc::Status AdminService::Status(grpc::ServerContext* context,
                                  const v1::StatusRequest* request,
                                  v1::StatusReply* response) {
  absl::StatusOr<std::string> identity = Admin(context, "status");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  absl::StatusOr<std::vector<keystore::ZoneStatus>> zones =
      keys_->Status(request->zone());
  grpc::Status result = grpc::Status::OK;
  if (!zones.ok()) {
    result = ToGrpcStatus(zones.status());
  } else {
    for (const keystore::ZoneStatus& zone : *zones) {
      v1::ZoneStatus* out = response->add_zones();
      out->set_zone(zone.zone);
      for (size_t i = 0; i < zone.keys.size(); ++i) {
        v1::KeyPlace* place = out->add_keys();
        *place->mutable_key() = ToProtoKey(zone.keys[i]);
        if (i < zone.places.size()) place->set_place(zone.places[i]);
      }
      out->set_rollover_under_way(zone.rollover_under_way);
      for (const std::string& step : zone.next_steps) {
        out->add_next_steps(step);
      }
    }
    response->set_server_time_unix(absl::ToUnixSeconds(absl::Now()));
  }
  AuditRead(*identity, "status", request->zone(), result);
  return result;
}

grpc::Status AdminService::Stats(grpc::ServerContext* context,
                                 const v1::StatsRequest* request,
                                 v1::SignStats* response) {
  const char* command = request->reset() ? "stats reset" : "stats";
  absl::StatusOr<std::string> identity = Admin(context, command);
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  if (stats_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no statistics");
  }
  const absl::Time now = absl::Now();
  *response = stats_->Snapshot(request->reset() ? &now : nullptr);
  // Only a reset changes anything; reading the counters is not audited.
  if (request->reset()) AuditRead(*identity, command, "", grpc::Status::OK);
  return grpc::Status::OK;
}

grpc::Status AdminService::RotateMasterKey(
    grpc::ServerContext* context, const v1::RotateMasterKeyRequest* /*request*/,
    v1::RotateMasterKeyReply* response) {
  absl::StatusOr<std::string> identity = Admin(context, "rotate-master-key");
  if (!identity.ok()) return ToGrpcStatus(identity.status());
  // Audited by the key manager, refusals included.
  absl::StatusOr<keystore::MasterKeyRotation> rotated =
      keys_->RotateMasterKey(*identity);
  if (!rotated.ok()) return ToGrpcStatus(rotated.status());
  response->set_keys_resealed(rotated->keys_resealed);
  response->set_old_key_path(rotated->old_key_path);
  return grpc::Status::OK;
}

}  // namespace keystored
}  // namespace zonekeep
