#include "keystore/store/key_db.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "keystore/store/schema.h"

namespace zonekeep {
namespace store {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

std::string TestPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  return path;
}

int FileMode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 07777;
}

ZoneRow Zone(const std::string& name) {
  ZoneRow zone;
  zone.name = name;
  zone.created_at = kT0;
  return zone;
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
  key.dnskey_rdata = {1, 0, 3, 13, 42};
  key.sealed_private = {9, 9, 9};
  return key;
}

TEST(KeyDbTest, CreatesFilesWithMode0600AndWal) {
  const std::string path = TestPath("mode.db");
  auto db = KeyDb::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  {
    auto tx = (*db)->BeginWrite();
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_TRUE((*tx)->UpsertZone(Zone("example.com.")).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  EXPECT_EQ(FileMode(path), 0600);
  EXPECT_EQ(FileMode(path + "-wal"), 0600);
  EXPECT_EQ(FileMode(path + "-shm"), 0600);
}

TEST(KeyDbTest, TightensLooseModeOfExistingFile) {
  const std::string path = TestPath("loose.db");
  ASSERT_TRUE(KeyDb::Open(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(KeyDb::Open(path).ok());
  EXPECT_EQ(FileMode(path), 0600);
}

TEST(KeyDbTest, MigrationsAreIdempotentOnReopen) {
  const std::string path = TestPath("reopen.db");
  {
    auto db = KeyDb::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_EQ((*db)->opened_schema_version(), 0);
    auto tx = (*db)->BeginWrite();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)->UpsertZone(Zone("example.com.")).ok());
    ASSERT_TRUE((*tx)->InsertKey(Key("example.com.", 100)).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  for (int i = 0; i < 2; ++i) {
    auto db = KeyDb::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_EQ((*db)->opened_schema_version(), kLatestSchemaVersion);
    auto tx = (*db)->BeginRead();
    ASSERT_TRUE(tx.ok());
    auto keys = (*tx)->KeysOfZone("example.com.", true);
    ASSERT_TRUE(keys.ok());
    ASSERT_EQ(keys->size(), 1u);
    EXPECT_EQ((*keys)[0].key_tag, 100);
    EXPECT_EQ((*keys)[0].dnskey_rdata, Key("example.com.", 100).dnskey_rdata);
    EXPECT_EQ((*keys)[0].backend, kSealedSqliteBackend);
  }
  // Exactly one version row.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  SqlitePtr check(raw);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "SELECT COUNT(*), MAX(version) FROM "
                               "schema_version",
                               -1, &st, nullptr),
            SQLITE_OK);
  StmtPtr stmt(st);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 1);
  EXPECT_EQ(sqlite3_column_int(st, 1), kLatestSchemaVersion);
}

TEST(KeyDbTest, RefusesNewerSchema) {
  const std::string path = TestPath("newer.db");
  ASSERT_TRUE(KeyDb::Open(path).ok());
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    SqlitePtr db(raw);
    ASSERT_TRUE(ExecSql(raw, "UPDATE schema_version SET version = 99").ok());
  }
  auto db = KeyDb::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(db.status().message().find("99"), std::string::npos);
}

TEST(KeyDbTest, UniqueZoneAlgorithmTagAcrossBin) {
  auto db = KeyDb::Open(TestPath("unique.db"));
  ASSERT_TRUE(db.ok());
  auto tx = (*db)->BeginWrite();
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE((*tx)->UpsertZone(Zone("example.com.")).ok());
  ASSERT_TRUE((*tx)->UpsertZone(Zone("example.org.")).ok());
  auto id = (*tx)->InsertKey(Key("example.com.", 7));
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE((*tx)->SetKeyDeleted(*id, true, kT0).ok());
  auto dup = (*tx)->InsertKey(Key("example.com.", 7));
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  // Same tag, other zone or other algorithm: fine.
  EXPECT_TRUE((*tx)->InsertKey(Key("example.org.", 7)).ok());
  KeyRow ed = Key("example.com.", 7);
  ed.algorithm = dnssec::Algorithm::kEd25519;
  EXPECT_TRUE((*tx)->InsertKey(ed).ok());
  ASSERT_TRUE((*tx)->Commit().ok());
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

// Issue 16: sealed bytes that leave the store (purged, or replaced by a
// re-seal) are found neither in keystore.db nor in its WAL.
TEST(KeyDbTest, SealedBytesThatLeaveAreInNeitherFile) {
  const std::string path = TestPath("wipe.db");
  auto db = KeyDb::Open(path);
  ASSERT_TRUE(db.ok());
  auto marked = [](char c) {
    KeyRow key = Key("example.com.", c);
    key.sealed_private.assign(200, static_cast<uint8_t>(c));
    key.sealed_private[0] = 'S';  // "SAAAA...": not in any page by chance
    return key;
  };
  const KeyRow purged = marked('P');
  const KeyRow resealed = marked('R');
  int64_t purged_id = 0, resealed_id = 0;
  {
    auto tx = (*db)->BeginWrite();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)->UpsertZone(Zone("example.com.")).ok());
    purged_id = *(*tx)->InsertKey(purged);
    resealed_id = *(*tx)->InsertKey(resealed);
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  const std::string p_bytes(purged.sealed_private.begin(),
                            purged.sealed_private.end());
  const std::string r_bytes(resealed.sealed_private.begin(),
                            resealed.sealed_private.end());
  // The test can fail: the bytes are there before.
  ASSERT_NE((FileBytes(path) + FileBytes(path + "-wal")).find(p_bytes),
            std::string::npos);
  {
    auto tx = (*db)->BeginWrite();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)->SetKeyDeleted(purged_id, true, kT0).ok());
    ASSERT_TRUE((*tx)->PurgeKey(purged_id).ok());
    ASSERT_TRUE(
        (*tx)
            ->UpdateSealedPrivate(resealed_id, std::vector<uint8_t>(200, 7))
            .ok());
    EXPECT_EQ((*tx)->PurgeKey(purged_id).code(), absl::StatusCode::kNotFound);
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  for (const std::string& file : {path, path + "-wal"}) {
    const std::string bytes = FileBytes(file);
    EXPECT_EQ(bytes.find(p_bytes), std::string::npos) << file;
    EXPECT_EQ(bytes.find(r_bytes), std::string::npos) << file;
  }
  EXPECT_EQ(FileBytes(path + "-wal").size(), 0u);
}

// Moving a key into the bin and out again is a state change: SINCE restarts.
TEST(KeyDbTest, DeleteAndUndeleteRestartStateChanged) {
  auto db = KeyDb::Open(TestPath("since.db"));
  ASSERT_TRUE(db.ok());
  auto tx = (*db)->BeginWrite();
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE((*tx)->UpsertZone(Zone("example.com.")).ok());
  auto id = (*tx)->InsertKey(Key("example.com.", 7));
  ASSERT_TRUE(id.ok()) << id.status();
  const absl::Time deleted = kT0 + absl::Hours(5);
  ASSERT_TRUE((*tx)->SetKeyDeleted(*id, true, deleted).ok());
  auto keys = (*tx)->KeysOfZone("example.com.", true);
  ASSERT_TRUE(keys.ok() && keys->size() == 1u);
  EXPECT_EQ((*keys)[0].state_changed_at, deleted);
  EXPECT_EQ((*keys)[0].deleted_at, deleted);
  const absl::Time back = deleted + absl::Hours(1);
  ASSERT_TRUE((*tx)->SetKeyDeleted(*id, false, back).ok());
  keys = (*tx)->KeysOfZone("example.com.", true);
  ASSERT_TRUE(keys.ok() && keys->size() == 1u);
  EXPECT_EQ((*keys)[0].state_changed_at, back);
  EXPECT_FALSE((*keys)[0].deleted_at.has_value());
}

TEST(KeyDbTest, ForeignKeyNeedsZone) {
  auto db = KeyDb::Open(TestPath("fk.db"));
  ASSERT_TRUE(db.ok());
  auto tx = (*db)->BeginWrite();
  ASSERT_TRUE(tx.ok());
  EXPECT_FALSE((*tx)->InsertKey(Key("nozone.example.", 1)).ok());
}

TEST(KeyDbTest, RollbackOnDestructionLeavesNothing) {
  auto db = KeyDb::Open(TestPath("rollback.db"));
  ASSERT_TRUE(db.ok());
  {
    auto tx = (*db)->BeginWrite();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)->UpsertZone(Zone("example.com.")).ok());
    ASSERT_TRUE((*tx)->InsertKey(Key("example.com.", 1)).ok());
    AuditRow audit;
    audit.time = kT0;
    audit.command = "create";
    ASSERT_TRUE((*tx)->InsertAudit(audit).ok());
    // A failing statement, then the transaction goes out of scope.
    EXPECT_FALSE((*tx)->InsertKey(Key("example.com.", 1)).ok());
  }
  auto tx = (*db)->BeginRead();
  ASSERT_TRUE(tx.ok());
  auto zone = (*tx)->GetZone("example.com.");
  ASSERT_TRUE(zone.ok());
  EXPECT_FALSE(zone->has_value());
  auto keys = (*tx)->AllKeys(true);
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());
  auto audit = (*tx)->ReadAudit("", 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->empty());
}

TEST(KeyDbTest, KeyStateZoneAndAuditRoundTrip) {
  auto db = KeyDb::Open(TestPath("roundtrip.db"));
  ASSERT_TRUE(db.ok());
  auto tx = (*db)->BeginWrite();
  ASSERT_TRUE(tx.ok());
  ZoneRow zone = Zone("example.com.");
  ASSERT_TRUE((*tx)->UpsertZone(zone).ok());
  zone.max_ttl = 3600;
  zone.keyset_tags = "1,2";
  zone.keyset_signed_at = kT0 + absl::Microseconds(5);
  zone.zsk_stage1_at = kT0;
  ASSERT_TRUE((*tx)->UpsertZone(zone).ok());
  KeyRow ksk = Key("example.com.", 2);
  ksk.role = dnssec::KeyRole::kKsk;
  ksk.state = dnssec::KeyState::kActive;
  ASSERT_TRUE((*tx)->InsertKey(ksk).ok());
  auto zsk_id = (*tx)->InsertKey(Key("example.com.", 1));
  ASSERT_TRUE(zsk_id.ok());
  ASSERT_TRUE((*tx)
                  ->UpdateKeyState(*zsk_id, dnssec::KeyState::kActive, true,
                                   kT0 + absl::Hours(1))
                  .ok());
  EXPECT_EQ(
      (*tx)->UpdateKeyState(999, dnssec::KeyState::kActive, false, kT0).code(),
      absl::StatusCode::kNotFound);
  AuditRow a;
  a.time = kT0;
  a.identity = "unix:root";
  a.command = "create both";
  a.zone = "example.com.";
  a.result = "ok";
  ASSERT_TRUE((*tx)->InsertAudit(a).ok());
  a.zone = "example.org.";
  ASSERT_TRUE((*tx)->InsertAudit(a).ok());
  ASSERT_TRUE((*tx)->Commit().ok());
  tx = (*db)->BeginRead();
  ASSERT_TRUE(tx.ok());

  auto got = (*tx)->GetZone("example.com.");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->max_ttl, 3600u);
  EXPECT_EQ((*got)->keyset_tags, "1,2");
  EXPECT_EQ((*got)->keyset_signed_at, kT0 + absl::Microseconds(5));
  EXPECT_EQ((*got)->zsk_stage1_at, kT0);
  EXPECT_FALSE((*got)->ksk_stage1_at.has_value());

  auto keys = (*tx)->KeysOfZone("example.com.", false);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].role, dnssec::KeyRole::kKsk);  // KSK first
  EXPECT_EQ((*keys)[1].state, dnssec::KeyState::kActive);
  EXPECT_TRUE((*keys)[1].rollover);
  EXPECT_EQ((*keys)[1].state_changed_at, kT0 + absl::Hours(1));

  auto found =
      (*tx)->FindKey("example.com.", dnssec::Algorithm::kEcdsaP256Sha256, 1);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, *zsk_id);
  auto missing = (*tx)->FindKey("example.com.", dnssec::Algorithm::kEd25519, 1);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  auto all = (*tx)->ReadAudit("", 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].zone, "example.org.");  // newest first
  auto one = (*tx)->ReadAudit("example.com.", 10);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].identity, "unix:root");
}

TEST(KeyDbTest, SecondConnectionWaitsForWriter) {
  const std::string path = TestPath("two.db");
  KeyDbOptions fast;
  fast.busy_timeout = absl::Milliseconds(50);
  auto a = KeyDb::Open(path, fast);
  auto b = KeyDb::Open(path, fast);
  ASSERT_TRUE(a.ok() && b.ok());
  auto tx = (*a)->BeginWrite();
  ASSERT_TRUE(tx.ok());
  auto other = (*b)->BeginWrite();
  EXPECT_EQ(other.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace store
}  // namespace zonekeep
