// Test-only: fresh DNSSEC keys as the key store would hand them to the signer
// (ZoneKey with DNSKEY RDATA, key tag and, for active keys, a SigningHandle),
// made with the key store's PrivateKey.
#ifndef ZONEKEEP_SIGNER_TEST_KEYS_H_
#define ZONEKEEP_SIGNER_TEST_KEYS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "keystore/crypto/algorithm.h"
#include "keystore/signing_handle.h"

namespace zonekeep {
namespace signer {

// One key. RSA keys are 2048 bits.
absl::StatusOr<ZoneKey> MakeTestKey(Algorithm algorithm, KeyRole role,
                                    KeyState state = KeyState::kActive);

// Active KSK + active ZSK + published ZSK of one algorithm (like
// `maintkeydb create both`).
absl::StatusOr<std::vector<ZoneKey>> MakeTestKeySet(Algorithm algorithm);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_TEST_KEYS_H_
