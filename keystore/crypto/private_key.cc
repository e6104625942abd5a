#include "keystore/crypto/private_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "keystore/crypto/ossl_util.h"

namespace zonekeep {
namespace {

constexpr int kMinRsaBits = 1024;
constexpr int kMaxRsaBits = 4096;

// What each algorithm needs from OpenSSL.
struct AlgorithmSpec {
  const char* key_type;   // EVP_PKEY type name
  const char* digest;     // nullptr for EdDSA (pure signing)
  int curve_nid;          // NID_undef unless ECDSA
  const char* group;      // ECDSA group name for key generation
  size_t component_size;  // ECDSA r and s size, EdDSA public key size
};

absl::StatusOr<AlgorithmSpec> SpecFor(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kRsaSha1:
    case Algorithm::kNsec3RsaSha1:
      return AlgorithmSpec{"RSA", "SHA1", NID_undef, nullptr, 0};
    case Algorithm::kRsaSha256:
      return AlgorithmSpec{"RSA", "SHA256", NID_undef, nullptr, 0};
    case Algorithm::kRsaSha512:
      return AlgorithmSpec{"RSA", "SHA512", NID_undef, nullptr, 0};
    case Algorithm::kEcdsaP256Sha256:
      return AlgorithmSpec{"EC", "SHA256", NID_X9_62_prime256v1, "P-256", 32};
    case Algorithm::kEcdsaP384Sha384:
      return AlgorithmSpec{"EC", "SHA384", NID_secp384r1, "P-384", 48};
    case Algorithm::kEd25519:
      return AlgorithmSpec{"ED25519", nullptr, NID_undef, nullptr, 32};
    case Algorithm::kEd448:
      return AlgorithmSpec{"ED448", nullptr, NID_undef, nullptr, 57};
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unsupported DNSSEC algorithm ", static_cast<int>(algorithm)));
}

absl::StatusOr<std::string> GroupName(EVP_PKEY* pkey) {
  char name[80] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name,
                                     sizeof(name), &len) != 1) {
    return absl::InvalidArgumentError("EC key has no named curve");
  }
  return std::string(name, len);
}

// True if the EVP_PKEY carries its private half.
bool HasPrivateKey(EVP_PKEY* pkey, const AlgorithmSpec& spec) {
  if (spec.digest == nullptr) {  // EdDSA
    size_t len = 0;
    return EVP_PKEY_get_raw_private_key(pkey, nullptr, &len) == 1 && len > 0;
  }
  BIGNUM* raw = nullptr;
  const char* param = spec.curve_nid == NID_undef ? OSSL_PKEY_PARAM_RSA_D
                                                  : OSSL_PKEY_PARAM_PRIV_KEY;
  const bool ok = EVP_PKEY_get_bn_param(pkey, param, &raw) == 1;
  BN_clear_free(raw);
  return ok;
}

std::vector<uint8_t> BnToBytes(const BIGNUM* bn) {
  std::vector<uint8_t> out(BN_num_bytes(bn));
  BN_bn2bin(bn, out.data());
  return out;
}

absl::StatusOr<std::vector<uint8_t>> DerToRawEcdsa(const uint8_t* der,
                                                   size_t der_len,
                                                   size_t component_size) {
  const unsigned char* p = der;
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (sig == nullptr) {
    return absl::InternalError("cannot decode ECDSA signature");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::vector<uint8_t> out(2 * component_size);
  if (BN_bn2binpad(r, out.data(), component_size) < 0 ||
      BN_bn2binpad(s, out.data() + component_size, component_size) < 0) {
    return absl::InternalError("ECDSA signature component too large");
  }
  return out;
}

// Reads one DER INTEGER at *p (bounded by end) into `out` as `size` bytes,
// big-endian, left-padded; false if malformed or too large.
bool TakeDerInteger(const uint8_t** p, const uint8_t* end, size_t size,
                    uint8_t* out) {
  if (end - *p < 2 || (*p)[0] != 0x02) return false;
  size_t len = (*p)[1];
  const uint8_t* v = *p + 2;
  if (len == 0 || len > 127 || static_cast<size_t>(end - v) < len) {
    return false;
  }
  *p = v + len;
  while (len > 0 && *v == 0) {
    ++v;
    --len;
  }
  if (len > size) return false;
  std::memset(out, 0, size - len);
  std::memcpy(out + size - len, v, len);
  return true;
}

// DER ECDSA-Sig-Value to r||s (RFC 6605) without BIGNUM allocations.
absl::StatusOr<std::vector<uint8_t>> DerToRawEcdsaFast(const uint8_t* der,
                                                       size_t der_len,
                                                       size_t component_size) {
  std::vector<uint8_t> out(2 * component_size);
  if (der_len < 2 || der[0] != 0x30 || der[1] > 127 ||
      static_cast<size_t>(der[1]) + 2 != der_len) {
    return DerToRawEcdsa(der, der_len, component_size);
  }
  const uint8_t* p = der + 2;
  const uint8_t* end = der + der_len;
  if (!TakeDerInteger(&p, end, component_size, out.data()) ||
      !TakeDerInteger(&p, end, component_size, out.data() + component_size) ||
      p != end) {
    return DerToRawEcdsa(der, der_len, component_size);
  }
  return out;
}

}  // namespace

struct PrivateKey::SignState {
  AlgorithmSpec spec;
  EvpMdPtr md;  // fetched once; null for EdDSA
  // A context after EVP_DigestSignInit; each Sign copies it, which skips the
  // per-call algorithm fetch. Null if this OpenSSL cannot copy it (EdDSA):
  // Sign then initialises a fresh context.
  EvpMdCtxPtr sign_template;
  size_t max_signature_size = 0;
  // ECDSA only: EVP_PKEY_sign-initialised contexts, reused across calls (at
  // most one per concurrent caller); they die with this state, i.e. with
  // the key. Sign hashes the data itself and signs the digest on one.
  mutable std::mutex pool_mu;
  mutable std::vector<EvpPkeyCtxPtr> pool;
};

PrivateKey::PrivateKey(Algorithm algorithm, EvpPkeyPtr pkey)
    : algorithm_(algorithm), pkey_(std::move(pkey)) {}

absl::Status PrivateKey::Init() {
  absl::StatusOr<AlgorithmSpec> spec = SpecFor(algorithm_);
  if (!spec.ok()) return spec.status();
  const std::string name = AlgorithmName(algorithm_);
  if (pkey_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("no key for ", name));
  }
  if (EVP_PKEY_is_a(pkey_.get(), spec->key_type) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("key type does not match algorithm ", name));
  }
  if (spec->curve_nid != NID_undef) {
    absl::StatusOr<std::string> group = GroupName(pkey_.get());
    if (!group.ok()) return group.status();
    int nid = OBJ_txt2nid(group->c_str());
    if (nid == NID_undef) nid = EC_curve_nist2nid(group->c_str());
    if (nid != spec->curve_nid) {
      return absl::InvalidArgumentError(absl::StrCat(
          "EC key on curve ", *group, " does not match algorithm ", name));
    }
  }
  if (spec->curve_nid == NID_undef && spec->digest != nullptr) {
    const int bits = EVP_PKEY_get_bits(pkey_.get());
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " key size ", bits, " is out of range (",
                       kMinRsaBits, "-", kMaxRsaBits, ")"));
    }
  }
  if (!HasPrivateKey(pkey_.get(), *spec)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " key has no private part"));
  }

  auto state = std::make_shared<SignState>();
  state->spec = *spec;
  state->max_signature_size = EVP_PKEY_get_size(pkey_.get());
  if (spec->digest != nullptr) {
    state->md.reset(EVP_MD_fetch(nullptr, spec->digest, nullptr));
    if (state->md == nullptr) {
      return absl::InternalError(
          absl::StrCat("digest ", spec->digest, " unavailable"));
    }
  }
  EvpMdCtxPtr tmpl(EVP_MD_CTX_new());
  if (tmpl == nullptr ||
      EVP_DigestSignInit(tmpl.get(), nullptr, state->md.get(), nullptr,
                         pkey_.get()) != 1) {
    return absl::InternalError(
        absl::StrCat("cannot initialise signing for ", name));
  }
  // Keep the template only if this OpenSSL can copy it.
  EvpMdCtxPtr probe(EVP_MD_CTX_new());
  if (probe != nullptr && EVP_MD_CTX_copy_ex(probe.get(), tmpl.get()) == 1) {
    state->sign_template = std::move(tmpl);
  }
  ClearOpensslErrors();
  sign_ = std::move(state);
  return absl::OkStatus();
}

absl::StatusOr<PrivateKey> PrivateKey::Generate(Algorithm algorithm, int bits) {
  absl::StatusOr<AlgorithmSpec> spec = SpecFor(algorithm);
  if (!spec.ok()) return spec.status();
  const std::string name = AlgorithmName(algorithm);
  if (!IsAllowedForNewKeys(algorithm)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is accepted for imported keys only"));
  }
  EvpPkeyCtxPtr ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, spec->key_type, nullptr));
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat("cannot start key generation for ", name));
  }
  if (IsRsa(algorithm)) {
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " key size ", bits, " is out of range (",
                       kMinRsaBits, "-", kMaxRsaBits, ")"));
    }
    if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
      ClearOpensslErrors();
      return absl::InternalError("cannot set RSA key size");
    }
  } else if (spec->group != nullptr) {
    if (EVP_PKEY_CTX_set_group_name(ctx.get(), spec->group) != 1) {
      ClearOpensslErrors();
      return absl::InternalError("cannot set EC curve");
    }
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat("key generation failed for ", name));
  }
  return FromEvpPkey(algorithm, EvpPkeyPtr(raw));
}

absl::StatusOr<PrivateKey> PrivateKey::FromPkcs8(Algorithm algorithm,
                                                 const SecretBytes& der) {
  const unsigned char* p = der.data();
  Pkcs8Ptr p8(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (p8 == nullptr || p != der.data() + der.size()) {
    ClearOpensslErrors();
    return absl::InvalidArgumentError("not a PKCS#8 private key");
  }
  EvpPkeyPtr pkey(EVP_PKCS82PKEY(p8.get()));
  if (pkey == nullptr) {
    ClearOpensslErrors();
    return absl::InvalidArgumentError("cannot decode PKCS#8 private key");
  }
  return FromEvpPkey(algorithm, std::move(pkey));
}

absl::StatusOr<PrivateKey> PrivateKey::FromEvpPkey(Algorithm algorithm,
                                                   EvpPkeyPtr pkey) {
  PrivateKey key(algorithm, std::move(pkey));
  if (absl::Status s = key.Init(); !s.ok()) {
    ClearOpensslErrors();
    return s;
  }
  return key;
}

int PrivateKey::bits() const {
  if (IsRsa(algorithm_)) return EVP_PKEY_get_bits(pkey_.get());
  absl::StatusOr<int> bits = ResolveKeyBits(algorithm_, std::nullopt);
  return bits.ok() ? *bits : 0;
}

std::vector<uint8_t> PrivateKey::DnskeyPublicKey() const {
  const AlgorithmSpec& spec = sign_->spec;
  std::vector<uint8_t> out;
  if (spec.digest == nullptr) {  // EdDSA: the raw public key (RFC 8080)
    size_t len = 0;
    if (EVP_PKEY_get_raw_public_key(pkey_.get(), nullptr, &len) != 1) {
      return out;
    }
    out.resize(len);
    if (EVP_PKEY_get_raw_public_key(pkey_.get(), out.data(), &len) != 1) {
      out.clear();
    }
    return out;
  }
  if (spec.curve_nid != NID_undef) {  // ECDSA: X || Y (RFC 6605)
    BIGNUM* x = nullptr;
    BIGNUM* y = nullptr;
    const bool ok =
        EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
        EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1;
    BignumPtr xp(x);
    BignumPtr yp(y);
    if (!ok) return out;
    out.resize(2 * spec.component_size);
    if (BN_bn2binpad(x, out.data(), spec.component_size) < 0 ||
        BN_bn2binpad(y, out.data() + spec.component_size, spec.component_size) <
            0) {
      out.clear();
    }
    return out;
  }
  // RSA (RFC 3110): exponent length, exponent, modulus.
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  const bool ok =
      EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
      EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_E, &e) == 1;
  BignumPtr np(n);
  BignumPtr ep(e);
  if (!ok) return out;
  const std::vector<uint8_t> exponent = BnToBytes(e);
  const std::vector<uint8_t> modulus = BnToBytes(n);
  if (exponent.size() <= 255) {
    out.push_back(static_cast<uint8_t>(exponent.size()));
  } else {
    out.push_back(0);
    out.push_back(static_cast<uint8_t>(exponent.size() >> 8));
    out.push_back(static_cast<uint8_t>(exponent.size() & 0xff));
  }
  out.insert(out.end(), exponent.begin(), exponent.end());
  out.insert(out.end(), modulus.begin(), modulus.end());
  return out;
}

absl::StatusOr<std::vector<uint8_t>> PrivateKey::Sign(
    absl::Span<const uint8_t> data) const {
  const SignState& state = *sign_;
  if (state.spec.curve_nid != NID_undef) return SignEcdsa(data);
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return absl::ResourceExhaustedError("out of memory");
  const bool ready =
      state.sign_template != nullptr
          ? EVP_MD_CTX_copy_ex(ctx.get(), state.sign_template.get()) == 1
          : EVP_DigestSignInit(ctx.get(), nullptr, state.md.get(), nullptr,
                               pkey_.get()) == 1;
  std::vector<uint8_t> sig(state.max_signature_size);
  size_t sig_len = sig.size();
  if (!ready || EVP_DigestSign(ctx.get(), sig.data(), &sig_len, data.data(),
                               data.size()) != 1) {
    ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat(AlgorithmName(algorithm_), " signing failed"));
  }
  sig.resize(sig_len);
  if (state.spec.curve_nid != NID_undef) {
    return DerToRawEcdsa(sig.data(), sig.size(), state.spec.component_size);
  }
  return sig;
}

absl::StatusOr<std::vector<uint8_t>> PrivateKey::SignEcdsa(
    absl::Span<const uint8_t> data) const {
  const SignState& state = *sign_;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &digest_len, state.md.get(),
                 nullptr) != 1) {
    ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat(AlgorithmName(algorithm_), " digest failed"));
  }
  EvpPkeyCtxPtr ctx;
  {
    std::lock_guard<std::mutex> lock(state.pool_mu);
    if (!state.pool.empty()) {
      ctx = std::move(state.pool.back());
      state.pool.pop_back();
    }
  }
  if (ctx == nullptr) {
    ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
    if (ctx == nullptr || EVP_PKEY_sign_init(ctx.get()) != 1) {
      ClearOpensslErrors();
      return absl::InternalError(absl::StrCat("cannot initialise signing for ",
                                              AlgorithmName(algorithm_)));
    }
  }
  uint8_t der[2 * (3 + 66) + 2];
  size_t der_len = sizeof(der);
  const bool ok =
      EVP_PKEY_sign(ctx.get(), der, &der_len, digest, digest_len) == 1;
  if (!ok) {
    ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat(AlgorithmName(algorithm_), " signing failed"));
  }
  {
    std::lock_guard<std::mutex> lock(state.pool_mu);
    state.pool.push_back(std::move(ctx));
  }
  return DerToRawEcdsaFast(der, der_len, state.spec.component_size);
}

absl::StatusOr<SecretBytes> PrivateKey::ExportPkcs8ForSealing() const {
  Pkcs8Ptr p8(EVP_PKEY2PKCS8(pkey_.get()));
  if (p8 == nullptr) {
    ClearOpensslErrors();
    return absl::InternalError("cannot encode private key as PKCS#8");
  }
  const int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
  if (len <= 0) {
    ClearOpensslErrors();
    return absl::InternalError("cannot encode private key as PKCS#8");
  }
  SecretBytes der(len);
  unsigned char* p = der.data();
  if (i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p) != len) {
    ClearOpensslErrors();
    return absl::InternalError("cannot encode private key as PKCS#8");
  }
  return der;
}

namespace {

// The opaque handle the signer engine gets: signs, reveals nothing.
class KeySigningHandle final : public SigningHandle {
 public:
  explicit KeySigningHandle(PrivateKey key) : key_(std::move(key)) {}
  absl::StatusOr<std::vector<uint8_t>> Sign(
      absl::Span<const uint8_t> data) const override {
    return key_.Sign(data);
  }

 private:
  const PrivateKey key_;
};

}  // namespace

std::shared_ptr<const SigningHandle> PrivateKey::IntoSigningHandle(
    PrivateKey key) {
  return std::make_shared<const KeySigningHandle>(std::move(key));
}

}  // namespace zonekeep
