#include "cli/key_listing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zonekeep {
namespace cli {

std::string FormatAge(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  const int64_t days = seconds / 86400;
  const int64_t hours = seconds % 86400 / 3600;
  const int64_t minutes = seconds % 3600 / 60;
  if (days > 0) return absl::StrFormat("%dd%02dh", days, hours);
  if (hours > 0) return absl::StrFormat("%dh%02dm", hours, minutes);
  if (minutes > 0) return absl::StrFormat("%dm%02ds", minutes, seconds % 60);
  return absl::StrCat(seconds, "s");
}

std::string FormatKeyTable(const v1::KeyList& keys) {
  if (keys.keys().empty()) return "no keys\n";
  // Columns as wide as their longest value: long zone names stay aligned.
  size_t zone_width = 4;
  size_t algorithm_width = 9;
  for (const v1::Key& key : keys.keys()) {
    zone_width = std::max(zone_width, key.zone().size());
    algorithm_width = std::max(algorithm_width, key.algorithm_name().size());
  }
  const int zw = static_cast<int>(zone_width);
  const int aw = static_cast<int>(algorithm_width);
  std::string out =
      absl::StrFormat("%-*s %5s %-4s %-*s %5s %-13s %s\n", zw, "ZONE", "TAG",
                      "ROLE", aw, "ALGORITHM", "BITS", "STATE", "SINCE");
  for (const v1::Key& key : keys.keys()) {
    std::string state = key.deleted()               ? "expired"
                        : key.state() == v1::ACTIVE ? "active"
                                                    : "published";
    if (key.rollover() && !key.deleted()) state += "(R)";
    out += absl::StrFormat(
        "%-*s %5d %-4s %-*s %5d %-13s %s\n", zw, key.zone(), key.key_tag(),
        key.role() == v1::KSK ? "KSK" : "ZSK", aw, key.algorithm_name(),
        key.bits(), state,
        FormatAge(keys.server_time_unix() - key.state_changed_unix()));
  }
  return out;
}

}  // namespace cli
}  // namespace zonekeep
