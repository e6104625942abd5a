// Test-only: fresh DNSSEC keys as the key store hands them out (ZoneKey with
// DNSKEY RDATA, key tag and, for active keys, a SigningHandle), for the signer,
// daemon and interop tests. The keys are made in memory at test time and die
// with the handle; nothing here reads or writes key files, and the key store's
// PrivateKey is not involved (it stays confined to keystore/).
// Thread-safety: pure functions; the handles are safe from many threads.
#ifndef ZONEKEEP_DNSSEC_TEST_KEYS_H_
#define ZONEKEEP_DNSSEC_TEST_KEYS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"

namespace zonekeep {
namespace dnssec {

// One key. RSA keys are 2048 bits.
absl::StatusOr<ZoneKey> MakeTestKey(Algorithm algorithm, KeyRole role,
                                    KeyState state = KeyState::kActive);

// Active KSK + active ZSK + published ZSK of one algorithm (like
// `maintkeydb create both`), with distinct key tags.
absl::StatusOr<std::vector<ZoneKey>> MakeTestKeySet(Algorithm algorithm);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_TEST_KEYS_H_
