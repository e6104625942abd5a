#include "dnssec/public_key.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace dnssec {
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

// RFC 3110 section 2: exponent length (1 or 3 octets), exponent, modulus.
EvpPkeyPtr RsaKey(absl::string_view key) {
  if (key.empty()) return nullptr;
  const auto* bytes = reinterpret_cast<const unsigned char*>(key.data());
  size_t exp_len = bytes[0];
  size_t pos = 1;
  if (exp_len == 0) {
    if (key.size() < 3) return nullptr;
    exp_len = static_cast<size_t>(bytes[1]) << 8 | bytes[2];
    pos = 3;
  }
  if (exp_len == 0 || pos + exp_len >= key.size()) return nullptr;
  PublicBignumPtr e(BN_bin2bn(bytes + pos, static_cast<int>(exp_len), nullptr));
  PublicBignumPtr n(BN_bin2bn(bytes + pos + exp_len,
                              static_cast<int>(key.size() - pos - exp_len),
                              nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!e || !n || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return nullptr;
  }
  return FromParams("RSA", bld.get());
}

// RFC 6605 section 4: x||y, uncompressed point without the 0x04 prefix.
EvpPkeyPtr EcKey(absl::string_view key, const AlgorithmSpec& spec) {
  if (key.size() != 2 * spec.component_size) return nullptr;
  std::string point(1, '\x04');
  point.append(key.data(), key.size());
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      spec.group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) != 1) {
    return nullptr;
  }
  return FromParams("EC", bld.get());
}

// RFC 8080 section 3: the raw public key.
EvpPkeyPtr EdKey(absl::string_view key, const AlgorithmSpec& spec) {
  if (key.size() != spec.component_size) return nullptr;
  return EvpPkeyPtr(EVP_PKEY_new_raw_public_key_ex(
      nullptr, spec.key_type, nullptr,
      reinterpret_cast<const unsigned char*>(key.data()), key.size()));
}

}  // namespace

absl::StatusOr<EvpPkeyPtr> PublicKeyFromDnskey(Algorithm algorithm,
                                               absl::string_view public_key) {
  const std::optional<AlgorithmSpec> spec = SpecOf(algorithm);
  if (!spec.has_value()) {
    return absl::UnimplementedError(absl::StrCat(
        "DNSKEY algorithm ", static_cast<int>(algorithm), " not supported"));
  }
  EvpPkeyPtr pkey;
  switch (spec->family) {
    case KeyFamily::kRsa:
      pkey = RsaKey(public_key);
      break;
    case KeyFamily::kEcdsa:
      pkey = EcKey(public_key, *spec);
      break;
    case KeyFamily::kEddsa:
      pkey = EdKey(public_key, *spec);
      break;
  }
  if (pkey == nullptr) {
    ClearOpensslErrors();
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot decode the ", spec->mnemonic, " public key of a DNSKEY (",
        public_key.size(), " octets)"));
  }
  return pkey;
}

absl::StatusOr<std::string> DnskeyPublicKeyOf(const EVP_PKEY* pkey,
                                              Algorithm algorithm) {
  const std::optional<AlgorithmSpec> spec = SpecOf(algorithm);
  if (!spec.has_value()) {
    return absl::UnimplementedError(absl::StrCat(
        "DNSKEY algorithm ", static_cast<int>(algorithm), " not supported"));
  }
  const absl::Status mismatch = absl::InvalidArgumentError(
      absl::StrCat("key is not a ", spec->mnemonic, " key"));
  if (pkey == nullptr || EVP_PKEY_is_a(pkey, spec->key_type) != 1) {
    return mismatch;
  }
  if (spec->family == KeyFamily::kEddsa) {  // the raw public key (RFC 8080)
    std::string out(spec->component_size, '\0');
    size_t len = out.size();
    if (EVP_PKEY_get_raw_public_key(
            pkey, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
        len != out.size()) {
      ClearOpensslErrors();
      return mismatch;
    }
    return out;
  }
  if (spec->family == KeyFamily::kEcdsa) {  // x||y (RFC 6605)
    BIGNUM* x = nullptr;
    BIGNUM* y = nullptr;
    const bool ok =
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1;
    PublicBignumPtr xp(x);
    PublicBignumPtr yp(y);
    const int size = static_cast<int>(spec->component_size);
    std::string out(2 * spec->component_size, '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(out.data());
    if (!ok || BN_bn2binpad(x, bytes, size) < 0 ||
        BN_bn2binpad(y, bytes + size, size) < 0) {
      ClearOpensslErrors();
      return mismatch;
    }
    return out;
  }
  // RSA (RFC 3110): exponent length, exponent, modulus.
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  const bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
                  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1;
  PublicBignumPtr np(n);
  PublicBignumPtr ep(e);
  if (!ok) {
    ClearOpensslErrors();
    return mismatch;
  }
  const size_t e_size = BN_num_bytes(e);
  const size_t n_size = BN_num_bytes(n);
  std::string out;
  if (e_size <= 255) {
    out.push_back(static_cast<char>(e_size));
  } else {
    out.push_back(0);
    out.push_back(static_cast<char>(e_size >> 8));
    out.push_back(static_cast<char>(e_size & 0xff));
  }
  const size_t header = out.size();
  out.resize(header + e_size + n_size);
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  BN_bn2bin(e, bytes + header);
  BN_bn2bin(n, bytes + header + e_size);
  return out;
}

}  // namespace dnssec
}  // namespace zonekeep
