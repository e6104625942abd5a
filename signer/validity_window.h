// The RRSIG validity window (inception, expiration) a signing may use.
//
// RRSIG inception and expiration are 32-bit serial numbers: unix seconds
// modulo 2^32, compared in serial-number arithmetic (RFC 4034 section 3.1.5,
// RFC 1982). Two such values compare only when they are less than 2^31 apart,
// so a window is usable only if every verifier, at every moment the window
// covers and at signing time, can order inception <= now <= expiration.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_SIGNER_VALIDITY_WINDOW_H_
#define ZONEKEEP_SIGNER_VALIDITY_WINDOW_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace zonekeep {
namespace signer {

// The largest distance, in seconds, two RRSIG times can be apart and still be
// ordered: 2^31 - 1 (RFC 1982 section 3.2).
inline constexpr int64_t kMaxSerialDistance = (int64_t{1} << 31) - 1;

// Checks a window of absolute unix times against `now`. The rule, with
// MAX = 2^31 - 1 seconds:
//   1. inception >= 1: unix time 0 and times before 1970 are no RRSIG time
//      (and 0 means "unset" in the API);
//   2. expiration > inception;
//   3. expiration - inception <= MAX: the window is orderable at every moment
//      inside it;
//   4. now - inception <= MAX: an inception further back reads as a time in
//      the future today, so every verifier rejects it;
//   5. expiration - now <= MAX: a later expiration reads as a time in the
//      past today (e.g. -e 21000101000000), so every verifier rejects it.
// Exactly MAX is allowed in 3-5, MAX + 1 refused. A window entirely in the
// future (pre-signing) or in the past is allowed by this rule; a past one
// fails the self-verify. dnssec-signzone (BIND 9.18) has no such check up
// front: it signs and only its verify step (or dst "invalid time") fails.
// Errors: InvalidArgument, one line naming the flag (-s for the inception,
// -e for the expiration) and the value as YYYYMMDDHHMMSS and unix seconds.
absl::Status CheckValidityWindow(int64_t inception, int64_t expiration,
                                 int64_t now);

// "YYYYMMDDHHMMSS" in UTC, as RRSIG presentation format and dnssec-signzone.
std::string RrsigTimeText(int64_t unix_seconds);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_VALIDITY_WINDOW_H_
