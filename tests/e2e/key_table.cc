#include "tests/e2e/key_table.h"

#include <sstream>

namespace zonekeep::testing {

std::vector<KeyRow> ParseKeyTable(const std::string& table) {
  std::vector<KeyRow> rows;
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    KeyRow row;
    std::string since;
    if (!(fields >> row.zone >> row.tag >> row.role >> row.algorithm >>
          row.bits >> row.state >> since)) {
      continue;  // header, comments, other text
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<KeyRow> Select(const std::vector<KeyRow>& rows,
                           const std::string& role, const std::string& state) {
  std::vector<KeyRow> out;
  for (const KeyRow& row : rows) {
    if (row.role == role && row.state == state) out.push_back(row);
  }
  return out;
}

}  // namespace zonekeep::testing
