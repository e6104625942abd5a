#include "keystore/daemon/signing_service.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "keystore/daemon/caller.h"
#include "keystore/daemon/grpc_status.h"
#include "keystore/daemon/sign_request_stream.h"
#include "keystore/daemon/zone_signing.h"

namespace zonekeep {
namespace keystored {
namespace {

// Holds one of the service's job slots for its lifetime.
class JobSlot {
 public:
  explicit JobSlot(std::atomic<int64_t>* running) : running_(running) {
    running_->fetch_add(1);
  }
  ~JobSlot() { running_->fetch_sub(1); }
  JobSlot(const JobSlot&) = delete;
  JobSlot& operator=(const JobSlot&) = delete;

 private:
  std::atomic<int64_t>* running_;
};

// Holds one of an identity's job slots; ok() is false when it had none left.
class IdentitySlot {
 public:
  IdentitySlot(std::mutex* mu, std::map<std::string, int64_t>* jobs,
               std::string identity, int64_t max)
      : mu_(mu), jobs_(jobs), identity_(std::move(identity)) {
    std::lock_guard<std::mutex> lock(*mu_);
    int64_t& running = (*jobs_)[identity_];
    held_ = max <= 0 || running < max;
    if (held_) ++running;
    if (running == 0) jobs_->erase(identity_);
  }
  ~IdentitySlot() {
    if (!held_) return;
    std::lock_guard<std::mutex> lock(*mu_);
    if (--(*jobs_)[identity_] == 0) jobs_->erase(identity_);
  }
  IdentitySlot(const IdentitySlot&) = delete;
  IdentitySlot& operator=(const IdentitySlot&) = delete;
  bool ok() const { return held_; }

 private:
  std::mutex* mu_;
  std::map<std::string, int64_t>* jobs_;
  const std::string identity_;
  bool held_ = false;
};

}  // namespace

SignLimits SignLimitsFromConfig(const v1::KeystoredConfig& config) {
  SignLimits limits;
  limits.max_sign_jobs = config.max_sign_jobs();
  limits.max_zone_bytes = config.max_zone_bytes();
  limits.max_sign_jobs_per_identity = config.max_sign_jobs_per_identity();
  limits.zone.max_records = config.max_records();
  limits.zone.max_name_labels = config.max_name_labels();
  limits.zone.max_signatures = config.max_signatures();
  return limits;
}

void ReturnFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

grpc::Status SigningService::SignZone(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::SignZoneResponse, v1::SignZoneRequest>*
        stream) {
  std::shared_ptr<const AccessPolicy> policy = policies_->Get();
  const Caller caller = CallerOf(*context, *policy);
  std::string zone;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  auto refuse = [&](absl::Status status) {
    AuditCall(keys_, caller, "sign", zone, "", status);
    if (stats_ != nullptr) {
      // Cut short by the client after it was allowed: a failed job.
      if (absl::IsCancelled(status)) {
        stats_->Failed(caller.identity, bytes_in, bytes_out);
      } else {
        stats_->Refused(caller.identity, status);
      }
    }
    return ToGrpcStatus(status);
  };
  v1::SignZoneRequest request;
  const bool has_first = stream->Read(&request);
  // A client that cancels early may do so before its options are read (a
  // loaded server): that is a cancelled call, not a malformed one.
  if (!has_first && context->IsCancelled()) {
    return refuse(absl::CancelledError(
        "SignZone: the client cancelled before its options were read"));
  }
  absl::StatusOr<v1::SignOptions> read_options =
      ReadSignOptions(has_first ? &request : nullptr);
  if (!read_options.ok()) return refuse(read_options.status());
  const v1::SignOptions options = *std::move(read_options);
  zone = options.origin();
  if (absl::Status allowed = policy->CheckSigner(caller.identity, zone);
      !allowed.ok()) {
    return refuse(allowed);
  }
  if (std::optional<SigningPolicy> limits =
          policy->SigningPolicyFor(caller.identity)) {
    absl::Status within =
        CheckSignRequest(*limits, options, absl::ToUnixSeconds(absl::Now()));
    if (!within.ok()) return refuse(within);
  }
  JobSlot slot(&running_jobs_);
  if (running_jobs_.load() > limits_.max_sign_jobs) {
    return refuse(absl::ResourceExhaustedError(
        absl::StrCat("SignZone: ", limits_.max_sign_jobs,
                     " sign jobs are running already (max-sign-jobs ",
                     limits_.max_sign_jobs, "); try again later")));
  }
  IdentitySlot identity_slot(&jobs_mu_, &jobs_by_identity_, caller.identity,
                             limits_.max_sign_jobs_per_identity);
  if (!identity_slot.ok()) {
    return refuse(absl::ResourceExhaustedError(absl::StrCat(
        "SignZone: ", caller.identity, " runs ",
        limits_.max_sign_jobs_per_identity,
        " sign jobs already (max-sign-jobs-per-identity); try again later")));
  }
  SignRequestStream zone_stream(limits_.max_zone_bytes);
  while (stream->Read(&request)) {
    if (absl::Status added = zone_stream.Add(request); !added.ok()) {
      return refuse(added);
    }
    bytes_in = zone_stream.bytes();
  }
  if (context->IsCancelled()) {
    return refuse(absl::CancelledError(
        "SignZone: the client cancelled while sending the zone"));
  }
  // Chunks go out as the engine writes them (after its self-verify).
  v1::SignZoneResponse response;
  std::string pending;
  auto send_pending = [&]() -> absl::Status {
    response.set_signed_chunk(pending);
    bytes_out += pending.size();
    pending.clear();
    if (context->IsCancelled() || !stream->Write(response)) {
      return absl::CancelledError("SignZone: client went away");
    }
    return absl::OkStatus();
  };
  auto sink = [&](absl::string_view piece) -> absl::Status {
    if (context->IsCancelled()) {
      return absl::CancelledError("SignZone: client went away");
    }
    pending.append(piece.data(), piece.size());
    const bool flush =
        piece.empty() ? !pending.empty() : pending.size() >= kChunkBytes;
    return flush ? send_pending() : absl::OkStatus();
  };
  // The core audits its own outcome (failures, and the signing itself).
  const absl::Time sign_started = absl::Now();
  std::shared_ptr<void> working_memory;
  absl::StatusOr<v1::SignSummary> summary = SignZoneWithKeyStore(
      keys_, caller.AuditName(), options, zone_stream.Release(), sink,
      [context] { return context->IsCancelled(); }, limits_.zone,
      signature_dir_, &working_memory);
  LogCall(caller, "sign", zone, summary.status());
  if (summary.ok() && !summary->full_sign_reason().empty()) {
    fprintf(stderr, "keystored: zone=%s incremental: full sign: %s\n",
            zone.c_str(), summary->full_sign_reason().c_str());
  }
  if (summary.ok() && !summary->record_error().empty()) {
    fprintf(stderr, "keystored: zone=%s signature record not saved: %s\n",
            zone.c_str(), summary->record_error().c_str());
  }
  if (!summary.ok()) {
    if (stats_ != nullptr) stats_->Failed(caller.identity, bytes_in, bytes_out);
    return ToGrpcStatus(summary.status());
  }
  if (stats_ != nullptr) {
    stats_->Signed(caller.identity, bytes_in, bytes_out, summary->signatures(),
                   absl::Now() - sign_started);
  }
  *response.mutable_summary() = *std::move(summary);
  stream->Write(response);
  release_.Drop(std::move(working_memory));
  return grpc::Status::OK;
}

}  // namespace keystored
}  // namespace zonekeep
