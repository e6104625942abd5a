// Test-only: fresh DNSSEC keys as the key store hands them to the signer
// (ZoneKey with DNSKEY RDATA, key tag and, for active keys, a SigningHandle).
//
// This target is testonly, so no production binary outside keystore/ can
// link private-key code through it; PrivateKey itself stays visible to
// keystore/ only.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_KEYSTORE_TEST_ZONE_KEYS_H_
#define ZONEKEEP_KEYSTORE_TEST_ZONE_KEYS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "keystore/crypto/algorithm.h"
#include "keystore/signing_handle.h"

namespace zonekeep {

// One key. RSA keys are 2048 bits.
absl::StatusOr<ZoneKey> MakeTestKey(Algorithm algorithm, KeyRole role,
                                    KeyState state = KeyState::kActive);

// Active KSK + active ZSK + published ZSK of one algorithm (like
// `maintkeydb create both`), with distinct key tags.
absl::StatusOr<std::vector<ZoneKey>> MakeTestKeySet(Algorithm algorithm);

}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_TEST_ZONE_KEYS_H_
