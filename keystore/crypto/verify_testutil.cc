#include "keystore/crypto/verify_testutil.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <vector>

#include "keystore/crypto/ossl_util.h"

namespace zonekeep {

namespace {

EvpPkeyPtr FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (params == nullptr || ctx == nullptr ||
      EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) !=
          1) {
    return nullptr;
  }
  return EvpPkeyPtr(pkey);
}

}  // namespace

// Rebuilds a public EVP_PKEY from the DNSKEY public key field alone, so that
// the encoding is checked independently of the code under test.
EvpPkeyPtr PublicKeyFromDnskey(Algorithm algorithm,
                               const std::vector<uint8_t>& pub) {
  switch (algorithm) {
    case Algorithm::kEd25519:
    case Algorithm::kEd448:
      return EvpPkeyPtr(EVP_PKEY_new_raw_public_key(
          algorithm == Algorithm::kEd25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448,
          nullptr, pub.data(), pub.size()));
    case Algorithm::kEcdsaP256Sha256:
    case Algorithm::kEcdsaP384Sha384: {
      std::vector<uint8_t> point = {0x04};
      point.insert(point.end(), pub.begin(), pub.end());
      ParamBldPtr bld(OSSL_PARAM_BLD_new());
      OSSL_PARAM_BLD_push_utf8_string(
          bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
          algorithm == Algorithm::kEcdsaP256Sha256 ? "P-256" : "P-384", 0);
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size());
      return FromParams("EC", bld.get());
    }
    default: {
      if (pub.empty()) return nullptr;
      size_t pos = 1;
      size_t exp_len = pub[0];
      if (exp_len == 0) {
        exp_len = (pub[1] << 8) | pub[2];
        pos = 3;
      }
      if (pos + exp_len >= pub.size()) return nullptr;
      BignumPtr e(BN_bin2bn(pub.data() + pos, exp_len, nullptr));
      BignumPtr n(BN_bin2bn(pub.data() + pos + exp_len,
                            pub.size() - pos - exp_len, nullptr));
      ParamBldPtr bld(OSSL_PARAM_BLD_new());
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
      return FromParams("RSA", bld.get());
    }
  }
}

// Verifies a DNSSEC wire-form signature with plain EVP calls.
bool VerifyDnssec(Algorithm algorithm, const std::vector<uint8_t>& pub,
                  const std::vector<uint8_t>& data,
                  const std::vector<uint8_t>& signature) {
  EvpPkeyPtr pkey = PublicKeyFromDnskey(algorithm, pub);
  if (pkey == nullptr) {
    return false;
  }
  const EVP_MD* md = nullptr;
  std::vector<uint8_t> sig = signature;
  switch (algorithm) {
    case Algorithm::kRsaSha1:
    case Algorithm::kNsec3RsaSha1:
      md = EVP_sha1();
      break;
    case Algorithm::kRsaSha256:
    case Algorithm::kEcdsaP256Sha256:
      md = EVP_sha256();
      break;
    case Algorithm::kEcdsaP384Sha384:
      md = EVP_sha384();
      break;
    case Algorithm::kRsaSha512:
      md = EVP_sha512();
      break;
    default:
      break;
  }
  if (algorithm == Algorithm::kEcdsaP256Sha256 ||
      algorithm == Algorithm::kEcdsaP384Sha384) {
    // r||s -> DER.
    const size_t half = signature.size() / 2;
    EcdsaSigPtr ecdsa(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(signature.data(), half, nullptr);
    BIGNUM* s = BN_bin2bn(signature.data() + half, half, nullptr);
    ECDSA_SIG_set0(ecdsa.get(), r, s);
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(ecdsa.get(), &der);
    sig.assign(der, der + len);
    OPENSSL_free(der);
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey.get()) ==
             1 &&
         EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(),
                          data.size()) == 1;
}

}  // namespace zonekeep
