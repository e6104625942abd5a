// Verifies DNSSEC signatures with the public key of a DNSKEY record
// (RFC 3110 RSA, RFC 6605 ECDSA r||s, RFC 8080 EdDSA), on OpenSSL EVP.
//
// Verify() tells a bad signature (false) apart from nothing else: any decoding
// or library failure also yields false, since a signature that cannot be
// checked must not be accepted.
// Thread-safety: immutable after Create; Verify is safe from many threads (it
// makes its own EVP_MD_CTX per call).
#ifndef ZONEKEEP_SIGNER_DNSKEY_VERIFIER_H_
#define ZONEKEEP_SIGNER_DNSKEY_VERIFIER_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace signer {

class DnskeyVerifier {
 public:
  // From DNSKEY RDATA (flags, protocol, algorithm, public key). Unimplemented
  // for algorithms zonekeep does not sign with.
  static absl::StatusOr<DnskeyVerifier> Create(absl::string_view dnskey_rdata);

  uint8_t algorithm() const { return algorithm_; }
  uint16_t key_tag() const { return key_tag_; }
  uint16_t flags() const { return flags_; }

  // Thread-safe. ECDSA verifies reuse prepared contexts from a pool shared
  // by the copies of this verifier (EVP_PKEY_verify_init per call would cost
  // about as much as the verification).
  bool Verify(absl::string_view data, absl::string_view signature) const;

 private:
  struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  };
  struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
  };
  using PooledContext = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
  struct ContextPool {
    std::mutex mu;
    std::vector<PooledContext> free;  // at most one per concurrent caller
  };
  DnskeyVerifier() = default;
  // A verify-initialised context for pkey_ (from the pool or new), or null.
  PooledContext TakeContext() const;
  void ReturnContext(PooledContext ctx) const;

  uint8_t algorithm_ = 0;
  uint16_t key_tag_ = 0;
  uint16_t flags_ = 0;
  // Fetched once (OpenSSL 3 would otherwise fetch per verify); null for
  // EdDSA.
  std::shared_ptr<EVP_MD> md_;
  int ecdsa_size_ = 0;  // bytes of r (and of s); 0 if not ECDSA
  std::shared_ptr<EVP_PKEY> pkey_;
  std::shared_ptr<ContextPool> pool_;
};

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_DNSKEY_VERIFIER_H_
