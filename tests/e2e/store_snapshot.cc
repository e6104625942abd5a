#include "tests/e2e/store_snapshot.h"

#include <string>
#include <vector>

#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

constexpr char kUnit = '\x1f';    // column separator of sqlite3 -ascii
constexpr char kRecord = '\x1e';  // row separator of sqlite3 -ascii

// Rows end with kRecord (no empty row after the last); a row's last column
// may be empty ("a\x1f" is two columns).
std::vector<std::string> Split(const std::string& text, char sep,
                               bool keep_last_empty) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = text.find(sep, start);
    if (end == std::string::npos) {
      if (start < text.size() || (keep_last_empty && start > 0)) {
        parts.push_back(text.substr(start));
      }
      break;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// Rows of `sql`, or an error text in `error`.
std::vector<std::vector<std::string>> Query(const std::string& db_path,
                                            const std::string& sql,
                                            std::string* error) {
  ProcessResult r = RunProcess({"sqlite3", "-batch", "-ascii", db_path, sql});
  std::vector<std::vector<std::string>> rows;
  if (r.exit_code != 0 || !r.err.empty()) {
    *error =
        "sqlite3 failed (exit " + std::to_string(r.exit_code) + "): " + r.err;
    return rows;
  }
  for (const std::string& line : Split(r.out, kRecord, false)) {
    rows.push_back(Split(line, kUnit, true));
  }
  return rows;
}

// sqlite3 prints NULL as "".
std::optional<int64_t> OptionalTime(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return std::stoll(text);
}

std::string Joined(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += (i == 0 ? "" : " ") + row[i];
    }
    out += "\n";
  }
  return out;
}

}  // namespace

StoreSnapshot ReadStoreSnapshot(const std::string& db_path) {
  StoreSnapshot snap;
  std::string error;
  const auto integrity = Query(db_path, "PRAGMA integrity_check", &error);
  if (!error.empty()) {
    snap.integrity = error;
    return snap;
  }
  snap.integrity = Joined(integrity);
  if (!snap.integrity.empty() && snap.integrity.back() == '\n') {
    snap.integrity.pop_back();
  }
  const auto fk = Query(db_path, "PRAGMA foreign_key_check", &error);
  snap.foreign_key = error.empty() ? Joined(fk) : error;
  const auto keys = Query(db_path,
                          "SELECT id, zone, algorithm, key_tag, role, state, "
                          "rollover, deleted, hex(dnskey_rdata), created_at, "
                          "state_changed_at, deleted_at FROM keys ORDER BY id",
                          &error);
  for (const auto& row : keys) {
    if (row.size() != 12) {
      error = "a keys row with " + std::to_string(row.size()) + " columns";
      break;
    }
    StoreKey key;
    key.id = std::stoll(row[0]);
    key.zone = row[1];
    key.algorithm = std::stoi(row[2]);
    key.key_tag = std::stoi(row[3]);
    key.role = row[4];
    key.state = row[5];
    key.rollover = row[6] == "1";
    key.deleted = row[7] == "1";
    key.dnskey_hex = row[8];
    key.created_at = std::stoll(row[9]);
    key.state_changed_at = std::stoll(row[10]);
    key.deleted_at = OptionalTime(row[11]);
    snap.keys.push_back(key);
  }
  const auto zones = Query(db_path,
                           "SELECT name, created_at, last_signed_at, "
                           "zsk_stage1_at, ksk_stage1_at FROM zones "
                           "ORDER BY name",
                           &error);
  for (const auto& row : zones) {
    if (row.size() != 5) {
      error = "a zones row with " + std::to_string(row.size()) + " columns";
      break;
    }
    snap.zones.push_back(StoreZone{row[0], std::stoll(row[1]),
                                   OptionalTime(row[2]), OptionalTime(row[3]),
                                   OptionalTime(row[4])});
  }
  const auto audit = Query(db_path,
                           "SELECT id, time, command, zone, key_tags, result "
                           "FROM audit ORDER BY id",
                           &error);
  for (const auto& row : audit) {
    if (row.size() != 6) {
      error = "an audit row with " + std::to_string(row.size()) + " columns";
      break;
    }
    snap.audit.push_back(AuditRecord{std::stoll(row[0]), std::stoll(row[1]),
                                     row[2], row[3], row[4], row[5]});
  }
  if (!error.empty()) snap.integrity += "; reading the tables: " + error;
  return snap;
}

std::string ExecSqlite(const std::string& db_path, const std::string& sql) {
  ProcessResult r = RunProcess({"sqlite3", "-batch", db_path, sql});
  if (r.exit_code != 0 && r.err.empty()) return "sqlite3 failed";
  return r.err;
}

}  // namespace zonekeep::testing
