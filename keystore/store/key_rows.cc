// Transaction: the keys table.
#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace store {
namespace {

constexpr char kKeyColumns[] =
    "id, zone, algorithm, key_tag, role, bits, state, rollover, deleted,"
    " created_at, state_changed_at, deleted_at, dnskey_rdata, sealed_private,"
    " backend, dnskey_served_at";

const char* RoleText(dnssec::KeyRole role) {
  return role == dnssec::KeyRole::kKsk ? "KSK" : "ZSK";
}
const char* StateText(dnssec::KeyState state) {
  return state == dnssec::KeyState::kActive ? "active" : "published";
}

absl::StatusOr<KeyRow> ReadKeyRow(const Statement& q) {
  KeyRow row;
  row.id = q.Int(0);
  row.zone = q.Text(1);
  row.algorithm = static_cast<dnssec::Algorithm>(q.Int(2));
  row.key_tag = static_cast<uint16_t>(q.Int(3));
  const std::string role = q.Text(4);
  const std::string state = q.Text(6);
  if ((role != "KSK" && role != "ZSK") ||
      (state != "active" && state != "published")) {
    return absl::DataLossError(
        absl::StrCat("key row ", row.id, " has an invalid role or state"));
  }
  row.role = role == "KSK" ? dnssec::KeyRole::kKsk : dnssec::KeyRole::kZsk;
  row.bits = static_cast<int>(q.Int(5));
  row.state = state == "active" ? dnssec::KeyState::kActive
                                : dnssec::KeyState::kPublished;
  row.rollover = q.Int(7) != 0;
  row.deleted = q.Int(8) != 0;
  row.created_at = q.Time(9);
  row.state_changed_at = q.Time(10);
  row.deleted_at = q.OptionalTime(11);
  row.dnskey_rdata = q.Blob(12);
  row.sealed_private = q.Blob(13);
  row.backend = q.Text(14);
  row.dnskey_served_at = q.OptionalTime(15);
  return row;
}

}  // namespace

absl::StatusOr<int64_t> Transaction::InsertKey(const KeyRow& row) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "INSERT INTO keys (zone, algorithm, key_tag, role, bits, state,"
      " rollover, deleted, created_at, state_changed_at, deleted_at,"
      " dnskey_rdata, sealed_private, backend)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindText(1, row.zone)
      .BindInt(2, static_cast<int>(row.algorithm))
      .BindInt(3, row.key_tag)
      .BindText(4, RoleText(row.role))
      .BindInt(5, row.bits)
      .BindText(6, StateText(row.state))
      .BindInt(7, row.rollover ? 1 : 0)
      .BindInt(8, row.deleted ? 1 : 0)
      .BindTime(9, row.created_at)
      .BindTime(10, row.state_changed_at)
      .BindOptionalTime(11, row.deleted_at)
      .BindBlob(12, row.dnskey_rdata)
      .BindBlob(13, row.sealed_private)
      .BindText(14, row.backend);
  absl::Status s = q.Run();
  if (absl::IsAlreadyExists(s)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "key ", row.key_tag, " algorithm ", static_cast<int>(row.algorithm),
        " already exists in ", row.zone));
  }
  if (!s.ok()) return s;
  return static_cast<int64_t>(sqlite3_last_insert_rowid(raw()));
}

absl::Status Transaction::UpdateSealedPrivate(
    int64_t id, const std::vector<uint8_t>& sealed) {
  absl::StatusOr<sqlite3_stmt*> stmt =
      Prepare("UPDATE keys SET sealed_private = ? WHERE id = ?");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindBlob(1, sealed).BindInt(2, id);
  absl::Status s = q.Run();
  if (!s.ok()) return s;
  if (q.Changes() != 1) {
    return absl::NotFoundError(absl::StrCat("no key row ", id));
  }
  sealed_removed_ = true;
  return absl::OkStatus();
}

absl::Status Transaction::UpdateKeyState(int64_t id, dnssec::KeyState state,
                                         bool rollover, absl::Time changed_at) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "UPDATE keys SET state = ?, rollover = ?, state_changed_at = ?"
      " WHERE id = ?");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindText(1, StateText(state))
      .BindInt(2, rollover ? 1 : 0)
      .BindTime(3, changed_at)
      .BindInt(4, id);
  absl::Status s = q.Run();
  if (!s.ok()) return s;
  if (q.Changes() != 1) {
    return absl::NotFoundError(absl::StrCat("no key row ", id));
  }
  return absl::OkStatus();
}

absl::Status Transaction::SetKeyDeleted(int64_t id, bool deleted,
                                        absl::Time at) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "UPDATE keys SET deleted = ?, deleted_at = ?, state_changed_at = ?"
      " WHERE id = ?");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindInt(1, deleted ? 1 : 0)
      .BindOptionalTime(2,
                        deleted ? std::optional<absl::Time>(at) : std::nullopt)
      .BindTime(3, at)
      .BindInt(4, id);
  absl::Status s = q.Run();
  if (!s.ok()) return s;
  if (q.Changes() != 1) {
    return absl::NotFoundError(absl::StrCat("no key row ", id));
  }
  return absl::OkStatus();
}

absl::Status Transaction::SetKeyServedAt(int64_t id,
                                         std::optional<absl::Time> at) {
  absl::StatusOr<sqlite3_stmt*> stmt =
      Prepare("UPDATE keys SET dnskey_served_at = ? WHERE id = ?");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindOptionalTime(1, at).BindInt(2, id);
  absl::Status s = q.Run();
  if (!s.ok()) return s;
  if (q.Changes() != 1) {
    return absl::NotFoundError(absl::StrCat("no key row ", id));
  }
  return absl::OkStatus();
}

absl::Status Transaction::PurgeKey(int64_t id) {
  absl::StatusOr<sqlite3_stmt*> stmt =
      Prepare("DELETE FROM keys WHERE id = ? AND deleted = 1");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindInt(1, id);
  absl::Status s = q.Run();
  if (!s.ok()) return s;
  if (q.Changes() != 1) {
    return absl::NotFoundError(absl::StrCat("no key row ", id, " in the bin"));
  }
  sealed_removed_ = true;  // its sealed bytes are wiped at commit
  return absl::OkStatus();
}

absl::StatusOr<std::vector<KeyRow>> Transaction::ReadKeys(
    const char* sql, const std::string* zone) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  if (zone != nullptr) q.BindText(1, *zone);
  std::vector<KeyRow> rows;
  while (true) {
    absl::StatusOr<bool> more = q.Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    absl::StatusOr<KeyRow> row = ReadKeyRow(q);
    if (!row.ok()) return row.status();
    rows.push_back(*std::move(row));
  }
  return rows;
}

absl::StatusOr<std::vector<KeyRow>> Transaction::KeysOfZone(
    const std::string& zone, bool include_deleted) {
  static const std::string kLive =
      absl::StrCat("SELECT ", kKeyColumns,
                   " FROM keys WHERE zone = ? AND deleted = 0"
                   " ORDER BY role, state, key_tag, id");
  static const std::string kAll =
      absl::StrCat("SELECT ", kKeyColumns,
                   " FROM keys WHERE zone = ?"
                   " ORDER BY deleted, role, state, key_tag, id");
  return ReadKeys(include_deleted ? kAll.c_str() : kLive.c_str(), &zone);
}

absl::StatusOr<std::vector<KeyRow>> Transaction::AllKeys(bool include_deleted) {
  static const std::string kLive =
      absl::StrCat("SELECT ", kKeyColumns,
                   " FROM keys WHERE deleted = 0"
                   " ORDER BY zone, role, state, key_tag, id");
  static const std::string kAll = absl::StrCat(
      "SELECT ", kKeyColumns,
      " FROM keys ORDER BY zone, deleted, role, state, key_tag, id");
  return ReadKeys(include_deleted ? kAll.c_str() : kLive.c_str(), nullptr);
}

absl::StatusOr<std::optional<KeyRow>> Transaction::FindKey(
    const std::string& zone, dnssec::Algorithm algorithm, uint16_t key_tag) {
  static const std::string kSql = absl::StrCat(
      "SELECT ", kKeyColumns,
      " FROM keys WHERE zone = ? AND algorithm = ? AND key_tag = ?");
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(kSql.c_str());
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindText(1, zone)
      .BindInt(2, static_cast<int>(algorithm))
      .BindInt(3, key_tag);
  absl::StatusOr<bool> more = q.Step();
  if (!more.ok()) return more.status();
  if (!*more) return std::optional<KeyRow>();
  absl::StatusOr<KeyRow> row = ReadKeyRow(q);
  if (!row.ok()) return row.status();
  return std::optional<KeyRow>(*std::move(row));
}

absl::StatusOr<int64_t> Transaction::CountKeysOfBackend(
    const std::string& backend) {
  absl::StatusOr<sqlite3_stmt*> stmt =
      Prepare("SELECT COUNT(*) FROM keys WHERE backend = ?");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindText(1, backend);
  absl::StatusOr<bool> more = q.Step();
  if (!more.ok()) return more.status();
  return *more ? q.Int(0) : 0;
}

absl::StatusOr<std::optional<KeyRow>> Transaction::FirstKeyOfBackend(
    const std::string& backend) {
  static const std::string kSql =
      absl::StrCat("SELECT ", kKeyColumns,
                   " FROM keys WHERE backend = ? ORDER BY id LIMIT 1");
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(kSql.c_str());
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindText(1, backend);
  absl::StatusOr<bool> more = q.Step();
  if (!more.ok()) return more.status();
  if (!*more) return std::optional<KeyRow>();
  absl::StatusOr<KeyRow> row = ReadKeyRow(q);
  if (!row.ok()) return row.status();
  return std::optional<KeyRow>(*std::move(row));
}

absl::StatusOr<std::optional<std::vector<uint8_t>>>
Transaction::GetMasterKeyCheck() {
  absl::StatusOr<sqlite3_stmt*> stmt =
      Prepare("SELECT sealed FROM master_key_check WHERE id = 1");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  absl::StatusOr<bool> more = q.Step();
  if (!more.ok()) return more.status();
  if (!*more) return std::optional<std::vector<uint8_t>>();
  return std::optional<std::vector<uint8_t>>(q.Blob(0));
}

absl::Status Transaction::SetMasterKeyCheck(
    const std::vector<uint8_t>& sealed) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "INSERT INTO master_key_check (id, sealed) VALUES (1, ?)"
      " ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindBlob(1, sealed);
  return q.Run();
}

}  // namespace store
}  // namespace zonekeep
