// Issue 2 "must show": no private key in clear at rest, and a tampered or
// swapped sealed key is detected. Keys come from BIND's dnssec-keygen at test
// time and enter the store through the BIND import path.
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "keystore/clock.h"
#include "keystore/key_manager.h"
#include "keystore/test_dir.h"

namespace zonekeep {
namespace keystore {
namespace {

const char kZone[] = "example.com.";
const char kAdmin[] = "unix:keymaint";

std::string TmpDir(const std::string& name) {
  return FreshTestDir("sealed_" + name);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

int Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 07777;
}

// Runs dnssec-keygen; returns the key base path ("" on failure).
std::string Keygen(const std::string& dir, const std::string& args,
                   const std::string& zone = "example.com") {
  std::system(absl::StrCat("mkdir -p '", dir, "'").c_str());
  const std::string cmd = absl::StrCat("dnssec-keygen -q ", args, " -K '", dir,
                                       "' -n ZONE ", zone, " 2>/dev/null");
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), pipe) != nullptr) out += buf;
  if (::pclose(pipe) != 0) {
    ADD_FAILURE() << cmd << ": " << out;
    return "";
  }
  return absl::StrCat(dir, "/", absl::StripAsciiWhitespace(out));
}

// The base64 text and the decoded bytes of the .private file's PrivateKey:.
struct PrivateField {
  std::string base64;
  std::string bytes;
};

PrivateField ReadPrivateField(const std::string& base) {
  std::ifstream in(base + ".private");
  std::string line;
  PrivateField field;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "PrivateKey: ")) {
      field.base64 = std::string(absl::StripAsciiWhitespace(rest));
    }
  }
  std::vector<unsigned char> out(field.base64.size());
  const int n = EVP_DecodeBlock(
      out.data(), reinterpret_cast<const unsigned char*>(field.base64.data()),
      static_cast<int>(field.base64.size()));
  if (n > 0) {
    int pad = 0;
    for (auto it = field.base64.rbegin();
         it != field.base64.rend() && *it == '='; ++it) {
      ++pad;
    }
    field.bytes.assign(reinterpret_cast<char*>(out.data()), n - pad);
  }
  return field;
}

class SealedStorageTest : public ::testing::Test {
 protected:
  SealedStorageTest() : clock_(absl::FromUnixSeconds(1780000000)) {}

  void SetUp() override {
    dir_ =
        TmpDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    options_.state_dir = dir_ + "/state";
    options_.clock = &clock_;
    options_.import_dir = "/";  // key files come from the test's own dir
    Reopen();
  }

  void Reopen() {
    manager_.reset();
    auto manager = KeyManager::Open(options_);
    ASSERT_TRUE(manager.ok()) << manager.status();
    manager_ = *std::move(manager);
  }

  std::string Db() const { return options_.state_dir + "/keystore.db"; }
  std::string MasterKeyFile() const {
    return options_.state_dir + "/master.key";
  }

  // Runs SQL on the database file directly (as an attacker with the file).
  void Sql(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(Db().c_str(), &raw), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "") << ": " << sql;
    sqlite3_free(error);
    sqlite3_close(raw);
  }

  std::string dir_;
  FakeClock clock_;
  KeyManagerOptions options_;
  std::unique_ptr<KeyManager> manager_;
};

TEST_F(SealedStorageTest, NoPrivateKeyInClearAndFileModes) {
  // BIND writes the P-256 scalar without its leading zero octets (one key in
  // 256 is shorter): another key then, so the scan looks for all 32 bytes.
  std::string ec;
  PrivateField ec_secret;
  for (int i = 0; i < 8 && ec_secret.bytes.size() != 32; ++i) {
    ec = Keygen(dir_ + "/keys", "-a ECDSAP256SHA256");
    ASSERT_FALSE(ec.empty());
    ec_secret = ReadPrivateField(ec);
  }
  const std::string ed = Keygen(dir_ + "/keys", "-a ED25519 -f KSK");
  ASSERT_FALSE(ed.empty());
  PrivateField ed_secret = ReadPrivateField(ed);
  ASSERT_EQ(ec_secret.bytes.size(), 32u);
  ASSERT_EQ(ed_secret.bytes.size(), 32u);

  auto zsk = manager_->ImportBindKey(kAdmin, "example.com", ec,
                                     dnssec::KeyState::kActive);
  ASSERT_TRUE(zsk.ok()) << zsk.status();
  auto ksk = manager_->ImportBindKey(kAdmin, kZone, ed + ".private",
                                     dnssec::KeyState::kActive);
  ASSERT_TRUE(ksk.ok()) << ksk.status();
  EXPECT_EQ(zsk->role, dnssec::KeyRole::kZsk);
  EXPECT_EQ(ksk->role, dnssec::KeyRole::kKsk);
  EXPECT_EQ(ksk->algorithm, dnssec::Algorithm::kEd25519);
  EXPECT_TRUE(absl::EndsWith(ec, absl::StrFormat("+%05d", zsk->key_tag)));

  auto check_at_rest = [&](const std::string& when) {
    const std::string master = ReadFile(MasterKeyFile());
    ASSERT_EQ(master.size(), 32u);
    for (const std::string& file :
         {Db(), Db() + "-wal", Db() + "-shm", MasterKeyFile()}) {
      const std::string bytes = ReadFile(file);
      for (const PrivateField* secret : {&ec_secret, &ed_secret}) {
        EXPECT_FALSE(absl::StrContains(bytes, secret->bytes))
            << file << " holds a private key " << when;
        EXPECT_FALSE(absl::StrContains(bytes, secret->base64))
            << file << " holds a private key's base64 " << when;
      }
      if (file != MasterKeyFile()) {
        EXPECT_FALSE(absl::StrContains(bytes, master))
            << file << " holds the master key " << when;
      }
    }
  };
  check_at_rest("while open");
  EXPECT_EQ(Mode(Db()), 0600);
  EXPECT_EQ(Mode(Db() + "-wal"), 0600);
  EXPECT_EQ(Mode(Db() + "-shm"), 0600);
  EXPECT_EQ(Mode(MasterKeyFile()), 0400);
  EXPECT_EQ(Mode(options_.state_dir), 0700);

  manager_.reset();  // checkpoints the WAL into the main file
  check_at_rest("after close");
  EXPECT_EQ(Mode(Db()), 0600);

  Reopen();
  auto keys = manager_->LoadZoneKeys(kZone);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  for (const dnssec::ZoneKey& key : *keys) {
    ASSERT_NE(key.signer, nullptr);
    EXPECT_TRUE(key.signer->Sign({1, 2, 3}).ok());
  }
}

TEST_F(SealedStorageTest, FlippedOrSwappedSealedKeyIsDataLoss) {
  const std::string ec = Keygen(dir_ + "/keys", "-a ECDSAP256SHA256");
  const std::string ksk = Keygen(dir_ + "/keys", "-a ECDSAP256SHA256 -f KSK");
  ASSERT_FALSE(ec.empty() || ksk.empty());
  auto a =
      manager_->ImportBindKey(kAdmin, kZone, ec, dnssec::KeyState::kActive);
  auto b =
      manager_->ImportBindKey(kAdmin, kZone, ksk, dnssec::KeyState::kActive);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(manager_->LoadZoneKeys(kZone).ok());
  manager_.reset();

  // Flip one byte in the middle of one sealed blob (ciphertext).
  const std::string tag_a = absl::StrCat(a->key_tag);
  Sql("CREATE TABLE saved AS SELECT key_tag, sealed_private FROM keys");
  Sql(
      absl::StrCat("UPDATE keys SET sealed_private = substr(sealed_private, 1, "
                   "20) || (CASE WHEN substr(sealed_private, 21, 1) = x'00' "
                   "THEN x'01' ELSE x'00' END) || substr(sealed_private, 22) "
                   "WHERE key_tag = ",
                   tag_a));
  Reopen();
  auto loaded = manager_->LoadZoneKeys(kZone);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss)
      << loaded.status();
  EXPECT_TRUE(absl::StrContains(loaded.status().message(), tag_a))
      << loaded.status();
  manager_.reset();

  // Restored: loads again.
  Sql("UPDATE keys SET sealed_private = (SELECT sealed_private FROM saved "
      "WHERE saved.key_tag = keys.key_tag)");
  Reopen();
  ASSERT_TRUE(manager_->LoadZoneKeys(kZone).ok());
  manager_.reset();

  // Swap the two keys' sealed blobs: each is bound to its own row.
  Sql("UPDATE keys SET sealed_private = (SELECT sealed_private FROM saved "
      "WHERE saved.key_tag != keys.key_tag)");
  Reopen();
  EXPECT_EQ(manager_->LoadZoneKeys(kZone).status().code(),
            absl::StatusCode::kDataLoss);
  manager_.reset();

  // Moving a key to another role (KSK <-> ZSK) also breaks the binding.
  Sql("UPDATE keys SET sealed_private = (SELECT sealed_private FROM saved "
      "WHERE saved.key_tag = keys.key_tag)");
  Sql(absl::StrCat("UPDATE keys SET role = 'KSK' WHERE key_tag = ", tag_a));
  Reopen();
  EXPECT_EQ(manager_->LoadZoneKeys(kZone).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(SealedStorageTest, ImportRules) {
  const std::string ec = Keygen(dir_ + "/keys", "-a ECDSAP256SHA256");
  ASSERT_FALSE(ec.empty());
  auto first =
      manager_->ImportBindKey(kAdmin, kZone, ec, dnssec::KeyState::kPublished);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->state, dnssec::KeyState::kPublished);

  // The same tag again (also once it is in the bin): refused.
  auto again =
      manager_->ImportBindKey(kAdmin, kZone, ec, dnssec::KeyState::kActive);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(manager_
                  ->DeleteKey(kAdmin, kZone,
                              dnssec::Algorithm::kEcdsaP256Sha256,
                              first->key_tag, false)
                  .ok());
  again = manager_->ImportBindKey(kAdmin, kZone, ec, dnssec::KeyState::kActive);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);

  // Another zone's key file.
  auto wrong = manager_->ImportBindKey(kAdmin, "example.org", ec,
                                       dnssec::KeyState::kActive);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  // Missing files.
  EXPECT_FALSE(manager_
                   ->ImportBindKey(kAdmin, kZone, dir_ + "/keys/Knothere",
                                   dnssec::KeyState::kActive)
                   .ok());
  auto audit = manager_->Audit(kZone, 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_NE((*audit)[0].result, "ok");
  EXPECT_TRUE(absl::StartsWith((*audit)[4].command, "import published"))
      << (*audit)[4].command;

  // Legacy RSASHA1 keys can be imported (never created).
  const std::string rsa =
      Keygen(dir_ + "/keys", "-a RSASHA1 -b 1024", "legacy.example");
  ASSERT_FALSE(rsa.empty());
  auto legacy = manager_->ImportBindKey(kAdmin, "legacy.example", rsa,
                                        dnssec::KeyState::kActive);
  ASSERT_TRUE(legacy.ok()) << legacy.status();
  EXPECT_EQ(legacy->algorithm, dnssec::Algorithm::kRsaSha1);
  EXPECT_EQ(legacy->bits, 1024);
  auto keys = manager_->LoadZoneKeys("legacy.example");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_NE((*keys)[0].signer, nullptr);
  EXPECT_TRUE((*keys)[0].signer->Sign({1, 2}).ok());
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
