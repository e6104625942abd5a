#include "keystore/daemon/sign_stats.h"

namespace zonekeep {
namespace keystored {

v1::SignCounters& SignStats::For(const std::string& identity) {
  return by_identity_[identity.empty() ? "-" : identity];
}

template <typename Fn>
void SignStats::Update(const std::string& identity, Fn fn) {
  std::lock_guard<std::mutex> lock(mu_);
  fn(total_);
  fn(For(identity));
}

void SignStats::Signed(const std::string& identity, uint64_t bytes_in,
                       uint64_t bytes_out, uint64_t signatures,
                       absl::Duration took) {
  Update(identity, [&](v1::SignCounters& c) {
    c.set_zones_signed(c.zones_signed() + 1);
    c.set_signatures(c.signatures() + signatures);
    c.set_bytes_in(c.bytes_in() + bytes_in);
    c.set_bytes_out(c.bytes_out() + bytes_out);
    c.set_sign_seconds(c.sign_seconds() + absl::ToDoubleSeconds(took));
  });
}

void SignStats::Refused(const std::string& identity,
                        const absl::Status& reason) {
  const std::string code = absl::StatusCodeToString(reason.code());
  Update(identity,
         [&](v1::SignCounters& c) { ++(*c.mutable_refused())[code]; });
}

void SignStats::Failed(const std::string& identity, uint64_t bytes_in,
                       uint64_t bytes_out) {
  Update(identity, [&](v1::SignCounters& c) {
    c.set_errors(c.errors() + 1);
    c.set_bytes_in(c.bytes_in() + bytes_in);
    c.set_bytes_out(c.bytes_out() + bytes_out);
  });
}

v1::SignStats SignStats::Snapshot(const absl::Time* reset_at) {
  std::lock_guard<std::mutex> lock(mu_);
  v1::SignStats out;
  *out.mutable_total() = total_;
  for (const auto& [identity, counters] : by_identity_) {
    (*out.mutable_by_identity())[identity] = counters;
  }
  out.set_since_unix(absl::ToUnixSeconds(since_));
  if (reset_at != nullptr) {
    total_.Clear();
    by_identity_.clear();
    since_ = *reset_at;
  }
  return out;
}

}  // namespace keystored
}  // namespace zonekeep
