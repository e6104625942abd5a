// Test support: reads maintkeydb's `list` table back into rows.
#ifndef ZONEKEEP_TESTS_E2E_KEY_TABLE_H_
#define ZONEKEEP_TESTS_E2E_KEY_TABLE_H_

#include <string>
#include <vector>

namespace zonekeep::testing {

struct KeyRow {
  std::string zone;
  int tag = 0;
  std::string role;
  std::string algorithm;
  int bits = 0;
  std::string state;  // "active", "published(R)", "expired", ...

  // Everything but the age, which moves on by itself.
  bool operator==(const KeyRow& other) const {
    return zone == other.zone && tag == other.tag && role == other.role &&
           algorithm == other.algorithm && bits == other.bits &&
           state == other.state;
  }
};

std::vector<KeyRow> ParseKeyTable(const std::string& table);

// Rows with this role and state.
std::vector<KeyRow> Select(const std::vector<KeyRow>& rows,
                           const std::string& role, const std::string& state);

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_KEY_TABLE_H_
