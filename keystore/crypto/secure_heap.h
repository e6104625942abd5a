// InitSecureHeap: OpenSSL's secure heap for every secret of the process.
//
// Once it runs, OpenSSL keeps the private parts of keys it decodes or makes
// there (OpenSSL 3.0: EC and RSA private BIGNUMs via BN_secure_new, the
// Ed25519/Ed448 private key via OPENSSL_secure_malloc), and SecretBytes (the
// master key, PKCS#8 encodings) take their memory from it. The heap is one
// mmap'd arena with guard pages, locked (mlock) and marked MADV_DONTDUMP.
// Call once, before any key is loaded (keystored does, at start).
// Thread-safety: call before other threads start.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_SECURE_HEAP_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_SECURE_HEAP_H_

#include <cstddef>

#include "absl/status/statusor.h"

namespace zonekeep {
namespace keystore {

// 4 MiB: about 50,000 loaded EC/EdDSA keys or 1,500 RSA-4096 keys; it stays
// under the default RLIMIT_MEMLOCK (8 MiB) of an unprivileged service.
inline constexpr size_t kSecureHeapSize = size_t{4} << 20;

enum class SecureHeap {
  kLocked,     // initialised and locked in memory
  kNotLocked,  // initialised, but mlock failed (RLIMIT_MEMLOCK): may be swapped
};

// Initialises the secure heap (a second call returns what the first did).
// FailedPrecondition when OpenSSL cannot make it at all.
absl::StatusOr<SecureHeap> InitSecureHeap(size_t size = kSecureHeapSize);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_SECURE_HEAP_H_
