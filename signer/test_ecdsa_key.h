// Test-only: an ECDSA key pair made in memory with EVP_EC_gen (never written
// anywhere), in DNSSEC form (RFC 6605: x||y public key, r||s signatures),
// with OpenSSL's own EVP_DigestVerify as the reference verifier.
// Thread-safety: const methods may run concurrently.
#ifndef ZONEKEEP_SIGNER_TEST_ECDSA_KEY_H_
#define ZONEKEEP_SIGNER_TEST_ECDSA_KEY_H_

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dnssec/algorithm.h"

namespace zonekeep {
namespace signer {

class EcdsaTestKey {
 public:
  // ECDSAP256SHA256 or ECDSAP384SHA384.
  static absl::StatusOr<EcdsaTestKey> Generate(dnssec::Algorithm algorithm);

  dnssec::Algorithm algorithm() const { return algorithm_; }
  size_t size() const { return size_; }  // bytes of n, r, s, digest
  const std::string& public_key() const { return public_key_; }  // x||y
  const std::string& order() const { return order_; }  // n, size() bytes
  EVP_PKEY* pkey() const { return pkey_.get(); }       // for EVP baselines
  // DNSKEY RDATA: flags, protocol 3, algorithm, public key.
  std::string DnskeyRdata(uint16_t flags = 256) const;

  std::string Digest(absl::string_view data) const;
  // r||s over data; empty on failure.
  std::string Sign(absl::string_view data) const;
  // EVP_DigestVerify of r||s (converted to DER) over data.
  bool EvpVerify(absl::string_view data, absl::string_view signature) const;

 private:
  EcdsaTestKey() = default;

  dnssec::Algorithm algorithm_ = dnssec::Algorithm::kEcdsaP256Sha256;
  size_t size_ = 0;
  const EVP_MD* md_ = nullptr;  // static, from EVP_sha256 / EVP_sha384
  std::shared_ptr<EVP_PKEY> pkey_;
  std::string public_key_;
  std::string order_;
};

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_TEST_ECDSA_KEY_H_
