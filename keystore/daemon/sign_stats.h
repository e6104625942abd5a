// SignStats: keystored's signing statistics, in memory (as the GSS-TSIG
// seed's counters): zones signed, signatures made, bytes in and out, sign
// time, refused calls by reason (the status code's name), errors; per
// identity and in total. Lost on restart; read and reset with KeyAdmin.Stats.
// Thread-safety: every method is safe to call concurrently.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_SIGN_STATS_H_
#define ZONEKEEP_KEYSTORE_DAEMON_SIGN_STATS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "proto/keystore.pb.h"

namespace zonekeep {
namespace keystored {

class SignStats {
 public:
  explicit SignStats(absl::Time since) : since_(since) {}

  // A zone signed and sent whole.
  void Signed(const std::string& identity, uint64_t bytes_in,
              uint64_t bytes_out, uint64_t signatures, absl::Duration took);
  // A call refused before signing (role, zone, policy, limits).
  void Refused(const std::string& identity, const absl::Status& reason);
  // An allowed call that failed; `bytes_in` and `bytes_out` as far as it got.
  void Failed(const std::string& identity, uint64_t bytes_in,
              uint64_t bytes_out);

  // The counters; with `reset_at` set, zeroes them and counts from then on.
  v1::SignStats Snapshot(const absl::Time* reset_at = nullptr);

 private:
  v1::SignCounters& For(const std::string& identity);  // REQUIRES: mu_ held
  template <typename Fn>
  void Update(const std::string& identity, Fn fn);

  std::mutex mu_;
  absl::Time since_;
  v1::SignCounters total_;
  std::map<std::string, v1::SignCounters> by_identity_;
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_SIGN_STATS_H_
