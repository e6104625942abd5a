#include "signer/test_ecdsa_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <optional>
#include <utility>
#include <vector>

#include "dnssec/algorithm.h"
#include "dnssec/dnskey.h"
#include "dnssec/ecdsa_signature.h"
#include "dnssec/openssl_ptr.h"
#include "dnssec/public_key.h"

namespace zonekeep {
namespace signer {

absl::StatusOr<EcdsaTestKey> EcdsaTestKey::Generate(
    dnssec::Algorithm algorithm) {
  const std::optional<dnssec::AlgorithmSpec> spec = dnssec::SpecOf(algorithm);
  if (!spec.has_value() || spec->family != dnssec::KeyFamily::kEcdsa) {
    return absl::InvalidArgumentError("not an ECDSA algorithm");
  }
  EcdsaTestKey key;
  key.algorithm_ = algorithm;
  key.size_ = spec->component_size;
  key.md_ = EVP_get_digestbyname(spec->digest);
  key.pkey_.reset(EVP_EC_gen(spec->group), EVP_PKEY_free);
  absl::StatusOr<std::string> public_key =
      dnssec::DnskeyPublicKeyOf(key.pkey_.get(), algorithm);
  if (key.pkey_ == nullptr || !public_key.ok()) {
    return absl::InternalError("cannot make an ECDSA key");
  }
  key.public_key_ = *std::move(public_key);
  dnssec::EcGroupPtr group(
      EC_GROUP_new_by_curve_name(EC_curve_nist2nid(spec->group)));
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
  const std::vector<uint8_t> rdata = dnssec::BuildDnskeyRdata(
      flags, algorithm_,
      std::vector<uint8_t>(public_key_.begin(), public_key_.end()));
  return std::string(rdata.begin(), rdata.end());
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
  dnssec::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::vector<unsigned char> der(EVP_PKEY_get_size(pkey_.get()));
  size_t der_len = der.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, md_, nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), der.data(), &der_len,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return "";
  }
  absl::StatusOr<std::vector<uint8_t>> raw =
      dnssec::EcdsaDerToRaw(der.data(), der_len, size_);
  if (!raw.ok()) return "";
  return std::string(raw->begin(), raw->end());
}

bool EcdsaTestKey::EvpVerify(absl::string_view data,
                             absl::string_view signature) const {
  if (signature.size() != 2 * size_) return false;
  uint8_t der[dnssec::kMaxEcdsaDerSize];
  const size_t der_len = dnssec::EcdsaRawToDer(
      reinterpret_cast<const uint8_t*>(signature.data()), size_, der);
  dnssec::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx != nullptr &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, md_, nullptr, pkey_.get()) ==
          1 &&
      EVP_DigestVerify(ctx.get(), der, der_len,
                       reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  ERR_clear_error();  // a rejected signature leaves errors queued
  return ok;
}

}  // namespace signer
}  // namespace zonekeep
