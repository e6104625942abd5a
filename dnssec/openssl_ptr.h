// The one set of owning pointers for OpenSSL objects in zonekeep, and a helper
// that drops OpenSSL's thread-local error queue once an error has been turned
// into an absl::Status. Every folder uses these; nobody defines another
// deleter. Thread-safety: like the wrapped objects.
#ifndef ZONEKEEP_DNSSEC_OPENSSL_PTR_H_
#define ZONEKEEP_DNSSEC_OPENSSL_PTR_H_

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <memory>

namespace zonekeep {
namespace dnssec {

template <typename T, void (*Free)(T*)>
struct OpensslDeleter {
  void operator()(T* p) const { Free(p); }
};

template <typename T, void (*Free)(T*)>
using OpensslPtr = std::unique_ptr<T, OpensslDeleter<T, Free>>;

using EvpPkeyPtr = OpensslPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpMdPtr = OpensslPtr<EVP_MD, EVP_MD_free>;
using EvpMdCtxPtr = OpensslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpPkeyCtxPtr = OpensslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpCipherCtxPtr = OpensslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EcdsaSigPtr = OpensslPtr<ECDSA_SIG, ECDSA_SIG_free>;
// Clears the number before freeing it: used for private key components too.
using BignumPtr = OpensslPtr<BIGNUM, BN_clear_free>;
// For public values on hot paths (verification): freed without clearing.
using PublicBignumPtr = OpensslPtr<BIGNUM, BN_free>;
using PublicEcPointPtr = OpensslPtr<EC_POINT, EC_POINT_free>;
using Pkcs8Ptr = OpensslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using EcGroupPtr = OpensslPtr<EC_GROUP, EC_GROUP_free>;
using EcPointPtr = OpensslPtr<EC_POINT, EC_POINT_clear_free>;
using BnCtxPtr = OpensslPtr<BN_CTX, BN_CTX_free>;
using ParamBldPtr = OpensslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
// OSSL_PARAM_free wipes the part built from BN_secure_new() numbers, so
// private components must be pushed as secure BIGNUMs.
using OsslParamPtr = OpensslPtr<OSSL_PARAM, OSSL_PARAM_free>;

// Drops queued OpenSSL errors (the Status already says what failed).
inline void ClearOpensslErrors() { ERR_clear_error(); }

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_OPENSSL_PTR_H_
