#include "signer/dnskey_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "signer/rrsig.h"

namespace zonekeep {
namespace signer {
namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::shared_ptr<EVP_MD> Fetch(const char* name) {
  return std::shared_ptr<EVP_MD>(EVP_MD_fetch(nullptr, name, nullptr),
                                 EVP_MD_free);
}

EVP_PKEY* FromData(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return nullptr;
  }
  return pkey;
}

EVP_PKEY* RsaKey(absl::string_view key) {
  if (key.empty()) return nullptr;
  size_t pos = 0;
  size_t exp_len = static_cast<uint8_t>(key[0]);
  pos = 1;
  if (exp_len == 0) {
    if (key.size() < 3) return nullptr;
    exp_len = ReadU16(key, 1);
    pos = 3;
  }
  if (pos + exp_len >= key.size()) return nullptr;
  const auto* bytes = reinterpret_cast<const unsigned char*>(key.data());
  BnPtr e(BN_bin2bn(bytes + pos, static_cast<int>(exp_len), nullptr));
  BnPtr n(BN_bin2bn(bytes + pos + exp_len,
                    static_cast<int>(key.size() - pos - exp_len), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!e || !n || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(
      OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  return FromData("RSA", params.get());
}

EVP_PKEY* EcKey(absl::string_view key, const char* group, size_t size) {
  if (key.size() != 2 * size) return nullptr;
  std::string point(1, '\x04');
  point.append(key.data(), key.size());
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(
      OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  return FromData("EC", params.get());
}

}  // namespace

absl::StatusOr<DnskeyVerifier> DnskeyVerifier::Create(
    absl::string_view dnskey_rdata) {
  if (dnskey_rdata.size() < 5) {
    return absl::InvalidArgumentError("DNSKEY RDATA too short");
  }
  DnskeyVerifier v;
  v.flags_ = ReadU16(dnskey_rdata, 0);
  v.algorithm_ = static_cast<uint8_t>(dnskey_rdata[3]);
  v.key_tag_ = DnskeyKeyTag(dnskey_rdata);
  const absl::string_view key = dnskey_rdata.substr(4);
  const auto* raw = reinterpret_cast<const unsigned char*>(key.data());
  EVP_PKEY* pkey = nullptr;
  switch (v.algorithm_) {
    case 5:
    case 7:
      v.md_ = Fetch("SHA1");
      pkey = RsaKey(key);
      break;
    case 8:
      v.md_ = Fetch("SHA256");
      pkey = RsaKey(key);
      break;
    case 10:
      v.md_ = Fetch("SHA512");
      pkey = RsaKey(key);
      break;
    case 13:
      v.md_ = Fetch("SHA256");
      v.ecdsa_size_ = 32;
      pkey = EcKey(key, "P-256", 32);
      break;
    case 14:
      v.md_ = Fetch("SHA384");
      v.ecdsa_size_ = 48;
      pkey = EcKey(key, "P-384", 48);
      break;
    case 15:
      pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw,
                                         key.size());
      break;
    case 16:
      pkey =
          EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, nullptr, raw, key.size());
      break;
    default:
      return absl::UnimplementedError(
          absl::StrCat("DNSKEY algorithm ", v.algorithm_, " not supported"));
  }
  if (v.algorithm_ != 15 && v.algorithm_ != 16 && v.md_ == nullptr) {
    EVP_PKEY_free(pkey);
    return absl::InternalError("cannot fetch message digest");
  }
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot decode DNSKEY public key (algorithm ",
                     v.algorithm_, ", tag ", v.key_tag_, ")"));
  }
  v.pkey_ = std::shared_ptr<EVP_PKEY>(pkey, PkeyFree());
  return v;
}

bool DnskeyVerifier::Verify(absl::string_view data,
                            absl::string_view signature) const {
  std::string der;
  absl::string_view sig = signature;
  if (ecdsa_size_ > 0) {
    if (signature.size() != static_cast<size_t>(2 * ecdsa_size_)) return false;
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> es(ECDSA_SIG_new());
    const auto* p = reinterpret_cast<const unsigned char*>(signature.data());
    BIGNUM* r = BN_bin2bn(p, ecdsa_size_, nullptr);
    BIGNUM* s = BN_bin2bn(p + ecdsa_size_, ecdsa_size_, nullptr);
    if (!es || !r || !s || ECDSA_SIG_set0(es.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      return false;
    }
    unsigned char* out = nullptr;
    const int len = i2d_ECDSA_SIG(es.get(), &out);
    if (len <= 0) return false;
    der.assign(reinterpret_cast<char*>(out), len);
    OPENSSL_free(out);
    sig = der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md_.get(), nullptr,
                                   pkey_.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
             sig.size(), reinterpret_cast<const unsigned char*>(data.data()),
             data.size()) == 1;
}

}  // namespace signer
}  // namespace zonekeep
