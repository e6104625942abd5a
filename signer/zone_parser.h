// Zone ingest: RFC 1035 master-file text to Records, with ldns as the record
// parser behind zonekeep's own rules (signer/master_file_rules.h), so that
// zones read as BIND 9.18 and Knot 3.2 read them.
//
// Accepts relative names, $ORIGIN (relative ones too), $TTL, escapes, every
// type ldns knows, AMTRELAY and RFC 3597 "\#" unknown types. Refuses
// $INCLUDE (input may come from the network), classes other than IN, owners
// outside the origin and everything master_file_rules.h refuses. The first
// error stops parsing and is reported as "display_name:line: reason" (or,
// with ParseOptions.max_errors above 1, every error up to that many); a
// record's line is the line it ends on.
// Large texts are split at safe record boundaries (signer/zone_chunker.h) and
// the pieces parsed on several threads; records, line numbers and the first
// error in file order are the same as reading the text in one piece.
// Simple one-line A/AAAA/NS/CNAME/PTR/MX/DS/SOA records, and RRSIG/NSEC/
// NSEC3/NSEC3PARAM/DNSKEY records as the signer writes them, skip ldns (see
// signer/simple_record_line.h) with the same result.
// Thread-safety: pure function; ldns parsing holds no global state.
#ifndef ZONEKEEP_SIGNER_ZONE_PARSER_H_
#define ZONEKEEP_SIGNER_ZONE_PARSER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "signer/record.h"

namespace zonekeep {
namespace signer {

struct ParseOptions {
  // Keep RRSIG/NSEC/NSEC3/NSEC3PARAM/DNSKEY/CDS/CDNSKEY (the verifier wants
  // them); by default they are dropped and counted.
  bool keep_dnssec = false;
  // Threads for parsing: 0 means one per core, 1 reads the text in one piece.
  int threads = 0;
  // Texts shorter than this are read in one piece whatever `threads` says.
  size_t parallel_min_bytes = size_t{1} << 20;
  // Read simple one-line records (signer/simple_record_line.h) without ldns.
  // The result is the same either way, only faster; tests turn it off to
  // compare.
  bool fast_path = true;
  // Errors to report. 1 (the signer's contract): the first error in the
  // file stops parsing. More (`dnssigner --check`): a refused entry is
  // skipped (reading resumes at the next line outside parentheses and
  // quotes, see SkipBrokenEntry in signer/master_file_rules.h, so one broken
  // record gives one error) and the error returned holds every error, one
  // "display_name:line: reason" a line in file order, at most max_errors of
  // them, then "display_name: more errors not shown" when there were more.
  // The same errors whatever `threads` is.
  int max_errors = 1;
};

struct ParsedZone {
  std::string origin;  // canonical wire name
  std::vector<Record> records;
  size_t dnssec_records_dropped = 0;
};

// `origin` is the zone name in text ("example.com" or "example.com."); when
// empty, the owner of the first record (which must then be the SOA) is used.
absl::StatusOr<ParsedZone> ParseZoneText(absl::string_view text,
                                         absl::string_view display_name,
                                         absl::string_view origin,
                                         const ParseOptions& options = {});

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ZONE_PARSER_H_
