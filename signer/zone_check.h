// The signer's check mode (`dnssigner --check`, docs/DESIGN.md): reads a zone
// exactly as SignZone does, with no keys, and writes its records in
// canonical form, or says why the signer would refuse it.
//
// Contract:
//  - The text goes through the signer's own steps: ParseZoneText (old DNSSEC
//    records dropped and counted, as SignZone drops them) and BuildZone with
//    SignZone's options, so a zone CheckZone accepts is one SignZone reads,
//    and an error is the one SignZone would report, "display_name:line:
//    reason" (InvalidArgument). The first error stops the check, unless
//    CheckOptions.max_errors is above 1: then reading goes on after a bad
//    entry and the error holds every reading error (ParseOptions.max_errors,
//    signer/zone_parser.h), one a line in file order. The zone-model checks
//    (BuildZone) run only on a zone read without error and report the first
//    problem.
//  - On success the records are written to `sink` by WriteZoneText: canonical
//    order (RFC 4034 section 6), SOA first, one line per record in the forms
//    the signed output uses (signer/zone_text_writer.h). Nothing reaches the
//    sink before the zone has been read and built.
//  - `origin` empty: the SOA owner (the first record), as SignOptions.origin.
// Thread-safety: pure functions; may run concurrently; uses up to `threads`
// workers (0: all cores).
#ifndef ZONEKEEP_SIGNER_ZONE_CHECK_H_
#define ZONEKEEP_SIGNER_ZONE_CHECK_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "signer/zone_text_writer.h"

namespace zonekeep {
namespace signer {

struct CheckOptions {
  std::string origin;  // zone name in text; empty: the SOA owner
  int threads = 0;     // 0: all cores
  // Reading errors to report (1: the first stops the check, as in SignZone).
  int max_errors = 1;
};

struct CheckReport {
  std::string origin;  // the zone name in text, e.g. "example."
  size_t records = 0;  // records written (after duplicates are merged)
  size_t dnssec_records_dropped = 0;  // the signer would replace these
};

// Reads `zone_text` as SignZone would and writes its records to `sink`.
absl::StatusOr<CheckReport> CheckZone(absl::string_view zone_text,
                                      absl::string_view display_name,
                                      const CheckOptions& options,
                                      const ZoneSink& sink);

// Convenience: the records as one text.
absl::StatusOr<std::string> CheckZoneText(absl::string_view zone_text,
                                          absl::string_view display_name,
                                          const CheckOptions& options = {});

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ZONE_CHECK_H_
