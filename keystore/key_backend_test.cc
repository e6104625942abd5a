#include "keystore/key_backend.h"

#include <cstdlib>
#include <string>

#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "keystore/crypto/master_key.h"
#include "keystore/crypto/private_key.h"
#include "keystore/store/key_db.h"

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
  const KeyBinding binding{"example.com.",
                           12345,
                           dnssec::Algorithm::kEcdsaP256Sha256,
                           dnssec::KeyRole::kKsk,
                           {1, 1, 3, 13, 0xab}};
  EXPECT_EQ(CanonicalKeyBinding(binding),
            "zonekeep-key-v2|example.com.|12345|13|KSK|0101030dab");
  EXPECT_EQ(CanonicalKeyBindingV1(binding),
            "zonekeep-key-v1|example.com.|12345|13|KSK");
}

TEST(KeyBackendTest, StoreLoadSignAndBindingChecks) {
  SealedKeyBackend backend = MakeBackend("backend1");
  EXPECT_EQ(backend.name(), "sealed-sqlite");
  auto pending = backend.Generate(dnssec::Algorithm::kEcdsaP256Sha256, 256);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ((*pending)->DnskeyPublicKey().size(), 64u);
  const KeyBinding binding{"example.com.",
                           4242,
                           dnssec::Algorithm::kEcdsaP256Sha256,
                           dnssec::KeyRole::kZsk,
                           {1, 0, 3, 13, 7, 7}};
  auto blob = backend.Store(**pending, binding);
  ASSERT_TRUE(blob.ok()) << blob.status();

  auto signer = backend.Load(*blob, binding);
  ASSERT_TRUE(signer.ok()) << signer.status();
  const std::vector<uint8_t> data = {1, 2, 3};
  auto signature = (*signer)->Sign(data);
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(signature->size(), 64u);

  std::vector<KeyBinding> others(6, binding);
  others[0].zone = "example.org.";
  others[1].key_tag = 4243;
  others[2].role = dnssec::KeyRole::kKsk;
  others[3].algorithm = dnssec::Algorithm::kEd25519;
  others[4].dnskey_rdata.back() ^= 1;  // a blob moved to another DNSKEY
  others[5].dnskey_rdata.clear();
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

// A blob sealed before issue 16 (v1 associated data, no DNSKEY RDATA) is
// re-sealed once by UpgradeSealedKeys, then opens with the v2 data only.
TEST(KeyBackendTest, UpgradeSealReSealsV1Blobs) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string base = std::string(dir != nullptr ? dir : "/tmp");
  const std::string key_path = base + "/upgrade.key";
  std::remove(key_path.c_str());
  absl::StatusOr<MasterKey> master = MasterKey::LoadOrCreate(key_path);
  ASSERT_TRUE(master.ok());
  SealedKeyBackend backend(*MasterKey::Load(key_path));
  absl::StatusOr<PrivateKey> key =
      PrivateKey::Generate(dnssec::Algorithm::kEd25519, 256);
  ASSERT_TRUE(key.ok());
  const KeyBinding binding{"example.com.",
                           77,
                           dnssec::Algorithm::kEd25519,
                           dnssec::KeyRole::kKsk,
                           {1, 1, 3, 15, 9}};
  absl::StatusOr<std::vector<uint8_t>> v1 = master->Seal(
      *key->ExportPkcs8ForSealing(), CanonicalKeyBindingV1(binding));
  ASSERT_TRUE(v1.ok());
  EXPECT_FALSE(backend.Load(*v1, binding).ok()) << "v1 must not load as is";

  const std::string db_path = base + "/upgrade.db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((db_path + suffix).c_str());
  }
  auto db = store::KeyDb::Open(db_path);
  ASSERT_TRUE(db.ok());
  {
    auto tx = (*db)->BeginWrite();
    store::ZoneRow zone;
    zone.name = "example.com.";
    ASSERT_TRUE((*tx)->UpsertZone(zone).ok());
    store::KeyRow row;
    row.zone = binding.zone;
    row.key_tag = binding.key_tag;
    row.algorithm = binding.algorithm;
    row.role = binding.role;
    row.bits = 256;
    row.dnskey_rdata = binding.dnskey_rdata;
    row.sealed_private = *v1;
    ASSERT_TRUE((*tx)->InsertKey(row).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  EXPECT_EQ(*UpgradeSealedKeys(**db, backend), 1);
  EXPECT_EQ(*UpgradeSealedKeys(**db, backend), 0);  // once
  auto tx = (*db)->BeginRead();
  auto rows = (*tx)->AllKeys(true);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_TRUE(backend.Load(rows->at(0).sealed_private, binding).ok());
  KeyBinding moved = binding;
  moved.dnskey_rdata.back() ^= 1;
  EXPECT_EQ(backend.Load(rows->at(0).sealed_private, moved).status().code(),
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
