#include "dnssec/test_keys.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "dnssec/dnskey.h"
#include "dnssec/ecdsa_signature.h"
#include "dnssec/key_tag.h"
#include "dnssec/openssl_ptr.h"
#include "dnssec/public_key.h"

namespace zonekeep {
namespace dnssec {
namespace {

// Plain EVP signing, one fresh context per call: simple rather than fast.
class TestSigningHandle final : public SigningHandle {
 public:
  TestSigningHandle(AlgorithmSpec spec, EvpPkeyPtr key)
      : spec_(spec), key_(std::move(key)) {}

  absl::StatusOr<std::vector<uint8_t>> Sign(
      absl::Span<const uint8_t> data) const override {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    size_t len = 0;
    if (ctx == nullptr ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, spec_.digest, nullptr,
                              nullptr, key_.get(), nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) !=
            1) {
      ClearOpensslErrors();
      return absl::InternalError("test key cannot sign");
    }
    std::vector<uint8_t> sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) !=
        1) {
      ClearOpensslErrors();
      return absl::InternalError("test key cannot sign");
    }
    sig.resize(len);
    if (spec_.family != KeyFamily::kEcdsa) return sig;
    return EcdsaDerToRaw(sig.data(), sig.size(), spec_.component_size);
  }

 private:
  const AlgorithmSpec spec_;
  const EvpPkeyPtr key_;
};

EvpPkeyPtr Generate(const AlgorithmSpec& spec) {
  switch (spec.family) {
    case KeyFamily::kRsa:
      return EvpPkeyPtr(
          EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
    case KeyFamily::kEcdsa:
      return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.group));
    case KeyFamily::kEddsa:
      return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, spec.key_type));
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<ZoneKey> MakeTestKey(Algorithm algorithm, KeyRole role,
                                    KeyState state) {
  const std::optional<AlgorithmSpec> spec = SpecOf(algorithm);
  if (!spec.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no test keys for ", AlgorithmName(algorithm)));
  }
  EvpPkeyPtr key = Generate(*spec);
  if (key == nullptr) {
    ClearOpensslErrors();
    return absl::InternalError(
        absl::StrCat("cannot make a ", spec->mnemonic, " test key"));
  }
  absl::StatusOr<std::string> public_key =
      DnskeyPublicKeyOf(key.get(), algorithm);
  if (!public_key.ok()) return public_key.status();
  ZoneKey zk;
  zk.algorithm = algorithm;
  zk.role = role;
  zk.state = state;
  zk.flags = role == KeyRole::kKsk ? kKskFlags : kZskFlags;
  zk.dnskey_rdata = BuildDnskeyRdata(
      zk.flags, algorithm,
      std::vector<uint8_t>(public_key->begin(), public_key->end()));
  zk.key_tag = KeyTag(absl::MakeConstSpan(zk.dnskey_rdata));
  if (state == KeyState::kActive) {
    zk.signer =
        std::make_shared<const TestSigningHandle>(*spec, std::move(key));
  }
  return zk;
}

absl::StatusOr<std::vector<ZoneKey>> MakeTestKeySet(Algorithm algorithm) {
  std::vector<ZoneKey> keys;
  const std::pair<KeyRole, KeyState> plan[] = {
      {KeyRole::kKsk, KeyState::kActive},
      {KeyRole::kZsk, KeyState::kActive},
      {KeyRole::kZsk, KeyState::kPublished}};
  for (const auto& [role, state] : plan) {
    // Retry on the rare key-tag collision so the set passes the KeyTrap check.
    for (int attempt = 0; attempt < 5; ++attempt) {
      absl::StatusOr<ZoneKey> key = MakeTestKey(algorithm, role, state);
      if (!key.ok()) return key.status();
      bool clash = false;
      for (const ZoneKey& k : keys) clash |= k.key_tag == key->key_tag;
      if (clash) continue;
      keys.push_back(*std::move(key));
      break;
    }
  }
  return keys;
}

}  // namespace dnssec
}  // namespace zonekeep
