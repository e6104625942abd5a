#include "tests/e2e/key_encodings.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace zonekeep::testing {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD,
                               Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr =
    std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using P8Ptr =
    std::unique_ptr<PKCS8_PRIV_KEY_INFO,
                    Deleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  out.resize(n);
  return out;
}

std::string Unbase64(const std::string& text) {
  std::string out(text.size(), '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (n < 0) return "";
  out.resize(n);
  // EVP_DecodeBlock keeps the zero bytes that stand for '=' padding.
  const size_t pad = std::count(text.begin(), text.end(), '=');
  out.resize(out.size() - std::min(pad, out.size()));
  return out;
}

std::string Hex(const std::string& bytes, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// Adds `bytes` raw, base64 at the three alignments (whole 4-character groups
// only) and hex in both cases.
void AddEncodings(const std::string& label, const std::string& bytes,
                  std::vector<Needle>* needles) {
  needles->push_back({label + " raw", bytes});
  for (size_t skip = 0; skip < 3; ++skip) {
    std::string part = bytes.substr(skip);
    part.resize(part.size() - part.size() % 3);
    needles->push_back(
        {label + " base64 (from byte " + std::to_string(skip) + ")",
         Base64(part)});
  }
  needles->push_back({label + " hex lower", Hex(bytes, false)});
  needles->push_back({label + " hex upper", Hex(bytes, true)});
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, n);
}

PkeyPtr FromData(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_KEYPAIR, params.get()) !=
          1) {
    return nullptr;
  }
  return PkeyPtr(pkey);
}

BIGNUM* Bn(const std::string& bytes, std::vector<BnPtr>* keep) {
  keep->emplace_back(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                static_cast<int>(bytes.size()), nullptr));
  return keep->back().get();
}

// The key as OpenSSL holds it, from the fields of a .private file.
PkeyPtr MakeKey(int algorithm, const std::map<std::string, std::string>& f) {
  std::vector<BnPtr> keep;
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (algorithm == 13) {
    GroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    BIGNUM* priv = Bn(f.at("PrivateKey"), &keep);
    PointPtr point(EC_POINT_new(group.get()));
    unsigned char pub[65];
    if (EC_POINT_mul(group.get(), point.get(), priv, nullptr, nullptr,
                     nullptr) != 1 ||
        EC_POINT_point2oct(group.get(), point.get(),
                           POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub,
                           nullptr) != sizeof pub ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                        "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) !=
            1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                         pub, sizeof pub) != 1) {
      return nullptr;
    }
    return FromData("EC", bld.get());
  }
  if (algorithm == 15) {
    const std::string& seed = f.at("PrivateKey");
    return PkeyPtr(EVP_PKEY_new_raw_private_key(
        EVP_PKEY_ED25519, nullptr,
        reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  }
  const std::pair<const char*, const char*> rsa[] = {
      {"Modulus", OSSL_PKEY_PARAM_RSA_N},
      {"PublicExponent", OSSL_PKEY_PARAM_RSA_E},
      {"PrivateExponent", OSSL_PKEY_PARAM_RSA_D},
      {"Prime1", OSSL_PKEY_PARAM_RSA_FACTOR1},
      {"Prime2", OSSL_PKEY_PARAM_RSA_FACTOR2},
      {"Exponent1", OSSL_PKEY_PARAM_RSA_EXPONENT1},
      {"Exponent2", OSSL_PKEY_PARAM_RSA_EXPONENT2},
      {"Coefficient", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
  for (const auto& [field, param] : rsa) {
    if (OSSL_PARAM_BLD_push_BN(bld.get(), param, Bn(f.at(field), &keep)) != 1) {
      return nullptr;
    }
  }
  return FromData("RSA", bld.get());
}

}  // namespace

std::vector<Needle> PrivateKeyEncodings(const std::string& base,
                                        std::string* error) {
  std::ifstream in(base + ".private");
  std::map<std::string, std::string> fields;
  int algorithm = 0;
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string name = line.substr(0, colon);
    const std::string value = line.substr(colon + 2);
    if (name == "Algorithm") algorithm = std::stoi(value);
    fields[name] = Unbase64(value);
  }
  const std::string label = base.substr(base.rfind('/') + 1);
  std::vector<Needle> needles;
  std::vector<std::string> secret_fields;
  if (algorithm == 13 || algorithm == 15) {
    secret_fields = {"PrivateKey"};
  } else if (algorithm == 8) {
    secret_fields = {"PrivateExponent", "Prime1",    "Prime2",
                     "Exponent1",       "Exponent2", "Coefficient"};
  } else {
    *error = base + ".private: algorithm " + std::to_string(algorithm) +
             " not handled";
    return {};
  }
  for (const std::string& field : secret_fields) {
    if (fields[field].size() < 16) {
      *error = base + ".private: no " + field;
      return {};
    }
    AddEncodings(label + " " + field, fields[field], &needles);
  }
  PkeyPtr pkey;
  try {
    pkey = MakeKey(algorithm, fields);
  } catch (const std::out_of_range&) {
  }
  if (!pkey) {
    *error = base + ".private: OpenSSL does not take the key";
    return {};
  }
  // PKCS#8 DER and PEM.
  P8Ptr p8(EVP_PKEY2PKCS8(pkey.get()));
  unsigned char* der = nullptr;
  const int len = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &der) : -1;
  if (len <= 0) {
    *error = base + ": no PKCS#8 encoding";
    return {};
  }
  AddEncodings(label + " PKCS#8 DER", std::string(der, der + len), &needles);
  OPENSSL_free(der);
  BioPtr pem(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(pem.get(), pkey.get(), nullptr, nullptr, 0, nullptr,
                           nullptr);
  needles.push_back({label + " PKCS#8 PEM", BioText(pem.get())});
  // The traditional form (SEC1 ECPrivateKey, PKCS#1 RSAPrivateKey).
  if (algorithm != 15) {
    der = nullptr;
    const int tlen = i2d_PrivateKey(pkey.get(), &der);
    if (tlen > 0) {
      AddEncodings(label + " traditional DER", std::string(der, der + tlen),
                   &needles);
      OPENSSL_free(der);
    }
    BioPtr tpem(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey_traditional(tpem.get(), pkey.get(), nullptr,
                                         nullptr, 0, nullptr, nullptr);
    needles.push_back({label + " traditional PEM", BioText(tpem.get())});
  }
  return needles;
}

std::string FindAny(const std::string& haystack,
                    const std::vector<Needle>& needles) {
  std::string joined = haystack;
  joined.erase(std::remove_if(joined.begin(), joined.end(),
                              [](char c) { return c == '\n' || c == '\r'; }),
               joined.end());
  for (const auto& [label, bytes] : needles) {
    if (haystack.find(bytes) != std::string::npos) return label;
    if (joined.find(bytes) != std::string::npos) return label + " (wrapped)";
  }
  return "";
}

}  // namespace zonekeep::testing
