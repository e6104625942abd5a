#include "keystore/crypto/secure_heap.h"

#include <openssl/crypto.h>

#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace keystore {

absl::StatusOr<SecureHeap> InitSecureHeap(size_t size) {
  static std::once_flag once;
  static int result = 0;
  // The smallest allocation: 32 bytes (a P-256 scalar); a BIGNUM's words come
  // in multiples of it.
  std::call_once(once,
                 [size] { result = CRYPTO_secure_malloc_init(size, 32); });
  if (result == 1 && CRYPTO_secure_malloc_initialized()) {
    return SecureHeap::kLocked;
  }
  if (result == 2 && CRYPTO_secure_malloc_initialized()) {
    return SecureHeap::kNotLocked;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "OpenSSL cannot make its secure heap (CRYPTO_secure_malloc_init of ",
      size, " bytes failed): private keys would live in the ordinary heap"));
}

}  // namespace keystore
}  // namespace zonekeep
