// SecretBytes: a byte buffer whose memory is wiped (OPENSSL_cleanse) when
// freed, and taken from OpenSSL's secure heap (locked in memory, excluded from
// core dumps, guard pages around it) once InitSecureHeap (secure_heap.h) has
// run; when the secure heap is not initialised or is full, from the ordinary
// heap (still wiped).
//
// Holds private key encodings and the master key. A vector, not a string, so
// that no short-string buffer escapes the wiping allocator. Thread-safety: like
// std::vector.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_SECRET_BYTES_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_SECRET_BYTES_H_

#include <openssl/crypto.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace zonekeep {
namespace keystore {

template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) {}
  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    void* p = OPENSSL_secure_malloc(n * sizeof(T));
    if (p == nullptr) p = OPENSSL_malloc(n * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  // Wipes; frees into the heap the memory came from.
  void deallocate(T* p, std::size_t n) {
    OPENSSL_secure_clear_free(p, n * sizeof(T));
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const {
    return true;
  }
  template <typename U>
  bool operator!=(const WipingAllocator<U>&) const {
    return false;
  }
};

using SecretBytes = std::vector<uint8_t, WipingAllocator<uint8_t>>;

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_SECRET_BYTES_H_
