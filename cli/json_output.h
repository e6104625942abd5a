// maintkeydb's scriptable output: `list --json` and `audit --json`.
//
// Contract (stable field names, documented in README and maintkeydb(1)):
//   list:  {"server_time": T, "keys": [{"zone", "key_tag", "role" ("KSK" |
//           "ZSK"), "algorithm" (number), "algorithm_name", "bits", "state"
//           ("published" | "active" | "expired"), "rollover" (bool),
//           "created": T, "state_changed": T}]}
//   audit: {"records": [{"time": T, "identity", "command", "zone" (null if
//           none), "key_tags" (array of numbers), "result", "count" (calls
//           the row stands for: 1, or refusals collapsed into it)}],
//           "limit": N, "truncated": bool}
// Every T is an absolute UTC time in RFC 3339 ("2026-11-30T10:00:00Z").
// Fields may be added; none is renamed or removed.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_CLI_JSON_OUTPUT_H_
#define ZONEKEEP_CLI_JSON_OUTPUT_H_

#include <cstdint>
#include <string>

#include "proto/keystore.pb.h"

namespace zonekeep {
namespace cli {

// "2026-11-30T10:00:00Z".
std::string Rfc3339Utc(int64_t unix_seconds);

// A JSON string literal, quotes included.
std::string JsonQuote(const std::string& text);

std::string FormatKeysJson(const v1::KeyList& keys);

std::string FormatAuditJson(const v1::AuditLog& log, uint32_t limit);
// Calls an audit row stands for; a daemon without counts sends 0, read as 1.
uint64_t AuditCount(const v1::AuditRecord& record);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_JSON_OUTPUT_H_
