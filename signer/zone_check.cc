#include "signer/zone_check.h"

#include <utility>

#include "dnssec/name.h"
#include "signer/zone_model.h"
#include "signer/zone_parser.h"

namespace zonekeep {
namespace signer {

absl::StatusOr<CheckReport> CheckZone(absl::string_view zone_text,
                                      absl::string_view display_name,
                                      const CheckOptions& options,
                                      const ZoneSink& sink) {
  ParseOptions parse_options;
  parse_options.threads = options.threads;
  parse_options.max_errors = options.max_errors;
  auto parsed =
      ParseZoneText(zone_text, display_name, options.origin, parse_options);
  if (!parsed.ok()) return parsed.status();
  CheckReport report;
  report.dnssec_records_dropped = parsed->dnssec_records_dropped;
  auto zone = BuildZone(std::move(parsed->origin), std::move(parsed->records),
                        display_name);
  if (!zone.ok()) return zone.status();
  report.origin = dnssec::NameToText(zone->origin);
  for (const Node& node : zone->nodes) {
    for (const RRset& rrset : node.rrsets)
      report.records += rrset.rdatas.size();
  }
  if (absl::Status s = WriteZoneText(*zone, sink, options.threads); !s.ok()) {
    return s;
  }
  return report;
}

absl::StatusOr<std::string> CheckZoneText(absl::string_view zone_text,
                                          absl::string_view display_name,
                                          const CheckOptions& options) {
  std::string out;
  auto report = CheckZone(zone_text, display_name, options,
                          [&out](absl::string_view piece) {
                            out.append(piece.data(), piece.size());
                            return absl::OkStatus();
                          });
  if (!report.ok()) return report.status();
  return out;
}

}  // namespace signer
}  // namespace zonekeep
