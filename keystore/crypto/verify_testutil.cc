#include "keystore/crypto/verify_testutil.h"

#include <openssl/evp.h>

#include <optional>
#include <string>
#include <vector>

#include "dnssec/ecdsa_signature.h"
#include "dnssec/openssl_ptr.h"
#include "dnssec/public_key.h"
#include "dnssec/algorithm.h"

namespace zonekeep {
namespace keystore {

bool VerifyDnssec(dnssec::Algorithm algorithm, const std::vector<uint8_t>& pub,
                  const std::vector<uint8_t>& data,
                  const std::vector<uint8_t>& signature) {
  const std::optional<dnssec::AlgorithmSpec> spec = dnssec::SpecOf(algorithm);
  if (!spec.has_value()) return false;
  absl::StatusOr<dnssec::EvpPkeyPtr> pkey = dnssec::PublicKeyFromDnskey(
      algorithm, std::string(pub.begin(), pub.end()));
  if (!pkey.ok()) return false;
  std::vector<uint8_t> sig = signature;
  if (spec->family == dnssec::KeyFamily::kEcdsa) {
    if (signature.size() != 2 * spec->component_size) return false;
    uint8_t der[dnssec::kMaxEcdsaDerSize];
    const size_t len =
        dnssec::EcdsaRawToDer(signature.data(), spec->component_size, der);
    sig.assign(der, der + len);
  }
  dnssec::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx != nullptr &&
         EVP_DigestVerifyInit_ex(ctx.get(), nullptr, spec->digest, nullptr,
                                 nullptr, pkey->get(), nullptr) == 1 &&
         EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(),
                          data.size()) == 1;
}

}  // namespace keystore
}  // namespace zonekeep
