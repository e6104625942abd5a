// Owning pointers for OpenSSL objects used inside keystore/crypto, and a
// helper that drops OpenSSL's thread-local error queue once an error has been
// turned into an absl::Status. Thread-safety: like the wrapped objects.
#ifndef ZONEKEEP_KEYSTORE_CRYPTO_OSSL_UTIL_H_
#define ZONEKEEP_KEYSTORE_CRYPTO_OSSL_UTIL_H_

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <memory>

namespace zonekeep {

template <typename T, void (*Free)(T*)>
struct OsslDeleter {
  void operator()(T* p) const { Free(p); }
};

using EvpMdPtr = std::unique_ptr<EVP_MD, OsslDeleter<EVP_MD, EVP_MD_free>>;
using EvpMdCtxPtr =
    std::unique_ptr<EVP_MD_CTX, OsslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using EvpCipherCtxPtr =
    std::unique_ptr<EVP_CIPHER_CTX,
                    OsslDeleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using EcdsaSigPtr =
    std::unique_ptr<ECDSA_SIG, OsslDeleter<ECDSA_SIG, ECDSA_SIG_free>>;
// Clears the number before freeing it: used for private key components too.
using BignumPtr = std::unique_ptr<BIGNUM, OsslDeleter<BIGNUM, BN_clear_free>>;
using Pkcs8Ptr =
    std::unique_ptr<PKCS8_PRIV_KEY_INFO,
                    OsslDeleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;
using EcGroupPtr =
    std::unique_ptr<EC_GROUP, OsslDeleter<EC_GROUP, EC_GROUP_free>>;
using EcPointPtr =
    std::unique_ptr<EC_POINT, OsslDeleter<EC_POINT, EC_POINT_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OsslDeleter<BN_CTX, BN_CTX_free>>;
using ParamBldPtr =
    std::unique_ptr<OSSL_PARAM_BLD,
                    OsslDeleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
// OSSL_PARAM_free wipes the part built from BN_secure_new() numbers, so
// private components must be pushed as secure BIGNUMs.
using OsslParamPtr =
    std::unique_ptr<OSSL_PARAM, OsslDeleter<OSSL_PARAM, OSSL_PARAM_free>>;

// Drops queued OpenSSL errors (the Status already says what failed).
inline void ClearOpensslErrors() { ERR_clear_error(); }

}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_CRYPTO_OSSL_UTIL_H_
