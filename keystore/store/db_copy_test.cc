// CopyDatabase and KeyDb::OpenSnapshot on real SQLite files: the copy holds
// what sits in the WAL, is one committed state while another connection
// writes, is private and self-contained; damaged copies are refused.
#include "keystore/store/db_copy.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace store {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

std::string TestPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::remove((path + suffix).c_str());
  }
  return path;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

off_t SizeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

KeyRow Key(const std::string& zone, uint16_t tag) {
  KeyRow key;
  key.zone = zone;
  key.algorithm = dnssec::Algorithm::kEcdsaP256Sha256;
  key.key_tag = tag;
  key.role = dnssec::KeyRole::kZsk;
  key.bits = 256;
  key.state = dnssec::KeyState::kPublished;
  key.created_at = kT0;
  key.state_changed_at = kT0;
  key.dnskey_rdata = {1, 0, 3, 13, static_cast<uint8_t>(tag)};
  key.sealed_private = std::vector<uint8_t>(64, static_cast<uint8_t>(tag));
  return key;
}

// One transaction: key `tag` and the zone's max_ttl set to `tag`, so a copy
// of one committed state has exactly max_ttl keys.
void AddKey(KeyDb& db, uint16_t tag) {
  auto tx = db.BeginWrite();
  ASSERT_TRUE(tx.ok()) << tx.status();
  ZoneRow zone;
  zone.name = "example.com.";
  zone.created_at = kT0;
  zone.max_ttl = tag;
  ASSERT_TRUE((*tx)->UpsertZone(zone).ok());
  ASSERT_TRUE((*tx)->InsertKey(Key("example.com.", tag)).ok());
  ASSERT_TRUE((*tx)->Commit().ok());
}

struct Snapshot {
  size_t keys = 0;
  uint32_t max_ttl = 0;
  std::vector<std::string> zones;
};

absl::StatusOr<Snapshot> Read(const std::string& path) {
  absl::StatusOr<std::unique_ptr<KeyDb>> db = KeyDb::OpenSnapshot(path);
  if (!db.ok()) return db.status();
  auto tx = (*db)->BeginRead();
  if (!tx.ok()) return tx.status();
  Snapshot snap;
  auto keys = (*tx)->AllKeys(true);
  if (!keys.ok()) return keys.status();
  snap.keys = keys->size();
  auto zone = (*tx)->GetZone("example.com.");
  if (!zone.ok()) return zone.status();
  if (zone->has_value()) snap.max_ttl = (*zone)->max_ttl;
  auto zones = (*tx)->ZoneNames();
  if (!zones.ok()) return zones.status();
  snap.zones = *zones;
  return snap;
}

TEST(DbCopyTest, CopyHoldsTheWalContentThatTheMainFileLacks) {
  const std::string path = TestPath("wal.db");
  auto db = KeyDb::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  for (uint16_t tag = 1; tag <= 5; ++tag) AddKey(**db, tag);
  // The keys sit in the WAL while the connection is open (the README's old
  // advice, copying keystore.db alone, loses them).
  ASSERT_GT(SizeOf(path + "-wal"), 0);
  const std::string main_only = TestPath("main-only.db");
  WriteAll(main_only, ReadAll(path));
  absl::StatusOr<Snapshot> naive = Read(main_only);
  EXPECT_TRUE(!naive.ok() || naive->keys != 5u)
      << "keystore.db alone already held every key: this test proves nothing";

  const std::string copy = TestPath("wal-copy.db");
  ASSERT_TRUE(CopyDatabase(path, copy).ok());
  absl::StatusOr<Snapshot> got = Read(copy);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->keys, 5u);
  EXPECT_EQ(got->max_ttl, 5u);
  EXPECT_EQ(got->zones, std::vector<std::string>{"example.com."});

  // Private, self-contained (rollback journal: header bytes 18-19 are 1),
  // nothing beside it.
  struct stat st;
  ASSERT_EQ(::stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600);
  const std::string bytes = ReadAll(copy);
  ASSERT_GT(bytes.size(), 20u);
  EXPECT_EQ(bytes[18], 1);
  EXPECT_EQ(bytes[19], 1);
  EXPECT_FALSE(Exists(copy + "-wal"));
  EXPECT_FALSE(Exists(copy + "-shm"));
  EXPECT_FALSE(Exists(copy + "-journal"));
}

TEST(DbCopyTest, CopiesTakenWhileAnotherConnectionWritesAreEachOneState) {
  const std::string path = TestPath("busy.db");
  auto writer_db = KeyDb::Open(path);
  ASSERT_TRUE(writer_db.ok()) << writer_db.status();
  AddKey(**writer_db, 1);
  std::atomic<bool> stop{false};
  std::atomic<int> written{1};
  std::thread writer([&] {
    for (uint16_t tag = 2; tag < 2000 && !stop.load(); ++tag) {
      AddKey(**writer_db, tag);
      written.store(tag);
    }
  });
  int copies = 0;
  size_t previous = 0;
  for (int i = 0; i < 20; ++i) {
    const std::string copy = TestPath(absl::StrCat("busy-copy-", i, ".db"));
    const int before = written.load();
    absl::Status s = CopyDatabase(path, copy);
    const int after = written.load();
    ASSERT_TRUE(s.ok()) << s;
    absl::StatusOr<Snapshot> got = Read(copy);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->keys, got->max_ttl) << "copy " << i << " is torn";
    EXPECT_GE(got->keys, static_cast<size_t>(before));
    EXPECT_LE(got->keys, static_cast<size_t>(after) + 1);
    EXPECT_GE(got->keys, previous);
    previous = got->keys;
    ++copies;
  }
  stop.store(true);
  writer.join();
  EXPECT_EQ(copies, 20);
  EXPECT_GT(written.load(), 1) << "the writer never wrote during the copies";
}

TEST(DbCopyTest, RefusesAnExistingTargetAndLeavesIt) {
  const std::string path = TestPath("src.db");
  auto db = KeyDb::Open(path);
  ASSERT_TRUE(db.ok());
  AddKey(**db, 1);
  const std::string target = TestPath("exists.db");
  WriteAll(target, "keep me");
  absl::Status s = CopyDatabase(path, target);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_EQ(ReadAll(target), "keep me");
}

TEST(DbCopyTest, OpenSnapshotRefusesDamagedCopies) {
  const std::string path = TestPath("good.db");
  auto db = KeyDb::Open(path);
  ASSERT_TRUE(db.ok());
  for (uint16_t tag = 1; tag <= 40; ++tag) AddKey(**db, tag);
  const std::string copy = TestPath("good-copy.db");
  ASSERT_TRUE(CopyDatabase(path, copy).ok());
  const std::string good = ReadAll(copy);
  ASSERT_TRUE(Read(copy).ok());  // the undamaged copy opens

  const std::string truncated = TestPath("truncated.db");
  WriteAll(truncated, good.substr(0, good.size() / 2));
  EXPECT_EQ(Read(truncated).status().code(), absl::StatusCode::kDataLoss)
      << Read(truncated).status();

  const std::string junk = TestPath("junk.db");
  WriteAll(junk, std::string(8192, 'x'));
  EXPECT_EQ(Read(junk).status().code(), absl::StatusCode::kDataLoss);

  // One flipped bit in the b-tree header of the second page (a table root).
  const size_t page_size = (static_cast<unsigned char>(good[16]) << 8) |
                           static_cast<unsigned char>(good[17]);
  ASSERT_GT(good.size(), 2 * page_size);
  std::string flipped = good;
  flipped[page_size + 3] ^= 0x40;  // the page's cell count
  const std::string bad = TestPath("flipped.db");
  WriteAll(bad, flipped);
  EXPECT_EQ(Read(bad).status().code(), absl::StatusCode::kDataLoss)
      << Read(bad).status();

  EXPECT_EQ(Read(TestPath("absent.db")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace store
}  // namespace zonekeep
