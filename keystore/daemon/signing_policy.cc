#include "keystore/daemon/signing_policy.h"

#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace keystored {
namespace {

// The engine's defaults (signer/zone_signer.h, keystore.proto SignOptions).
constexpr int64_t kEngineInceptionBackdate = 3600;
constexpr int64_t kEngineValidity = 30 * 86400;

void Apply(const v1::SigningPolicyConfig& in, SigningPolicy& out) {
  if (in.has_max_validity()) out.max_validity = in.max_validity();
  if (in.has_inception_margin()) out.inception_margin = in.inception_margin();
  if (in.has_max_jitter()) out.max_jitter = in.max_jitter();
  if (in.has_max_refresh()) out.max_refresh = in.max_refresh();
  if (in.has_allow_skip_self_verify()) {
    out.allow_skip_self_verify = in.allow_skip_self_verify();
  }
}

}  // namespace

SigningPolicy SigningPolicy::From(const v1::SigningPolicyConfig& global,
                                  const v1::SigningPolicyConfig& per_identity) {
  SigningPolicy policy;
  Apply(global, policy);
  Apply(per_identity, policy);
  return policy;
}

absl::Status CheckSignRequest(const SigningPolicy& policy,
                              const v1::SignOptions& options, int64_t now) {
  const int64_t inception = options.inception_unix() != 0
                                ? options.inception_unix()
                                : now - kEngineInceptionBackdate;
  const int64_t expiration = options.expiration_unix() != 0
                                 ? options.expiration_unix()
                                 : inception + kEngineValidity;
  if (expiration > now + policy.max_validity) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signing policy: signatures would be valid until ", expiration, ", ",
        expiration - now, " s from now; max-validity is ", policy.max_validity,
        " s"));
  }
  if (inception < now - policy.inception_margin) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signing policy: inception ", inception, " is ", now - inception,
        " s before now; inception-margin is ", policy.inception_margin, " s"));
  }
  if (options.jitter_seconds() > policy.max_jitter) {
    return absl::InvalidArgumentError(
        absl::StrCat("signing policy: jitter ", options.jitter_seconds(),
                     " s; max-jitter is ", policy.max_jitter, " s"));
  }
  if (options.refresh_seconds() > policy.max_refresh) {
    return absl::InvalidArgumentError(
        absl::StrCat("signing policy: refresh ", options.refresh_seconds(),
                     " s; max-refresh is ", policy.max_refresh, " s"));
  }
  if (options.skip_self_verify() && !policy.allow_skip_self_verify) {
    return absl::PermissionDeniedError(
        "signing policy: self-verify may not be skipped "
        "(allow-skip-self-verify is false)");
  }
  return absl::OkStatus();
}

}  // namespace keystored
}  // namespace zonekeep
