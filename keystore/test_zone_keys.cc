#include "keystore/test_zone_keys.h"

#include <utility>

#include "keystore/crypto/dnskey.h"
#include "keystore/crypto/private_key.h"

namespace zonekeep {

absl::StatusOr<ZoneKey> MakeTestKey(Algorithm algorithm, KeyRole role,
                                    KeyState state) {
  const int bits = IsRsa(algorithm) ? 2048 : 0;
  auto key = PrivateKey::Generate(algorithm, bits);
  if (!key.ok()) return key.status();
  ZoneKey zk;
  zk.algorithm = algorithm;
  zk.role = role;
  zk.state = state;
  zk.flags = role == KeyRole::kKsk ? kKskFlags : kZskFlags;
  zk.dnskey_rdata =
      BuildDnskeyRdata(zk.flags, algorithm, key->DnskeyPublicKey());
  zk.key_tag = ComputeKeyTag(zk.dnskey_rdata);
  if (state == KeyState::kActive) {
    zk.signer = PrivateKey::IntoSigningHandle(*std::move(key));
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
      auto key = MakeTestKey(algorithm, role, state);
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

}  // namespace zonekeep
