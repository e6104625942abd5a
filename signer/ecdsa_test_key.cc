#include "signer/ecdsa_test_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <vector>

namespace zonekeep {
namespace signer {
namespace {

template <typename T, void (*Free)(T*)>
struct OsslFree {
  void operator()(T* p) const { Free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, OsslFree<BIGNUM, BN_free>>;
using EcdsaSigPtr =
    std::unique_ptr<ECDSA_SIG, OsslFree<ECDSA_SIG, ECDSA_SIG_free>>;
using MdCtxPtr =
    std::unique_ptr<EVP_MD_CTX, OsslFree<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, OsslFree<EC_GROUP, EC_GROUP_free>>;

}  // namespace

absl::StatusOr<EcdsaTestKey> EcdsaTestKey::Generate(uint8_t algorithm) {
  if (algorithm != 13 && algorithm != 14) {
    return absl::InvalidArgumentError("not an ECDSA algorithm");
  }
  EcdsaTestKey key;
  key.algorithm_ = algorithm;
  key.size_ = algorithm == 13 ? 32 : 48;
  key.md_ = algorithm == 13 ? EVP_sha256() : EVP_sha384();
  key.pkey_.reset(EVP_EC_gen(algorithm == 13 ? "P-256" : "P-384"), PkeyFree());
  unsigned char point[1 + 2 * 48];
  size_t point_len = 0;
  if (key.pkey_ == nullptr ||
      EVP_PKEY_get_octet_string_param(key.pkey_.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                      point, sizeof(point), &point_len) != 1 ||
      point_len != 1 + 2 * key.size_ || point[0] != 0x04) {
    return absl::InternalError("cannot make an ECDSA key");
  }
  key.public_key_.assign(reinterpret_cast<const char*>(point + 1),
                         2 * key.size_);
  EcGroupPtr group(EC_GROUP_new_by_curve_name(
      algorithm == 13 ? NID_X9_62_prime256v1 : NID_secp384r1));
  key.order_.resize(key.size_);
  if (group == nullptr ||
      BN_bn2binpad(EC_GROUP_get0_order(group.get()),
                   reinterpret_cast<unsigned char*>(&key.order_[0]),
                   static_cast<int>(key.size_)) !=
          static_cast<int>(key.size_)) {
    return absl::InternalError("cannot get the group order");
  }
  return key;
}

std::string EcdsaTestKey::DnskeyRdata(uint16_t flags) const {
  std::string rdata;
  rdata.push_back(static_cast<char>(flags >> 8));
  rdata.push_back(static_cast<char>(flags & 0xff));
  rdata.push_back(3);
  rdata.push_back(static_cast<char>(algorithm_));
  return rdata + public_key_;
}

std::string EcdsaTestKey::Digest(absl::string_view data) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, md_, nullptr) != 1) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string EcdsaTestKey::Sign(absl::string_view data) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::vector<unsigned char> der(EVP_PKEY_get_size(pkey_.get()));
  size_t der_len = der.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, md_, nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), der.data(), &der_len,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return "";
  }
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (sig == nullptr) return "";
  std::string raw(2 * size_, '\0');
  auto* out = reinterpret_cast<unsigned char*>(&raw[0]);
  const int n = static_cast<int>(size_);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, n) != n ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + n, n) != n) {
    return "";
  }
  return raw;
}

bool EcdsaTestKey::EvpVerify(absl::string_view data,
                             absl::string_view signature) const {
  if (signature.size() != 2 * size_) return false;
  const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
  const int n = static_cast<int>(size_);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BnPtr r(BN_bin2bn(raw, n, nullptr));
  BnPtr s(BN_bin2bn(raw + n, n, nullptr));
  if (sig == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return false;
  }
  r.release();  // now owned by sig
  s.release();
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx != nullptr &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, md_, nullptr, pkey_.get()) ==
          1 &&
      EVP_DigestVerify(ctx.get(), der, der_len,
                       reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  OPENSSL_free(der);
  ERR_clear_error();  // a rejected signature leaves errors queued
  return ok;
}

}  // namespace signer
}  // namespace zonekeep
