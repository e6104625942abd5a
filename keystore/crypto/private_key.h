// PrivateKey: one DNSSEC private key held as an OpenSSL EVP_PKEY.
//
// Lives only inside keystore/ (Bazel visibility). It can sign, give its public
// key in DNSKEY form, and be encoded for sealing (ExportPkcs8ForSealing, which
// only the sealing code calls). Move-only.
// Thread-safety: const methods are safe from many threads at once.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_PRIVATE_KEY_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_PRIVATE_KEY_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "keystore/crypto/algorithm.h"
#include "keystore/crypto/secret_bytes.h"
#include "keystore/signing_handle.h"

namespace zonekeep {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

class PrivateKey {
 public:
  // A fresh key. REQUIRES: bits from ResolveKeyBits(algorithm, ...).
  static absl::StatusOr<PrivateKey> Generate(Algorithm algorithm, int bits);
  // Decodes a PKCS#8 DER private key; fails if its type does not match
  // `algorithm`.
  static absl::StatusOr<PrivateKey> FromPkcs8(Algorithm algorithm,
                                              const SecretBytes& der);
  // Takes ownership of an EVP_PKEY built elsewhere in keystore/ (BIND import);
  // fails if its type or curve does not match `algorithm`.
  static absl::StatusOr<PrivateKey> FromEvpPkey(Algorithm algorithm,
                                                EvpPkeyPtr pkey);

  PrivateKey(PrivateKey&&) = default;
  PrivateKey& operator=(PrivateKey&&) = default;

  Algorithm algorithm() const { return algorithm_; }
  int bits() const;

  // The public key field of the DNSKEY RDATA (RFC 3110, RFC 6605, RFC 8080).
  std::vector<uint8_t> DnskeyPublicKey() const;

  // Signature in DNSSEC wire form (see SigningHandle::Sign).
  absl::StatusOr<std::vector<uint8_t>> Sign(
      absl::Span<const uint8_t> data) const;

  // PKCS#8 DER of the private key, for sealing only.
  absl::StatusOr<SecretBytes> ExportPkcs8ForSealing() const;

  // Moves the key into an opaque handle for the signer engine.
  static std::shared_ptr<const SigningHandle> IntoSigningHandle(PrivateKey key);

 private:
  PrivateKey(Algorithm algorithm, EvpPkeyPtr pkey);
  Algorithm algorithm_;
  EvpPkeyPtr pkey_;
};

}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_PRIVATE_KEY_H_
