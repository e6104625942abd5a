// OpenSSL 3.0 deprecates the low-level EC calls this file is built on
// (EC_GROUP_precompute_mult, EC_POINTs_mul, EC_GROUP_method_of,
// EC_POINT_get_Jprojective_coordinates_GFp): EVP is meant to be used
// instead, but EVP has no way to keep a table of multiples of a public key.
// They are still present and maintained in 3.x. Defined before any OpenSSL
// header (ours includes some), and only in this file.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "signer/ecdsa_table_verifier.h"

#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dnssec/openssl_ptr.h"

namespace zonekeep {
namespace signer {
namespace {

using BnPtr = dnssec::PublicBignumPtr;
using dnssec::BnCtxPtr;
using EcPointPtr = dnssec::PublicEcPointPtr;

using Verdict = EcdsaTableVerifier::Verdict;

// Whether `group` multiplies through OpenSSL's generic wNAF code (the
// methods without a `mul` of their own), which sends a lone generator
// multiple k*G to a constant-time ladder that ignores the table.
bool UsesGenericWnaf(const EC_GROUP* group) {
  const EC_METHOD* method = EC_GROUP_method_of(group);
  return method == EC_GFp_mont_method() || method == EC_GFp_simple_method() ||
         method == EC_GFp_nist_method();
}

// 1 <= x <= n - 1 (x is never negative: it comes from BN_bin2bn).
bool InRange(const BIGNUM* x, const BIGNUM* n) {
  return !BN_is_zero(x) && BN_cmp(x, n) < 0;
}

// Replaces every v[i] by v[i]^-1 mod n with one modular inversion
// (Montgomery's trick): with prefix[i] = v[0] * ... * v[i], inv =
// prefix[k-1]^-1 is the inverse of the whole product; walking back,
// v[i]^-1 = inv * prefix[i-1], and inv * v[i] is the inverse of the product
// of the first i. Three multiplications per element instead of one
// BN_mod_inverse each, which costs about 50 of them.
// REQUIRES: n prime, every v[i] in [1, n-1] (so every product is
// invertible), v not empty.
bool InvertAll(std::vector<BnPtr>* v, const BIGNUM* n, BN_CTX* ctx) {
  const size_t k = v->size();
  std::vector<BnPtr> prefix(k);
  for (size_t i = 0; i < k; ++i) {
    prefix[i].reset(BN_new());
    if (prefix[i] == nullptr) return false;
    const bool ok = i == 0 ? BN_copy(prefix[0].get(), (*v)[0].get()) != nullptr
                           : BN_mod_mul(prefix[i].get(), prefix[i - 1].get(),
                                        (*v)[i].get(), n, ctx) == 1;
    if (!ok) return false;
  }
  BnPtr inv(BN_mod_inverse(nullptr, prefix[k - 1].get(), n, ctx));
  BnPtr t(BN_new());
  if (inv == nullptr || t == nullptr) return false;
  for (size_t i = k - 1; i > 0; --i) {
    if (BN_mod_mul(t.get(), inv.get(), prefix[i - 1].get(), n, ctx) != 1 ||
        BN_mod_mul(inv.get(), inv.get(), (*v)[i].get(), n, ctx) != 1) {
      return false;
    }
    std::swap((*v)[i], t);  // v[i] = v[i]^-1; t takes the old v[i] as space
  }
  std::swap((*v)[0], inv);
  return true;
}

}  // namespace

struct EcdsaTableVerifier::Scratch {
  EcPointPtr g_part;  // u1*G, in g_group_
  EcPointPtr q_part;  // u2*Q, in q_group_
  EcPointPtr sum;     // R, in g_group_
};

absl::StatusOr<EcdsaTableVerifier> EcdsaTableVerifier::Create(
    Curve curve, absl::string_view public_key) {
  EcdsaTableVerifier v;
  v.size_ = curve == Curve::kP256 ? 32 : 48;
  const int nid = curve == Curve::kP256 ? NID_X9_62_prime256v1 : NID_secp384r1;
  if (public_key.size() != 2 * v.size_) {
    return absl::InvalidArgumentError("ECDSA public key of the wrong size");
  }
  const auto internal = [](const char* what) {
    ERR_clear_error();
    return absl::InternalError(
        absl::StrCat("cannot build the ECDSA key table: ", what));
  };
  BnCtxPtr ctx(BN_CTX_new());
  v.g_group_.reset(EC_GROUP_new_by_curve_name(nid));
  if (ctx == nullptr || v.g_group_ == nullptr) return internal("no group");
  const EC_GROUP* g = v.g_group_.get();
  v.n_ = EC_GROUP_get0_order(g);
  v.p_ = EC_GROUP_get0_field(g);

  // Q from 04||x||y; EC_POINT_oct2point refuses points off the curve.
  std::string encoded(1, '\x04');
  encoded.append(public_key.data(), public_key.size());
  EcPointPtr q(EC_POINT_new(g));
  if (q == nullptr) return internal("no point");
  if (EC_POINT_oct2point(g, q.get(),
                         reinterpret_cast<const unsigned char*>(encoded.data()),
                         encoded.size(), ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(g, q.get())) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        "ECDSA public key is not a point of the curve");
  }

  // The table for Q: the same curve with Q as its generator. Both curves have
  // prime order n and cofactor 1, so Q (not infinity) also has order n.
  v.q_group_.reset(EC_GROUP_dup(g));
  if (v.q_group_ == nullptr ||
      EC_GROUP_set_generator(v.q_group_.get(), q.get(), v.n_, BN_value_one()) !=
          1 ||
      EC_GROUP_precompute_mult(v.q_group_.get(), ctx.get()) != 1) {
    return internal("precomputation for Q");
  }
  // And one for G: nothing to do for P-256, whose table is built into
  // OpenSSL's assembly code; a few milliseconds for P-384.
  if (EC_GROUP_precompute_mult(v.g_group_.get(), ctx.get()) != 1) {
    return internal("precomputation for G");
  }
  // u1*G (a point of g_group_) is added to u2*Q (a point of q_group_).
  // OpenSSL allows that between groups of one method and curve name, which
  // EC_GROUP_dup keeps; check rather than assume.
  if (EC_GROUP_method_of(g) != EC_GROUP_method_of(v.q_group_.get()) ||
      EC_GROUP_get_curve_name(g) != EC_GROUP_get_curve_name(v.q_group_.get())) {
    return internal("groups not compatible");
  }
  v.pad_lone_scalar_ = UsesGenericWnaf(g);

  // Self-check of the table: (n-1)*Q must be -Q.
  BnPtr n_minus_1(BN_dup(v.n_));
  EcPointPtr check(EC_POINT_new(v.q_group_.get()));
  if (n_minus_1 == nullptr || check == nullptr ||
      BN_sub_word(n_minus_1.get(), 1) != 1 ||
      !v.FixedBaseMul(v.q_group_.get(), check.get(), n_minus_1.get(),
                      ctx.get()) ||
      EC_POINT_invert(g, q.get(), ctx.get()) != 1 ||
      EC_POINT_cmp(g, check.get(), q.get(), ctx.get()) != 0) {
    return internal("self-check failed");
  }
  return v;
}

bool EcdsaTableVerifier::FixedBaseMul(const EC_GROUP* group, EC_POINT* out,
                                      const BIGNUM* k, BN_CTX* ctx) const {
  if (!pad_lone_scalar_) {
    return EC_POINT_mul(group, out, k, nullptr, nullptr, ctx) == 1;
  }
  // Generic wNAF code takes a lone k*B for a secret-key operation and uses a
  // constant-time ladder without the table (4x slower for P-384). The term
  // 0*B changes nothing in the result and keeps it on the table. The P-256
  // assembly code uses its table either way and would pay a full
  // multiplication for the extra term, hence the flag.
  BN_CTX_start(ctx);
  BIGNUM* zero = BN_CTX_get(ctx);
  bool ok = false;
  if (zero != nullptr) {
    BN_zero(zero);
    const EC_POINT* points[1] = {EC_GROUP_get0_generator(group)};
    const BIGNUM* scalars[1] = {zero};
    ok = EC_POINTs_mul(group, out, k, 1, points, scalars, ctx) == 1;
  }
  BN_CTX_end(ctx);
  return ok;
}

EcdsaTableVerifier::Verdict EcdsaTableVerifier::Verify(
    absl::string_view digest, absl::string_view signature) const {
  const Item item{digest, signature};
  return VerifyBatch(absl::MakeConstSpan(&item, 1))[0];
}

std::vector<EcdsaTableVerifier::Verdict> EcdsaTableVerifier::VerifyBatch(
    absl::Span<const Item> items) const {
  std::vector<Verdict> verdicts(items.size(), Verdict::kInvalid);
  BnCtxPtr ctx(BN_CTX_new());
  Scratch scratch{EcPointPtr(EC_POINT_new(g_group_.get())),
                  EcPointPtr(EC_POINT_new(q_group_.get())),
                  EcPointPtr(EC_POINT_new(g_group_.get()))};
  if (ctx == nullptr || scratch.g_part == nullptr ||
      scratch.q_part == nullptr || scratch.sum == nullptr) {
    ERR_clear_error();
    return std::vector<Verdict>(items.size(), Verdict::kError);
  }

  // Signature r||s (RFC 6605 section 4): reject unless 1 <= r, s <= n-1.
  std::vector<size_t> live;  // items that pass, in order
  std::vector<BnPtr> r, w;   // for live items; w holds s until inverted
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].digest.size() != size_) {
      verdicts[i] = Verdict::kError;
      continue;
    }
    const absl::string_view sig = items[i].signature;
    if (sig.size() != 2 * size_) continue;
    const auto* bytes = reinterpret_cast<const unsigned char*>(sig.data());
    BnPtr ri(BN_bin2bn(bytes, static_cast<int>(size_), nullptr));
    BnPtr si(BN_bin2bn(bytes + size_, static_cast<int>(size_), nullptr));
    if (ri == nullptr || si == nullptr) {
      verdicts[i] = Verdict::kError;
      continue;
    }
    if (!InRange(ri.get(), n_) || !InRange(si.get(), n_)) continue;
    live.push_back(i);
    r.push_back(std::move(ri));
    w.push_back(std::move(si));
  }
  if (live.empty()) return verdicts;

  // w = s^-1 mod n, one inversion for the whole batch.
  if (!InvertAll(&w, n_, ctx.get())) {
    ERR_clear_error();
    for (size_t i : live) verdicts[i] = Verdict::kError;
    return verdicts;
  }
  for (size_t k = 0; k < live.size(); ++k) {
    verdicts[live[k]] = Finish(items[live[k]].digest, r[k].get(), w[k].get(),
                               &scratch, ctx.get());
  }
  return verdicts;
}

EcdsaTableVerifier::Verdict EcdsaTableVerifier::Finish(absl::string_view digest,
                                                       const BIGNUM* r,
                                                       const BIGNUM* w,
                                                       Scratch* scratch,
                                                       BN_CTX* ctx) const {
  const EC_GROUP* g = g_group_.get();
  BN_CTX_start(ctx);
  BIGNUM* z = BN_CTX_get(ctx);
  BIGNUM* u1 = BN_CTX_get(ctx);
  BIGNUM* u2 = BN_CTX_get(ctx);
  BIGNUM* x = BN_CTX_get(ctx);   // Jacobian X of R
  BIGNUM* zz = BN_CTX_get(ctx);  // Jacobian Z of R, then Z^2
  BIGNUM* c = BN_CTX_get(ctx);
  BIGNUM* t = BN_CTX_get(ctx);
  Verdict verdict = Verdict::kError;
  // z = the digest as a big-endian integer. SHA-256 with P-256 and SHA-384
  // with P-384: the digest has exactly as many bits as n, so the truncation
  // to the leftmost bits of FIPS 186-4 changes nothing. z may exceed n;
  // BN_mod_mul reduces.
  if (t != nullptr &&
      BN_bin2bn(reinterpret_cast<const unsigned char*>(digest.data()),
                static_cast<int>(digest.size()), z) != nullptr &&
      // u1 = z*w, u2 = r*w (mod n); R = u1*G + u2*Q, both by table.
      BN_mod_mul(u1, z, w, n_, ctx) == 1 &&
      BN_mod_mul(u2, r, w, n_, ctx) == 1 &&
      FixedBaseMul(g, scratch->g_part.get(), u1, ctx) &&
      FixedBaseMul(q_group_.get(), scratch->q_part.get(), u2, ctx) &&
      EC_POINT_add(g, scratch->sum.get(), scratch->g_part.get(),
                   scratch->q_part.get(), ctx) == 1) {
    verdict = Verdict::kInvalid;
    // Accept iff R is not infinity and x(R) mod n == r. R is kept in
    // Jacobian coordinates, x(R) = X / Z^2 with x(R) in [0, p); as r < n and
    // p < 2n, x(R) mod n == r iff x(R) is r or r + n (the latter only if
    // below p), i.e. iff X == c * Z^2 (mod p) for c = r or r + n. This
    // needs no field inversion (libsecp256k1 checks the same way).
    if (!EC_POINT_is_at_infinity(g, scratch->sum.get())) {
      if (EC_POINT_get_Jprojective_coordinates_GFp(g, scratch->sum.get(), x,
                                                   nullptr, zz, ctx) != 1 ||
          BN_mod_sqr(zz, zz, p_, ctx) != 1 || BN_copy(c, r) == nullptr) {
        verdict = Verdict::kError;
      }
      while (verdict == Verdict::kInvalid && BN_cmp(c, p_) < 0) {
        if (BN_mod_mul(t, c, zz, p_, ctx) != 1 ||
            BN_mod_sub(t, x, t, p_, ctx) != 1 || BN_add(c, c, n_) != 1) {
          verdict = Verdict::kError;
        } else if (BN_is_zero(t)) {
          verdict = Verdict::kValid;
        }
      }
    }
  }
  if (verdict == Verdict::kError) ERR_clear_error();
  BN_CTX_end(ctx);
  return verdict;
}

}  // namespace signer
}  // namespace zonekeep
