// SecretBytes: a byte buffer whose memory is wiped (OPENSSL_cleanse) when
// freed.
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
#include <vector>

namespace zonekeep {
namespace keystore {

template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) {}
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) {
    OPENSSL_cleanse(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
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
