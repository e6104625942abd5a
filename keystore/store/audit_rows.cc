// Transaction: the audit table.
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace store {

absl::StatusOr<int64_t> Transaction::InsertAudit(const AuditRow& row) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "INSERT INTO audit (time, identity, command, zone, key_tags, result,"
      " count, refused) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  Statement q(raw(), *stmt);
  q.BindTime(1, row.time)
      .BindText(2, row.identity)
      .BindText(3, row.command)
      .BindText(4, row.zone)
      .BindText(5, row.key_tags)
      .BindText(6, row.result)
      .BindInt(7, row.count < 1 ? 1 : row.count)
      .BindInt(8, row.refused ? 1 : 0);
  absl::Status s = q.Run();
  if (!s.ok()) return s;
  return static_cast<int64_t>(sqlite3_last_insert_rowid(raw()));
}

absl::StatusOr<int64_t> Transaction::CountRefusal(const AuditRow& row,
                                                  absl::Time window_start) {
  absl::StatusOr<sqlite3_stmt*> find = Prepare(
      "SELECT id FROM audit WHERE refused = 1 AND identity = ?1"
      " AND command = ?2 AND result = ?3 AND time >= ?4"
      " ORDER BY id DESC LIMIT 1");
  if (!find.ok()) return find.status();
  int64_t id = 0;
  {
    Statement q(raw(), *find);
    q.BindText(1, row.identity)
        .BindText(2, row.command)
        .BindText(3, row.result)
        .BindTime(4, window_start);
    absl::StatusOr<bool> found = q.Step();
    if (!found.ok()) return found.status();
    if (*found) id = q.Int(0);
  }
  if (id == 0) {
    AuditRow first = row;
    first.count = 1;
    first.refused = true;
    return InsertAudit(first);
  }
  absl::StatusOr<sqlite3_stmt*> bump =
      Prepare("UPDATE audit SET count = count + 1 WHERE id = ?");
  if (!bump.ok()) return bump.status();
  Statement q(raw(), *bump);
  q.BindInt(1, id);
  absl::Status s = q.Run();
  if (!s.ok()) return s;
  return id;
}

absl::StatusOr<std::vector<AuditRow>> Transaction::ReadAudit(
    const std::string& zone, int limit) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(
      "SELECT id, time, identity, command, zone, key_tags, result, count,"
      " refused FROM audit"
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
    row.count = q.Int(7);
    row.refused = q.Int(8) != 0;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace store
}  // namespace zonekeep
