// Test-only: the key store's test keys under the signer's namespace, for the
// signer and interop tests (see keystore/test_zone_keys.h).
#ifndef ZONEKEEP_SIGNER_TEST_KEYS_H_
#define ZONEKEEP_SIGNER_TEST_KEYS_H_

#include "keystore/test_zone_keys.h"

namespace zonekeep {
namespace signer {

using ::zonekeep::MakeTestKey;
using ::zonekeep::MakeTestKeySet;

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_TEST_KEYS_H_
