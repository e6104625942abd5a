#include "cli/json_output.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace zonekeep {
namespace cli {
namespace {

std::string Bool(bool value) { return value ? "true" : "false"; }

std::string KeyState(const v1::Key& key) {
  if (key.deleted()) return "expired";
  return key.state() == v1::ACTIVE ? "active" : "published";
}

// "12345 23456" or "12345,23456" -> [12345,23456]; words that are not
// numbers are left out.
std::string KeyTagArray(const std::string& tags) {
  std::vector<std::string> numbers;
  for (absl::string_view word :
       absl::StrSplit(tags, absl::ByAnyChar(" ,"), absl::SkipEmpty())) {
    uint32_t tag = 0;
    if (absl::SimpleAtoi(word, &tag)) numbers.push_back(absl::StrCat(tag));
  }
  return absl::StrCat("[", absl::StrJoin(numbers, ","), "]");
}

}  // namespace

std::string Rfc3339Utc(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

std::string JsonQuote(const std::string& text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string FormatKeysJson(const v1::KeyList& keys) {
  std::vector<std::string> items;
  for (const v1::Key& key : keys.keys()) {
    items.push_back(absl::StrCat(
        "{\"zone\":", JsonQuote(key.zone()), ",\"key_tag\":", key.key_tag(),
        ",\"role\":", key.role() == v1::KSK ? "\"KSK\"" : "\"ZSK\"",
        ",\"algorithm\":", key.algorithm(),
        ",\"algorithm_name\":", JsonQuote(key.algorithm_name()),
        ",\"bits\":", key.bits(), ",\"state\":", JsonQuote(KeyState(key)),
        ",\"rollover\":", Bool(key.rollover() && !key.deleted()),
        ",\"created\":", JsonQuote(Rfc3339Utc(key.created_unix())),
        ",\"state_changed\":", JsonQuote(Rfc3339Utc(key.state_changed_unix())),
        "}"));
  }
  return absl::StrCat(
      "{\"server_time\":", JsonQuote(Rfc3339Utc(keys.server_time_unix())),
      ",\"keys\":[", absl::StrJoin(items, ",\n"), "]}\n");
}

uint64_t AuditCount(const v1::AuditRecord& record) {
  return record.count() == 0 ? 1 : record.count();
}

std::string FormatAuditJson(const v1::AuditLog& log, uint32_t limit) {
  std::vector<std::string> items;
  for (const v1::AuditRecord& record : log.records()) {
    items.push_back(absl::StrCat(
        "{\"time\":", JsonQuote(Rfc3339Utc(record.time_unix())),
        ",\"identity\":", JsonQuote(record.identity()),
        ",\"command\":", JsonQuote(record.command()),
        ",\"zone\":", record.zone().empty() ? "null" : JsonQuote(record.zone()),
        ",\"key_tags\":", KeyTagArray(record.key_tags()), ",\"result\":",
        JsonQuote(record.result()), ",\"count\":", AuditCount(record), "}"));
  }
  return absl::StrCat("{\"records\":[", absl::StrJoin(items, ",\n"),
                      "],\"limit\":", limit,
                      ",\"truncated\":", Bool(log.truncated()), "}\n");
}

}  // namespace cli
}  // namespace zonekeep
