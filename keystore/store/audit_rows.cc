// Transaction: the audit table.
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace store {

absl::StatusOr<int64_t> Transaction::InsertAudit(const AuditRow& row) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "INSERT INTO audit (time, identity, command, zone, key_tags, result)"
      " VALUES (?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindTime(1, row.time)
      .BindText(2, row.identity)
      .BindText(3, row.command)
      .BindText(4, row.zone)
      .BindText(5, row.key_tags)
      .BindText(6, row.result);
  absl::Status s = q.Run();
  if (!s.ok()) return s;
  return static_cast<int64_t>(sqlite3_last_insert_rowid(raw()));
}

absl::StatusOr<std::vector<AuditRow>> Transaction::ReadAudit(
    const std::string& zone, int limit) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "SELECT id, time, identity, command, zone, key_tags, result FROM audit"
      " WHERE ?1 = '' OR zone = ?1 ORDER BY id DESC LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindText(1, zone).BindInt(2, limit < 0 ? 0 : limit);
  std::vector<AuditRow> rows;
  while (true) {
    absl::StatusOr<bool> more = q.Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    AuditRow row;
    row.id = q.Int(0);
    row.time = q.Time(1);
    row.identity = q.Text(2);
    row.command = q.Text(3);
    row.zone = q.Text(4);
    row.key_tags = q.Text(5);
    row.result = q.Text(6);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace store
}  // namespace zonekeep
