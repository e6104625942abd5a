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
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/ecdsa_signature.h"
#include "dnssec/openssl_ptr.h"
#include "dnssec/public_key.h"
#include "dnssec/zone_key.h"

namespace zonekeep {
namespace keystore {
namespace {

absl::StatusOr<dnssec::AlgorithmSpec> SpecFor(dnssec::Algorithm algorithm) {
  const std::optional<dnssec::AlgorithmSpec> spec = dnssec::SpecOf(algorithm);
  if (!spec.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported DNSSEC algorithm ", static_cast<int>(algorithm)));
  }
  return *spec;
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
bool HasPrivateKey(EVP_PKEY* pkey, const dnssec::AlgorithmSpec& spec) {
  if (spec.digest == nullptr) {  // EdDSA
    size_t len = 0;
    return EVP_PKEY_get_raw_private_key(pkey, nullptr, &len) == 1 && len > 0;
  }
  BIGNUM* raw = nullptr;
  const char* param = spec.family == dnssec::KeyFamily::kRsa
                          ? OSSL_PKEY_PARAM_RSA_D
                          : OSSL_PKEY_PARAM_PRIV_KEY;
  const bool ok = EVP_PKEY_get_bn_param(pkey, param, &raw) == 1;
  BN_clear_free(raw);
  return ok;
}

}  // namespace

struct PrivateKey::SignState {
  dnssec::AlgorithmSpec spec;
  dnssec::EvpMdPtr md;  // fetched once; null for EdDSA
  // A context after EVP_DigestSignInit; each Sign copies it, which skips the
  // per-call algorithm fetch. Null if this OpenSSL cannot copy it (EdDSA):
  // Sign then initialises a fresh context.
  dnssec::EvpMdCtxPtr sign_template;
  size_t max_signature_size = 0;
  // ECDSA only: a digest context and an EVP_PKEY_sign-initialised context,
  // reused across calls (at most one pair per concurrent caller); they die
  // with this state, i.e. with the key. Sign hashes the data on the one and
  // signs the digest on the other.
  struct EcdsaContexts {
    dnssec::EvpMdCtxPtr digest;
    dnssec::EvpPkeyCtxPtr sign;
  };
  mutable std::mutex pool_mu;
  mutable std::vector<EcdsaContexts> pool;
};

PrivateKey::PrivateKey(dnssec::Algorithm algorithm, dnssec::EvpPkeyPtr pkey)
    : algorithm_(algorithm), pkey_(std::move(pkey)) {}

absl::Status PrivateKey::Init() {
  absl::StatusOr<dnssec::AlgorithmSpec> spec = SpecFor(algorithm_);
  if (!spec.ok()) return spec.status();
  const std::string name = dnssec::AlgorithmName(algorithm_);
  if (pkey_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("no key for ", name));
  }
  if (EVP_PKEY_is_a(pkey_.get(), spec->key_type) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("key type does not match algorithm ", name));
  }
  if (spec->family == dnssec::KeyFamily::kEcdsa) {
    absl::StatusOr<std::string> group = GroupName(pkey_.get());
    if (!group.ok()) return group.status();
    int nid = OBJ_txt2nid(group->c_str());
    if (nid == NID_undef) nid = EC_curve_nist2nid(group->c_str());
    if (nid != EC_curve_nist2nid(spec->group)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "EC key on curve ", *group, " does not match algorithm ", name));
    }
  }
  if (spec->family == dnssec::KeyFamily::kRsa) {
    absl::StatusOr<int> bits =
        dnssec::ResolveKeyBits(algorithm_, EVP_PKEY_get_bits(pkey_.get()));
    if (!bits.ok()) return bits.status();
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
  dnssec::EvpMdCtxPtr tmpl(EVP_MD_CTX_new());
  if (tmpl == nullptr ||
      EVP_DigestSignInit(tmpl.get(), nullptr, state->md.get(), nullptr,
                         pkey_.get()) != 1) {
    return absl::InternalError(
        absl::StrCat("cannot initialise signing for ", name));
  }
  // Keep the template only if this OpenSSL can copy it.
  dnssec::EvpMdCtxPtr probe(EVP_MD_CTX_new());
  if (probe != nullptr && EVP_MD_CTX_copy_ex(probe.get(), tmpl.get()) == 1) {
    state->sign_template = std::move(tmpl);
  }
  dnssec::ClearOpensslErrors();
  sign_ = std::move(state);
  return absl::OkStatus();
}

absl::StatusOr<PrivateKey> PrivateKey::Generate(dnssec::Algorithm algorithm,
                                                int bits) {
  absl::StatusOr<dnssec::AlgorithmSpec> spec = SpecFor(algorithm);
  if (!spec.ok()) return spec.status();
  const std::string name = dnssec::AlgorithmName(algorithm);
  if (!dnssec::IsAllowedForNewKeys(algorithm)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is accepted for imported keys only"));
  }
  dnssec::EvpPkeyCtxPtr ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, spec->key_type, nullptr));
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat("cannot start key generation for ", name));
  }
  if (dnssec::IsRsa(algorithm)) {
    if (absl::StatusOr<int> checked = dnssec::ResolveKeyBits(algorithm, bits);
        !checked.ok()) {
      return checked.status();
    }
    if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
      dnssec::ClearOpensslErrors();
      return absl::InternalError("cannot set RSA key size");
    }
  } else if (spec->group != nullptr) {
    if (EVP_PKEY_CTX_set_group_name(ctx.get(), spec->group) != 1) {
      dnssec::ClearOpensslErrors();
      return absl::InternalError("cannot set EC curve");
    }
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat("key generation failed for ", name));
  }
  return FromEvpPkey(algorithm, dnssec::EvpPkeyPtr(raw));
}

absl::StatusOr<PrivateKey> PrivateKey::FromPkcs8(dnssec::Algorithm algorithm,
                                                 const SecretBytes& der) {
  const unsigned char* p = der.data();
  dnssec::Pkcs8Ptr p8(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (p8 == nullptr || p != der.data() + der.size()) {
    dnssec::ClearOpensslErrors();
    return absl::InvalidArgumentError("not a PKCS#8 private key");
  }
  dnssec::EvpPkeyPtr pkey(EVP_PKCS82PKEY(p8.get()));
  if (pkey == nullptr) {
    dnssec::ClearOpensslErrors();
    return absl::InvalidArgumentError("cannot decode PKCS#8 private key");
  }
  return FromEvpPkey(algorithm, std::move(pkey));
}

absl::StatusOr<PrivateKey> PrivateKey::FromEvpPkey(dnssec::Algorithm algorithm,
                                                   dnssec::EvpPkeyPtr pkey) {
  PrivateKey key(algorithm, std::move(pkey));
  if (absl::Status s = key.Init(); !s.ok()) {
    dnssec::ClearOpensslErrors();
    return s;
  }
  return key;
}

int PrivateKey::bits() const {
  if (dnssec::IsRsa(algorithm_)) return EVP_PKEY_get_bits(pkey_.get());
  absl::StatusOr<int> bits = dnssec::ResolveKeyBits(algorithm_, std::nullopt);
  return bits.ok() ? *bits : 0;
}

std::vector<uint8_t> PrivateKey::DnskeyPublicKey() const {
  absl::StatusOr<std::string> key =
      dnssec::DnskeyPublicKeyOf(pkey_.get(), algorithm_);
  if (!key.ok()) return {};
  return std::vector<uint8_t>(key->begin(), key->end());
}

absl::StatusOr<std::vector<uint8_t>> PrivateKey::Sign(
    absl::Span<const uint8_t> data) const {
  const SignState& state = *sign_;
  if (state.spec.family == dnssec::KeyFamily::kEcdsa) return SignEcdsa(data);
  dnssec::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
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
    dnssec::ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat(dnssec::AlgorithmName(algorithm_), " signing failed"));
  }
  sig.resize(sig_len);
  return sig;
}

absl::StatusOr<std::vector<uint8_t>> PrivateKey::SignEcdsa(
    absl::Span<const uint8_t> data) const {
  const SignState& state = *sign_;
  SignState::EcdsaContexts ctx;
  {
    std::lock_guard<std::mutex> lock(state.pool_mu);
    if (!state.pool.empty()) {
      ctx = std::move(state.pool.back());
      state.pool.pop_back();
    }
  }
  if (ctx.sign == nullptr) {
    ctx.digest.reset(EVP_MD_CTX_new());
    ctx.sign.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
    if (ctx.digest == nullptr || ctx.sign == nullptr ||
        EVP_PKEY_sign_init(ctx.sign.get()) != 1) {
      dnssec::ClearOpensslErrors();
      return absl::InternalError(absl::StrCat(
          "cannot initialise signing for ", dnssec::AlgorithmName(algorithm_)));
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_DigestInit_ex2(ctx.digest.get(), state.md.get(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.digest.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.digest.get(), digest, &digest_len) != 1) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat(dnssec::AlgorithmName(algorithm_), " digest failed"));
  }
  uint8_t der[dnssec::kMaxEcdsaDerSize];
  size_t der_len = sizeof(der);
  if (EVP_PKEY_sign(ctx.sign.get(), der, &der_len, digest, digest_len) != 1) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat(dnssec::AlgorithmName(algorithm_), " signing failed"));
  }
  {
    std::lock_guard<std::mutex> lock(state.pool_mu);
    state.pool.push_back(std::move(ctx));
  }
  return dnssec::EcdsaDerToRaw(der, der_len, state.spec.component_size);
}

absl::StatusOr<SecretBytes> PrivateKey::ExportPkcs8ForSealing() const {
  dnssec::Pkcs8Ptr p8(EVP_PKEY2PKCS8(pkey_.get()));
  if (p8 == nullptr) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError("cannot encode private key as PKCS#8");
  }
  const int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
  if (len <= 0) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError("cannot encode private key as PKCS#8");
  }
  SecretBytes der(len);
  unsigned char* p = der.data();
  if (i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p) != len) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError("cannot encode private key as PKCS#8");
  }
  return der;
}

namespace {

// The opaque handle the signer engine gets: signs, reveals nothing.
class KeySigningHandle final : public dnssec::SigningHandle {
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

std::shared_ptr<const dnssec::SigningHandle> PrivateKey::IntoSigningHandle(
    PrivateKey key) {
  return std::make_shared<const KeySigningHandle>(std::move(key));
}

}  // namespace keystore
}  // namespace zonekeep
