// Verifies DNSSEC signatures with the public key of a DNSKEY record
// (RFC 3110 RSA, RFC 6605 ECDSA r||s, RFC 8080 EdDSA), on OpenSSL EVP, and
// for ECDSA keys that verify many signatures, on EcdsaTableVerifier: once the
// copies of one verifier have been asked for kEcdsaTableAfter (512)
// signatures, one caller builds the key's table (about 45 ms for P-256) and
// later calls use it (P-256: 1.6x EVP's speed one at a time, 3x in batches
// of 64). If the table cannot be built the key stays on EVP.
//
// Verify() tells a bad signature (false) apart from nothing else: any decoding
// or library failure also yields false, since a signature that cannot be
// checked must not be accepted. Both paths give the same verdicts.
// Thread-safety: the public state is immutable after Create; Verify and
// VerifyBatch are safe from many threads on this object and its copies
// (shared state: a pool of EVP contexts under a mutex, the ECDSA table
// published once through an atomic pointer).
#ifndef ZONEKEEP_SIGNER_DNSKEY_VERIFIER_H_
#define ZONEKEEP_SIGNER_DNSKEY_VERIFIER_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dnssec/algorithm.h"
#include "dnssec/openssl_ptr.h"

namespace zonekeep {
namespace signer {

class EcdsaTableVerifier;

class DnskeyVerifier {
 public:
  // From DNSKEY RDATA (flags, protocol, algorithm, public key). Unimplemented
  // for algorithms zonekeep does not sign with.
  static absl::StatusOr<DnskeyVerifier> Create(absl::string_view dnskey_rdata);

  dnssec::Algorithm algorithm() const { return algorithm_; }
  uint16_t key_tag() const { return key_tag_; }
  uint16_t flags() const { return flags_; }

  // Thread-safe. ECDSA verifies reuse prepared contexts from a pool shared
  // by the copies of this verifier (EVP_PKEY_verify_init per call would cost
  // about as much as the verification).
  bool Verify(absl::string_view data, absl::string_view signature) const;

  struct Item {
    absl::string_view data;       // the signed data (RFC 4034 3.1.8.1)
    absl::string_view signature;  // the RRSIG's signature field
  };
  // Element i is Verify(items[i].data, items[i].signature). ECDSA items share
  // one modular inversion once the table is in use; other algorithms are
  // checked one by one.
  std::vector<bool> VerifyBatch(absl::Span<const Item> items) const;

  // ECDSA: builds the table now rather than after kEcdsaTableAfter
  // signatures (for tests and benchmarks). Returns whether it is in use:
  // false for other algorithms, if building failed, or while another thread
  // is still building it.
  bool PrepareEcdsaTable() const;
  bool ecdsa_table_ready() const;

 private:
  struct EcdsaTableState;  // see dnskey_verifier.cc
  using PooledContext = dnssec::EvpPkeyCtxPtr;
  struct ContextPool {
    std::mutex mu;
    std::vector<PooledContext> free;  // at most one per concurrent caller
  };
  DnskeyVerifier() = default;
  // A verify-initialised context for pkey_ (from the pool or new), or null.
  PooledContext TakeContext() const;
  void ReturnContext(PooledContext ctx) const;
  // The one-signature EVP path.
  bool VerifyEvp(absl::string_view data, absl::string_view signature) const;
  // The ECDSA table if it is in use, counting `upcoming` signatures towards
  // building it; null: use EVP.
  const EcdsaTableVerifier* EcdsaTable(size_t upcoming) const;
  // Builds the table unless some caller already tried; returns it or null.
  const EcdsaTableVerifier* BuildEcdsaTable() const;

  dnssec::Algorithm algorithm_ = dnssec::Algorithm::kEcdsaP256Sha256;
  uint16_t key_tag_ = 0;
  uint16_t flags_ = 0;
  // Fetched once (OpenSSL 3 would otherwise fetch per verify); null for
  // EdDSA.
  std::shared_ptr<EVP_MD> md_;
  int ecdsa_size_ = 0;  // bytes of r (and of s); 0 if not ECDSA
  std::shared_ptr<EVP_PKEY> pkey_;
  std::shared_ptr<ContextPool> pool_;
  std::shared_ptr<EcdsaTableState> ecdsa_table_;  // null if not ECDSA
};

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_DNSKEY_VERIFIER_H_
