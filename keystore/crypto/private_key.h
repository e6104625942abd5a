// PrivateKey: one DNSSEC private key held as an OpenSSL EVP_PKEY.
//
// Lives only inside keystore/ (Bazel visibility). It can sign, give its public
// key in DNSKEY form, and be encoded for sealing (ExportPkcs8ForSealing, which
// only the sealing code calls). Move-only.
// Thread-safety: const methods are safe from many threads at once. Sign is the
// hot path (about a million calls per zone from every signer worker): the
// digest is fetched and the signing context initialised once per key; each
// call only copies that context, so it runs at `openssl speed` rates.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_PRIVATE_KEY_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_PRIVATE_KEY_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "dnssec/algorithm.h"
#include "dnssec/openssl_ptr.h"
#include "dnssec/zone_key.h"
#include "keystore/crypto/secret_bytes.h"

namespace zonekeep {
namespace keystore {

class PrivateKey {
 public:
  // A fresh key. REQUIRES: bits from dnssec::ResolveKeyBits(algorithm, ...).
  static absl::StatusOr<PrivateKey> Generate(dnssec::Algorithm algorithm,
                                             int bits);
  // Decodes a PKCS#8 DER private key; fails if its type does not match
  // `algorithm`.
  static absl::StatusOr<PrivateKey> FromPkcs8(dnssec::Algorithm algorithm,
                                              const SecretBytes& der);
  // Takes ownership of an EVP_PKEY built elsewhere in keystore/ (BIND import);
  // fails if its type or curve does not match `algorithm`.
  static absl::StatusOr<PrivateKey> FromEvpPkey(dnssec::Algorithm algorithm,
                                                dnssec::EvpPkeyPtr pkey);

  PrivateKey(PrivateKey&&) = default;
  PrivateKey& operator=(PrivateKey&&) = default;

  dnssec::Algorithm algorithm() const { return algorithm_; }
  int bits() const;

  // The public key field of the DNSKEY RDATA (RFC 3110, RFC 6605, RFC 8080).
  std::vector<uint8_t> DnskeyPublicKey() const;

  // Signature in DNSSEC wire form (see dnssec::SigningHandle::Sign).
  absl::StatusOr<std::vector<uint8_t>> Sign(
      absl::Span<const uint8_t> data) const;

  // PKCS#8 DER of the private key, for sealing only.
  absl::StatusOr<SecretBytes> ExportPkcs8ForSealing() const;

  // Moves the key into an opaque handle for the signer engine.
  static std::shared_ptr<const dnssec::SigningHandle> IntoSigningHandle(
      PrivateKey key);

 private:
  // Per-key signing state prepared once (digest fetched, a signing context
  // initialised as a template that each Sign call copies; for ECDSA a
  // mutex-guarded pool of prepared contexts instead). Otherwise immutable
  // after construction, so shared by all threads. Defined in private_key.cc.
  struct SignState;
  // ECDSA: digest, then sign on a pooled prepared context.
  absl::StatusOr<std::vector<uint8_t>> SignEcdsa(
      absl::Span<const uint8_t> data) const;

  PrivateKey(dnssec::Algorithm algorithm, dnssec::EvpPkeyPtr pkey);
  // Checks the key against `algorithm_` and prepares `sign_`.
  absl::Status Init();

  dnssec::Algorithm algorithm_;
  dnssec::EvpPkeyPtr pkey_;
  std::shared_ptr<const SignState> sign_;
};

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_PRIVATE_KEY_H_
