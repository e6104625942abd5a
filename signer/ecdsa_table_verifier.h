// EcdsaTableVerifier: fast ECDSA verification for one public key, for a
// signer that checks thousands of its own signatures per key (RFC 6605:
// algorithm 13, P-256 with SHA-256, and 14, P-384 with SHA-384).
//
// Verifying computes R = u1*G + u2*Q. OpenSSL keeps a table of multiples of
// the generator G, but multiplies the public key Q from scratch, which is
// most of the cost of EVP_PKEY_verify. Here Create builds a second group with
// generator Q and a table for it (once per key; about 45 ms for P-256), so
// u2*Q costs about as much as u1*G. VerifyBatch also shares one modular
// inversion among its items (Montgomery's trick) for w = s^-1 mod n.
//
// Public keys and signatures only: nothing secret passes through here, so
// none of it needs to be constant time.
//
// Verdicts are those of FIPS 186-4 section 6.4.2 / SEC 1 section 4.1.4.
// kError means OpenSSL failed (out of memory, say) and nothing was decided:
// callers must not accept such an item (DnskeyVerifier re-checks it on the
// EVP path).
//
// Thread-safety: immutable after Create; Verify and VerifyBatch may run
// concurrently from many threads (each call makes its own BN_CTX and points).
#ifndef ZONEKEEP_SIGNER_ECDSA_TABLE_VERIFIER_H_
#define ZONEKEEP_SIGNER_ECDSA_TABLE_VERIFIER_H_

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dnssec/openssl_ptr.h"

namespace zonekeep {
namespace signer {

class EcdsaTableVerifier {
 public:
  enum class Curve { kP256, kP384 };
  enum class Verdict : uint8_t { kInvalid, kValid, kError };
  struct Item {
    absl::string_view digest;     // H(m): size() bytes
    absl::string_view signature;  // r||s: 2 * size() bytes
  };

  // `public_key` is x||y as in the DNSKEY RDATA (RFC 6605 section 4); it
  // must be a point of the curve. Errors: InvalidArgument for a bad key,
  // Internal if OpenSSL cannot build or check the table (callers then stay on
  // EVP_PKEY_verify).
  static absl::StatusOr<EcdsaTableVerifier> Create(
      Curve curve, absl::string_view public_key);

  // Bytes of n, of r and s, and of the digest: 32 (P-256) or 48 (P-384).
  size_t size() const { return size_; }

  // One signature over a digest; a batch of one.
  Verdict Verify(absl::string_view digest, absl::string_view signature) const;

  // Verdict i is for items[i]. A wrong-size signature is kInvalid; a
  // wrong-size digest is a caller bug and kError.
  std::vector<Verdict> VerifyBatch(absl::Span<const Item> items) const;

 private:
  struct Scratch;  // points reused across the items of one call

  EcdsaTableVerifier() = default;

  // k*B for B the generator of `group`, by the group's table.
  bool FixedBaseMul(const EC_GROUP* group, EC_POINT* out, const BIGNUM* k,
                    BN_CTX* ctx) const;
  // The rest of a verification once w = s^-1 mod n is known.
  Verdict Finish(absl::string_view digest, const BIGNUM* r, const BIGNUM* w,
                 Scratch* scratch, BN_CTX* ctx) const;

  size_t size_ = 0;
  dnssec::EcGroupPtr g_group_;  // the named curve; its table is for G
  dnssec::EcGroupPtr
      q_group_;  // the same curve with generator Q and a table for Q
  // Owned by g_group_ (unique_ptr moves keep them valid).
  const BIGNUM* n_ = nullptr;  // order of G (and of Q)
  const BIGNUM* p_ = nullptr;  // field prime
  // See FixedBaseMul: whether a lone k*B must be padded with a term 0*B.
  bool pad_lone_scalar_ = false;
};

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ECDSA_TABLE_VERIFIER_H_
