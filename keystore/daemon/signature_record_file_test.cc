// Signature record files on disk: a written record loads back; a missing
// one is NotFound; a file cut short or changed on disk fails to load (so the
// signing is full); the write leaves one 0600 file and no temp file; zone
// names map to safe file names inside the directory.
#include "keystore/daemon/signature_record_file.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
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
  ASSERT_TRUE(WriteSignatureRecord(dir, path, OneRecord()).ok());
  auto record = LoadSignatureRecord(path, kOrigin);
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
  auto record =
      LoadSignatureRecord(SignatureRecordPath(dir, "example.com."), kOrigin);
  ASSERT_FALSE(record.ok());
  EXPECT_TRUE(absl::IsNotFound(record.status())) << record.status();
  EXPECT_EQ(record.status().message(), "no signature record");
}

TEST(SignatureRecordFileTest, DamageOnDiskFailsTheLoad) {
  const std::string dir = SignatureRecordDir(TempDir());
  const std::string path = SignatureRecordPath(dir, "example.com.");
  const std::string good = OneRecord();
  ASSERT_TRUE(WriteSignatureRecord(dir, path, good).ok());
  ASSERT_EQ(ReadAll(path), good);
  WriteRaw(path, good.substr(0, good.size() / 2));
  EXPECT_FALSE(LoadSignatureRecord(path, kOrigin).ok());
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;
  WriteRaw(path, flipped);
  auto record = LoadSignatureRecord(path, kOrigin);
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.status().message().find("damaged"), std::string::npos);
  WriteRaw(path, "");
  EXPECT_FALSE(LoadSignatureRecord(path, kOrigin).ok());
  // And the intact bytes, put back, load: the damage was the cause.
  WriteRaw(path, good);
  EXPECT_TRUE(LoadSignatureRecord(path, kOrigin).ok());
}

TEST(SignatureRecordFileTest, RecordOfAnotherZoneFailsTheLoad) {
  const std::string dir = SignatureRecordDir(TempDir());
  const std::string path = SignatureRecordPath(dir, "example.net.");
  ASSERT_TRUE(WriteSignatureRecord(dir, path, OneRecord()).ok());
  EXPECT_FALSE(
      LoadSignatureRecord(path, std::string("\7example\3net\0", 13)).ok());
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
  ASSERT_TRUE(WriteSignatureRecord(dir, path, OneRecord()).ok());
  signer::SignatureRecordBuilder builder;
  builder.Add(signer::KeyIdentity("c"), "rdata-c");
  ASSERT_TRUE(WriteSignatureRecord(dir, path, builder.Finish(kOrigin)).ok());
  auto record = LoadSignatureRecord(path, kOrigin);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->size(), 1u);
  EXPECT_FALSE(record->Find(signer::KeyIdentity("a")).has_value());
  EXPECT_EQ(Names(dir).size(), 1u);
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
