#include "keystore/key_backend.h"

#include <cstdlib>
#include <string>

#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace keystore {
namespace {

SealedKeyBackend MakeBackend(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path =
      std::string(dir != nullptr ? dir : "/tmp") + "/" + name + ".key";
  std::remove(path.c_str());
  absl::StatusOr<MasterKey> master = MasterKey::LoadOrCreate(path);
  EXPECT_TRUE(master.ok()) << master.status();
  return SealedKeyBackend(*std::move(master));
}

TEST(KeyBackendTest, CanonicalBinding) {
  EXPECT_EQ(CanonicalKeyBinding(KeyBinding{"example.com.", 12345,
                                           dnssec::Algorithm::kEcdsaP256Sha256,
                                           dnssec::KeyRole::kKsk}),
            "zonekeep-key-v1|example.com.|12345|13|KSK");
}

TEST(KeyBackendTest, StoreLoadSignAndBindingChecks) {
  SealedKeyBackend backend = MakeBackend("backend1");
  EXPECT_EQ(backend.name(), "sealed-sqlite");
  auto pending = backend.Generate(dnssec::Algorithm::kEcdsaP256Sha256, 256);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ((*pending)->DnskeyPublicKey().size(), 64u);
  const KeyBinding binding{"example.com.", 4242,
                           dnssec::Algorithm::kEcdsaP256Sha256,
                           dnssec::KeyRole::kZsk};
  auto blob = backend.Store(**pending, binding);
  ASSERT_TRUE(blob.ok()) << blob.status();

  auto signer = backend.Load(*blob, binding);
  ASSERT_TRUE(signer.ok()) << signer.status();
  const std::vector<uint8_t> data = {1, 2, 3};
  auto signature = (*signer)->Sign(data);
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(signature->size(), 64u);

  std::vector<KeyBinding> others(4, binding);
  others[0].zone = "example.org.";
  others[1].key_tag = 4243;
  others[2].role = dnssec::KeyRole::kKsk;
  others[3].algorithm = dnssec::Algorithm::kEd25519;
  for (const KeyBinding& other : others) {
    EXPECT_EQ(backend.Load(*blob, other).status().code(),
              absl::StatusCode::kDataLoss)
        << CanonicalKeyBinding(other);
  }
  std::vector<uint8_t> flipped = *blob;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_EQ(backend.Load(flipped, binding).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(backend.Load({}, binding).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeyBackendTest, OtherMasterKeyCannotOpen) {
  SealedKeyBackend a = MakeBackend("backend_a");
  SealedKeyBackend b = MakeBackend("backend_b");
  auto pending = a.Generate(dnssec::Algorithm::kEd25519, 256);
  ASSERT_TRUE(pending.ok()) << pending.status();
  const KeyBinding binding{"example.com.", 1, dnssec::Algorithm::kEd25519,
                           dnssec::KeyRole::kKsk};
  auto blob = a.Store(**pending, binding);
  ASSERT_TRUE(blob.ok());
  EXPECT_TRUE(a.Load(*blob, binding).ok());
  EXPECT_EQ(b.Load(*blob, binding).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeyBackendTest, StoreRefusesAlgorithmMismatch) {
  SealedKeyBackend backend = MakeBackend("backend_mismatch");
  auto pending = backend.Generate(dnssec::Algorithm::kEd25519, 256);
  ASSERT_TRUE(pending.ok());
  EXPECT_FALSE(
      backend
          .Store(**pending, KeyBinding{"example.com.", 1,
                                       dnssec::Algorithm::kEcdsaP256Sha256,
                                       dnssec::KeyRole::kKsk})
          .ok());
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
