// Transaction: the zones table.
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace store {

absl::StatusOr<std::optional<ZoneRow>> Transaction::GetZone(
    const std::string& name) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "SELECT name, max_ttl, last_signed_at, keyset_signed_at, keyset_tags,"
      " zsk_stage1_at, ksk_stage1_at, created_at, zsk_first_serial,"
      " zsk_served_at, zsk_wait_ttl, ksk_wait_ttl, ds_seen_at, ds_ttl,"
      " dnskey_ttl, cds_delete FROM zones WHERE name = ?");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindText(1, name);
  absl::StatusOr<bool> row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ZoneRow>();
  ZoneRow zone;
  zone.name = q.Text(0);
  zone.max_ttl = static_cast<uint32_t>(q.Int(1));
  zone.last_signed_at = q.OptionalTime(2);
  zone.keyset_signed_at = q.OptionalTime(3);
  zone.keyset_tags = q.Text(4);
  zone.zsk_stage1_at = q.OptionalTime(5);
  zone.ksk_stage1_at = q.OptionalTime(6);
  zone.created_at = q.Time(7);
  if (!q.IsNull(8)) zone.zsk_first_serial = static_cast<uint32_t>(q.Int(8));
  zone.zsk_served_at = q.OptionalTime(9);
  zone.zsk_wait_ttl = static_cast<uint32_t>(q.Int(10));
  zone.ksk_wait_ttl = static_cast<uint32_t>(q.Int(11));
  zone.ds_seen_at = q.OptionalTime(12);
  zone.ds_ttl = static_cast<uint32_t>(q.Int(13));
  zone.dnskey_ttl = static_cast<uint32_t>(q.Int(14));
  zone.cds_delete = q.Int(15) != 0;
  return std::optional<ZoneRow>(std::move(zone));
}

absl::Status Transaction::UpsertZone(const ZoneRow& row) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "INSERT INTO zones (name, max_ttl, last_signed_at, keyset_signed_at,"
      " keyset_tags, zsk_stage1_at, ksk_stage1_at, created_at,"
      " zsk_first_serial, zsk_served_at, zsk_wait_ttl, ksk_wait_ttl,"
      " ds_seen_at, ds_ttl, dnskey_ttl, cds_delete)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
      " ON CONFLICT (name) DO UPDATE SET max_ttl = excluded.max_ttl,"
      " last_signed_at = excluded.last_signed_at,"
      " keyset_signed_at = excluded.keyset_signed_at,"
      " keyset_tags = excluded.keyset_tags,"
      " zsk_stage1_at = excluded.zsk_stage1_at,"
      " ksk_stage1_at = excluded.ksk_stage1_at,"
      " zsk_first_serial = excluded.zsk_first_serial,"
      " zsk_served_at = excluded.zsk_served_at,"
      " zsk_wait_ttl = excluded.zsk_wait_ttl,"
      " ksk_wait_ttl = excluded.ksk_wait_ttl,"
      " ds_seen_at = excluded.ds_seen_at, ds_ttl = excluded.ds_ttl,"
      " dnskey_ttl = excluded.dnskey_ttl, cds_delete = excluded.cds_delete");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindText(1, row.name)
      .BindInt(2, row.max_ttl)
      .BindOptionalTime(3, row.last_signed_at)
      .BindOptionalTime(4, row.keyset_signed_at)
      .BindText(5, row.keyset_tags)
      .BindOptionalTime(6, row.zsk_stage1_at)
      .BindOptionalTime(7, row.ksk_stage1_at)
      .BindTime(8, row.created_at)
      .BindOptionalTime(10, row.zsk_served_at)
      .BindInt(11, row.zsk_wait_ttl)
      .BindInt(12, row.ksk_wait_ttl)
      .BindOptionalTime(13, row.ds_seen_at)
      .BindInt(14, row.ds_ttl)
      .BindInt(15, row.dnskey_ttl)
      .BindInt(16, row.cds_delete ? 1 : 0);
  if (row.zsk_first_serial.has_value()) {
    q.BindInt(9, *row.zsk_first_serial);
  } else {
    q.BindNull(9);
  }
  return q.Run();
}

absl::StatusOr<std::vector<std::string>> Transaction::ZoneNames() {
  absl::StatusOr<sqlite3_stmt*> stmt =
      Prepare("SELECT name FROM zones ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  std::vector<std::string> names;
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    names.push_back(q.Text(0));
  }
  return names;
}

}  // namespace store
}  // namespace zonekeep
