// The record rules: what zonekeep checks and fixes in a record's type and
// RDATA so that ldns 1.8.3, the record parser, reads it as BIND 9.18 and Knot
// 3.2 do (see signer/master_file_rules.h for the whole of zonekeep's reading
// rules).
//
// - ReadRecordData refuses unknown mnemonics and meta types (OPT, TKEY,
//   TSIG, IXFR, AXFR, MAILB, MAILA, ANY) and rewrites the RDATA ldns reads
//   wrong: a relative IPSECKEY gateway gets the origin; SVCB/HTTPS "alpn" is
//   read in two levels like BIND (char-string escapes, then the comma list:
//   alpn=h2\,h3 is two ids); AMTRELAY (unknown to ldns) is encoded here and
//   handed on as TYPE260 \#. ldns then reads one line without parentheses or
//   comments. RFC 3597 "\#" RDATA of a type ldns knows must decode as that
//   type and print and read back to the same bytes (refuses "A \# 3 c00002"
//   and APL with trailing zero octets, as BIND does), and is then held in
//   canonical form (names lower-cased for the RFC 4034 6.2 / RFC 6840 5.1
//   types); owner names over 255 octets are refused.
// - CheckRecordRules and CheckRrsetSizes are the checks that also apply to
//   records the fast path (signer/simple_record_line.h) read: no NS at a
//   wildcard owner, no RRset larger than a DNS message.
//
// Every refusal is an InvalidArgument "display_name:line: reason".
// Thread-safety: pure functions.
#ifndef ZONEKEEP_SIGNER_MASTER_RECORD_RULES_H_
#define ZONEKEEP_SIGNER_MASTER_RECORD_RULES_H_

#include <ldns/ldns.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "signer/record.h"

namespace zonekeep {
namespace signer {

// A record's fields after owner, TTL and class were read
// (signer/master_entry_reader.h).
struct RecordText {
  absl::string_view owner;  // as written; empty: the previous owner
  uint32_t ttl = 0;
  absl::string_view type;                // the type field as written
  std::vector<absl::string_view> rdata;  // RDATA fields, quotes kept
  int line = 0;                          // the line the record ends on
};

// Reads the type and RDATA of `text` through ldns with the rules above into
// `*record` (canonical, line set). `origin` completes relative names (null:
// none); `*prev` is the previous owner, which ldns reads and updates (ldns
// rdf, owned by the caller).
absl::Status ReadRecordData(const RecordText& text,
                            absl::string_view display_name,
                            const ldns_rdf* origin, ldns_rdf** prev,
                            Record* record);

// A name field ends in an unescaped '.'.
bool IsAbsoluteName(absl::string_view name);

// Parses a time value as BIND writes TTLs and SOA timers: decimal or units
// ("1w2d3h4m5s", any case). False when malformed or above 2^32-1.
bool ParseTimeValue(absl::string_view text, uint32_t* seconds);

// `name` made absolute against `origin` ("@" is the origin), as text; as
// written when absolute or when `origin` is null.
std::string AbsoluteNameText(absl::string_view name, const ldns_rdf* origin);

// Checks that hold for every record whichever path read it (NS at a
// wildcard owner is refused, as BIND does).
absl::Status CheckRecordRules(const Record& record,
                              absl::string_view display_name);

// Refuses an RRset whose records cannot fit one DNS message (65535 octets,
// header and owner included), naming the line of its first record.
absl::Status CheckRrsetSizes(const std::vector<Record>& records,
                             absl::string_view display_name);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_MASTER_RECORD_RULES_H_
