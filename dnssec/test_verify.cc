#include "dnssec/test_verify.h"

#include <openssl/evp.h>

#include <optional>
#include <string>
#include <vector>

#include "dnssec/algorithm.h"
#include "dnssec/ecdsa_signature.h"
#include "dnssec/openssl_ptr.h"
#include "dnssec/public_key.h"

namespace zonekeep {
namespace dnssec {

bool VerifyDnssec(Algorithm algorithm, const std::vector<uint8_t>& pub,
                  const std::vector<uint8_t>& data,
                  const std::vector<uint8_t>& signature) {
  const std::optional<AlgorithmSpec> spec = SpecOf(algorithm);
  if (!spec.has_value()) return false;
  absl::StatusOr<EvpPkeyPtr> pkey =
      PublicKeyFromDnskey(algorithm, std::string(pub.begin(), pub.end()));
  if (!pkey.ok()) return false;
  std::vector<uint8_t> sig = signature;
  if (spec->family == KeyFamily::kEcdsa) {
    if (signature.size() != 2 * spec->component_size) return false;
    uint8_t der[kMaxEcdsaDerSize];
    const size_t len =
        EcdsaRawToDer(signature.data(), spec->component_size, der);
    sig.assign(der, der + len);
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx != nullptr &&
         EVP_DigestVerifyInit_ex(ctx.get(), nullptr, spec->digest, nullptr,
                                 nullptr, pkey->get(), nullptr) == 1 &&
         EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(),
                          data.size()) == 1;
}

}  // namespace dnssec
}  // namespace zonekeep
