// Signature record files on disk: a written record loads back; a missing
// one is NotFound; a file cut short or changed on disk fails to load (so the
// signing is full), and so does a well-formed record with a valid checksum
// that this master key did not tag (forged, or written before a master key
// rotation); the write leaves one 0600 file and no temp file; zone names map
// to safe file names inside the directory. Master keys are made at test time.
#include "keystore/daemon/signature_record_file.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "keystore/crypto/master_key.h"
#include "signer/signature_record.h"

namespace zonekeep {
namespace keystored {
namespace {

const std::string kOrigin("\7example\3com\0", 13);

std::string TempDir() {
  std::string base = absl::StrCat(
      getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp", "/sigrec.XXXXXX");
  EXPECT_NE(mkdtemp(base.data()), nullptr);
  return base;
}

// A tagger under a master key made for this test (in its own directory).
RecordTagger NewTagger() {
  auto key = std::make_shared<keystore::MasterKey>(
      keystore::MasterKey::Create(TempDir() + "/master.key").value());
  return [key](absl::string_view bytes) {
    return key->Tag(kSignatureRecordTagPurpose, bytes);
  };
}

const RecordTagger& Tagger() {
  static const RecordTagger* const tagger = new RecordTagger(NewTagger());
  return *tagger;
}

std::string OneRecord() {
  signer::SignatureRecordBuilder builder;
  builder.Add(signer::KeyIdentity("a"), "rdata-a");
  builder.Add(signer::KeyIdentity("b"), "rdata-b");
  return builder.Finish(kOrigin);
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  closedir(d);
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteRaw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(SignatureRecordFileTest, WrittenRecordLoadsBack) {
  const std::string dir = SignatureRecordDir(TempDir());
  const std::string path = SignatureRecordPath(dir, "example.com.");
  ASSERT_TRUE(WriteSignatureRecord(dir, path, OneRecord(), Tagger()).ok());
  auto record = LoadSignatureRecord(path, kOrigin, Tagger());
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->size(), 2u);
  EXPECT_EQ(record->Find(signer::KeyIdentity("b")).value_or(""), "rdata-b");
  EXPECT_EQ(Names(dir), std::vector<std::string>{"example.com.sigs"});
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(SignatureRecordFileTest, MissingRecordIsNotFound) {
  const std::string dir = SignatureRecordDir(TempDir());
  auto record = LoadSignatureRecord(SignatureRecordPath(dir, "example.com."),
                                    kOrigin, Tagger());
  ASSERT_FALSE(record.ok());
  EXPECT_TRUE(absl::IsNotFound(record.status())) << record.status();
  EXPECT_EQ(record.status().message(), "no signature record");
}

TEST(SignatureRecordFileTest, DamageOnDiskFailsTheLoad) {
  const std::string dir = SignatureRecordDir(TempDir());
  const std::string path = SignatureRecordPath(dir, "example.com.");
  const std::string good = OneRecord();
  ASSERT_TRUE(WriteSignatureRecord(dir, path, good, Tagger()).ok());
  const std::string file = ReadAll(path);
  ASSERT_EQ(file.size(), good.size() + 32);
  ASSERT_EQ(file.substr(0, good.size()), good);
  WriteRaw(path, file.substr(0, file.size() / 2));
  EXPECT_FALSE(LoadSignatureRecord(path, kOrigin, Tagger()).ok());
  std::string flipped = file;
  flipped[flipped.size() / 2] ^= 0x10;
  WriteRaw(path, flipped);
  auto record = LoadSignatureRecord(path, kOrigin, Tagger());
  ASSERT_FALSE(record.ok());
  EXPECT_TRUE(absl::IsDataLoss(record.status())) << record.status();
  EXPECT_NE(record.status().message().find("not this key store's"),
            std::string::npos)
      << record.status();
  // The untagged record alone (as version 1 wrote it) is refused too.
  WriteRaw(path, good);
  EXPECT_FALSE(LoadSignatureRecord(path, kOrigin, Tagger()).ok());
  WriteRaw(path, "");
  EXPECT_FALSE(LoadSignatureRecord(path, kOrigin, Tagger()).ok());
  // And the intact bytes, put back, load: the damage was the cause.
  WriteRaw(path, file);
  EXPECT_TRUE(LoadSignatureRecord(path, kOrigin, Tagger()).ok());
}

// A record with a valid checksum but not tagged by this key store: another
// signature put in (someone rebuilt the record without the master key), or
// the same file under another master key (after a rotation). Either would
// let a signature skip its verification, so neither loads.
TEST(SignatureRecordFileTest, RecordThisMasterKeyDidNotTagFailsTheLoad) {
  const std::string dir = SignatureRecordDir(TempDir());
  const std::string path = SignatureRecordPath(dir, "example.com.");
  ASSERT_TRUE(WriteSignatureRecord(dir, path, OneRecord(), Tagger()).ok());
  const std::string file = ReadAll(path);
  signer::SignatureRecordBuilder forged;
  forged.Add(signer::KeyIdentity("a"), "rdata-x");
  forged.Add(signer::KeyIdentity("b"), "rdata-b");
  const std::string forged_record = forged.Finish(kOrigin);
  ASSERT_TRUE(signer::SignatureRecord::Parse(forged_record, kOrigin).ok());
  WriteRaw(path, forged_record + file.substr(file.size() - 32));
  auto record = LoadSignatureRecord(path, kOrigin, Tagger());
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.status().message().find("not this key store's"),
            std::string::npos)
      << record.status();

  WriteRaw(path, file);
  ASSERT_TRUE(LoadSignatureRecord(path, kOrigin, Tagger()).ok());
  const RecordTagger rotated = NewTagger();
  record = LoadSignatureRecord(path, kOrigin, rotated);
  ASSERT_FALSE(record.ok());
  EXPECT_TRUE(absl::IsDataLoss(record.status())) << record.status();
  // Written under the new key, it loads under the new key only.
  ASSERT_TRUE(WriteSignatureRecord(dir, path, OneRecord(), rotated).ok());
  EXPECT_TRUE(LoadSignatureRecord(path, kOrigin, rotated).ok());
  EXPECT_FALSE(LoadSignatureRecord(path, kOrigin, Tagger()).ok());
}

TEST(SignatureRecordFileTest, TaggerFailureFailsLoadAndWrite) {
  const std::string dir = SignatureRecordDir(TempDir());
  const std::string path = SignatureRecordPath(dir, "example.com.");
  const RecordTagger broken = [](absl::string_view) {
    return absl::StatusOr<std::array<uint8_t, 32>>(
        absl::InternalError("HMAC-SHA256 tag failed"));
  };
  EXPECT_EQ(WriteSignatureRecord(dir, path, OneRecord(), broken).message(),
            "HMAC-SHA256 tag failed");
  EXPECT_TRUE(Names(dir).empty());
  ASSERT_TRUE(WriteSignatureRecord(dir, path, OneRecord(), Tagger()).ok());
  EXPECT_EQ(LoadSignatureRecord(path, kOrigin, broken).status().message(),
            "HMAC-SHA256 tag failed");
}

TEST(SignatureRecordFileTest, RecordOfAnotherZoneFailsTheLoad) {
  const std::string dir = SignatureRecordDir(TempDir());
  const std::string path = SignatureRecordPath(dir, "example.net.");
  ASSERT_TRUE(WriteSignatureRecord(dir, path, OneRecord(), Tagger()).ok());
  EXPECT_FALSE(
      LoadSignatureRecord(path, std::string("\7example\3net\0", 13), Tagger())
          .ok());
}

TEST(SignatureRecordFileTest, ZoneNamesMapToSafeFileNames) {
  EXPECT_EQ(SignatureRecordPath("/s", "Example.COM."), "/s/example.com.sigs");
  EXPECT_EQ(SignatureRecordPath("/s", "example.com"), "/s/example.com.sigs");
  EXPECT_EQ(SignatureRecordPath("/s", "0/26.2.0.192.in-addr.arpa."),
            "/s/0%2F26.2.0.192.in-addr.arpa.sigs");
  EXPECT_EQ(SignatureRecordPath("/s", "../x."), "/s/..%2Fx.sigs");
  EXPECT_EQ(SignatureRecordPath("/s", "."), "/s/.sigs");
}

TEST(SignatureRecordFileTest, RewriteReplacesTheWholeFile) {
  const std::string dir = SignatureRecordDir(TempDir());
  const std::string path = SignatureRecordPath(dir, "example.com.");
  ASSERT_TRUE(WriteSignatureRecord(dir, path, OneRecord(), Tagger()).ok());
  signer::SignatureRecordBuilder builder;
  builder.Add(signer::KeyIdentity("c"), "rdata-c");
  ASSERT_TRUE(
      WriteSignatureRecord(dir, path, builder.Finish(kOrigin), Tagger()).ok());
  auto record = LoadSignatureRecord(path, kOrigin, Tagger());
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->size(), 1u);
  EXPECT_FALSE(record->Find(signer::KeyIdentity("a")).has_value());
  EXPECT_EQ(Names(dir).size(), 1u);
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
