#include "keystore/crypto/master_key.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace keystore {
namespace {

using ::testing::HasSubstr;

class MasterKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string base =
        std::string(tmp != nullptr ? tmp : "/tmp") + "/master_key_test.XXXXXX";
    ASSERT_NE(mkdtemp(base.data()), nullptr);
    dir_ = base;
    path_ = dir_ + "/master.key";
  }

  std::string dir_;
  std::string path_;
};

SecretBytes Secret(const std::string& s) {
  return SecretBytes(s.begin(), s.end());
}

TEST_F(MasterKeyTest, CreatesOwnerReadOnly32ByteFile) {
  absl::StatusOr<MasterKey> key = MasterKey::LoadOrCreate(path_);
  ASSERT_TRUE(key.ok()) << key.status();
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0400);
  EXPECT_EQ(st.st_size, 32);
  // No temporary file is left behind.
  std::set<std::string> names;
  DIR* dir = opendir(dir_.c_str());
  ASSERT_NE(dir, nullptr);
  while (struct dirent* entry = readdir(dir)) names.insert(entry->d_name);
  closedir(dir);
  EXPECT_EQ(names, (std::set<std::string>{".", "..", "master.key"}));
}

// What a Create killed between mkstemp and rename leaves: a 0400 temp file
// with 32 key bytes and no lock on it.
std::string WriteAbandonedTempFile(const std::string& name) {
  std::ofstream(name) << std::string(32, 'k');
  chmod(name.c_str(), 0400);
  return name;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

TEST_F(MasterKeyTest, RemovesTempFilesAKilledCreateLeft) {
  const std::string stale = WriteAbandonedTempFile(path_ + ".tmp.aB3xY9");
  const std::string other_key =
      WriteAbandonedTempFile(path_ + ".new.tmp.Qw12Er");
  const std::string unrelated = WriteAbandonedTempFile(path_ + ".tmp.toolong");
  const std::string not_tmp = WriteAbandonedTempFile(dir_ + "/keystore.db");
  absl::StatusOr<int> removed = MasterKey::RemoveAbandonedTempFiles(path_);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(Exists(stale));
  // Only `path`'s own temp files: master.key.new's are its own call's.
  EXPECT_TRUE(Exists(other_key));
  EXPECT_TRUE(Exists(unrelated));
  EXPECT_TRUE(Exists(not_tmp));
  removed = MasterKey::RemoveAbandonedTempFiles(path_ + ".new");
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(Exists(other_key));
  // Nothing left: a second run removes nothing and the key is still made.
  removed = MasterKey::RemoveAbandonedTempFiles(path_);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 0);
  EXPECT_TRUE(MasterKey::Create(path_).ok());
}

TEST_F(MasterKeyTest, KeepsATempFileItsCreatorStillLocks) {
  const std::string live = WriteAbandonedTempFile(path_ + ".tmp.Zz9Yy8");
  const int fd = open(live.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX), 0);  // as Create holds it until the rename
  absl::StatusOr<int> removed = MasterKey::RemoveAbandonedTempFiles(path_);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 0);
  EXPECT_TRUE(Exists(live));
  close(fd);  // the creator is gone: now it is abandoned
  removed = MasterKey::RemoveAbandonedTempFiles(path_);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(Exists(live));
}

TEST_F(MasterKeyTest, ReopenGivesTheSameKey) {
  absl::StatusOr<MasterKey> first = MasterKey::LoadOrCreate(path_);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<MasterKey> second = MasterKey::LoadOrCreate(path_);
  ASSERT_TRUE(second.ok()) << second.status();
  absl::StatusOr<std::vector<uint8_t>> sealed =
      first->Seal(Secret("private key bytes"), "example.com./13/12345");
  ASSERT_TRUE(sealed.ok());
  absl::StatusOr<SecretBytes> opened =
      second->Open(*sealed, "example.com./13/12345");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, Secret("private key bytes"));

  // A different key file cannot open it.
  absl::StatusOr<MasterKey> other = MasterKey::LoadOrCreate(dir_ + "/other");
  ASSERT_TRUE(other.ok());
  absl::StatusOr<SecretBytes> wrong =
      other->Open(*sealed, "example.com./13/12345");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(MasterKeyTest, RefusesGroupOrOtherAccess) {
  ASSERT_TRUE(MasterKey::LoadOrCreate(path_).ok());
  for (mode_t mode : {0644, 0440, 0404, 0600 | 0020}) {
    ASSERT_EQ(chmod(path_.c_str(), mode), 0);
    absl::StatusOr<MasterKey> key = MasterKey::LoadOrCreate(path_);
    ASSERT_FALSE(key.ok()) << std::oct << mode;
    EXPECT_THAT(key.status().message(), HasSubstr(path_));
    EXPECT_THAT(key.status().message(), HasSubstr("group/others"));
  }
  ASSERT_EQ(chmod(path_.c_str(), 0600), 0);
  EXPECT_TRUE(MasterKey::LoadOrCreate(path_).ok());
}

TEST_F(MasterKeyTest, RefusesWrongSize) {
  for (size_t size : {0, 31, 33, 64}) {
    const std::string path = dir_ + "/size" + std::to_string(size);
    {
      std::ofstream out(path, std::ios::binary);
      out << std::string(size, 'k');
    }
    ASSERT_EQ(chmod(path.c_str(), 0400), 0);
    absl::StatusOr<MasterKey> key = MasterKey::LoadOrCreate(path);
    ASSERT_FALSE(key.ok()) << size;
    EXPECT_THAT(key.status().message(), HasSubstr(path));
    EXPECT_THAT(key.status().message(), HasSubstr("expected 32"));
  }
}

TEST_F(MasterKeyTest, RefusesUncreatableDirectory) {
  absl::StatusOr<MasterKey> key =
      MasterKey::LoadOrCreate(dir_ + "/no/such/dir/master.key");
  ASSERT_FALSE(key.ok());
  EXPECT_THAT(key.status().message(), HasSubstr("/no/such/dir/master.key"));
}

TEST_F(MasterKeyTest, SealFormatAndFreshNonces) {
  absl::StatusOr<MasterKey> key = MasterKey::LoadOrCreate(path_);
  ASSERT_TRUE(key.ok());
  const SecretBytes plaintext = Secret("0123456789abcdef0123456789");
  absl::StatusOr<std::vector<uint8_t>> a = key->Seal(plaintext, "aad");
  absl::StatusOr<std::vector<uint8_t>> b = key->Seal(plaintext, "aad");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 1 + 12 + plaintext.size() + 16);
  EXPECT_EQ((*a)[0], 1);
  EXPECT_NE(std::vector<uint8_t>(a->begin() + 1, a->begin() + 13),
            std::vector<uint8_t>(b->begin() + 1, b->begin() + 13));
  EXPECT_NE(*a, *b);
  // The plaintext does not appear in the blob.
  const std::string blob(a->begin(), a->end());
  EXPECT_EQ(blob.find("0123456789"), std::string::npos);
  // Empty plaintext works too.
  absl::StatusOr<std::vector<uint8_t>> empty = key->Seal(SecretBytes(), "x");
  ASSERT_TRUE(empty.ok());
  absl::StatusOr<SecretBytes> opened = key->Open(*empty, "x");
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
}

TEST_F(MasterKeyTest, EveryFlippedByteFailsAuthentication) {
  absl::StatusOr<MasterKey> key = MasterKey::LoadOrCreate(path_);
  ASSERT_TRUE(key.ok());
  const SecretBytes plaintext = Secret("a sealed PKCS#8 key would be here");
  absl::StatusOr<std::vector<uint8_t>> sealed = key->Seal(plaintext, "zone");
  ASSERT_TRUE(sealed.ok());
  ASSERT_TRUE(key->Open(*sealed, "zone").ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    for (uint8_t bit : {0x01, 0x80}) {
      std::vector<uint8_t> bad = *sealed;
      bad[i] ^= bit;
      absl::StatusOr<SecretBytes> opened = key->Open(bad, "zone");
      ASSERT_FALSE(opened.ok()) << "byte " << i;
      EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
    }
  }
  // Truncation and extension fail too.
  std::vector<uint8_t> shorter(sealed->begin(), sealed->end() - 1);
  EXPECT_EQ(key->Open(shorter, "zone").status().code(),
            absl::StatusCode::kDataLoss);
  std::vector<uint8_t> longer = *sealed;
  longer.push_back(0);
  EXPECT_EQ(key->Open(longer, "zone").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(key->Open({}, "zone").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(MasterKeyTest, DifferentAadFails) {
  absl::StatusOr<MasterKey> key = MasterKey::LoadOrCreate(path_);
  ASSERT_TRUE(key.ok());
  absl::StatusOr<std::vector<uint8_t>> sealed =
      key->Seal(Secret("secret"), "example.com./13/1/ksk");
  ASSERT_TRUE(sealed.ok());
  for (const char* aad : {"example.com./13/1/zsk", "example.net./13/1/ksk", "",
                          "example.com./13/1/ksk "}) {
    absl::StatusOr<SecretBytes> opened = key->Open(*sealed, aad);
    ASSERT_FALSE(opened.ok()) << aad;
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(opened.status().message(),
              "sealed key failed authentication (tampered, or bound to "
              "another key)");
  }
}

// Tags: the same key, purpose and data give the same tag (a record tagged
// before a restart checks after it); any other key, purpose or data gives
// another; the tag is neither the key nor a plain hash of the data.
TEST_F(MasterKeyTest, TagsBindKeyPurposeAndData) {
  absl::StatusOr<MasterKey> key = MasterKey::LoadOrCreate(path_);
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<MasterKey> again = MasterKey::Load(path_);
  ASSERT_TRUE(again.ok()) << again.status();
  absl::StatusOr<MasterKey> other = MasterKey::LoadOrCreate(dir_ + "/other");
  ASSERT_TRUE(other.ok()) << other.status();

  const auto tag = key->Tag("signature-record", "data");
  ASSERT_TRUE(tag.ok()) << tag.status();
  EXPECT_EQ(*again->Tag("signature-record", "data"), *tag);
  EXPECT_NE(*key->Tag("signature-record", "datA"), *tag);
  EXPECT_NE(*key->Tag("other-purpose", "data"), *tag);
  EXPECT_NE(*other->Tag("signature-record", "data"), *tag);
  EXPECT_NE(*key->Tag("signature-record", ""), *tag);
  std::ifstream in(path_, std::ios::binary);
  const std::string key_bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  ASSERT_EQ(key_bytes.size(), 32u);
  EXPECT_NE(std::string(tag->begin(), tag->end()), key_bytes);
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
