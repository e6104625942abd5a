// Fast path for zone ingest: reads the simplest master-file record lines
// without ldns, giving exactly what ldns_rr_new_frm_fp_l followed by
// ldns_rr2canonical gives (ldns 1.8), or declining.
//
// Handled, and nothing else:
// - one record on one line that ends in '\n', with no '(', ')', '"' or '\'
//   before an optional ';' comment, only printable ASCII, blanks and tabs
//   there ('\r' counts as a blank, as in ldns);
// - owner blank (the previous owner), "@" (the origin) or a name of
//   [A-Za-z0-9_*-] labels of 1..63 octets joined by single dots, relative
//   (origin appended) or absolute, at most 255 octets in wire form;
// - then an optional decimal TTL (at most 2^31-1) and an optional class IN,
//   in the order ldns reads them (TTL first);
// - type A, AAAA, NS, CNAME, PTR, MX, DS or SOA (the mnemonic, any case;
//   TYPE<n> is declined) with well-formed RDATA: a strict dotted quad, an
//   inet_pton IPv6 address, one name (same rules as the owner, or "@"),
//   preference (0..65535) and name, key tag (0..65535), decimal
//   algorithm and digest type (0..255) and an even number of hex digits,
//   possibly split over several tokens, or two names and five decimal
//   numbers (at most 2^32-1; no TTL units);
// - type RRSIG, NSEC, NSEC3, NSEC3PARAM or DNSKEY in the form the signer
//   writes them (signer/dnssec_record_line.h says exactly which).
// Blank lines and ';' comment lines before the record are read as ldns reads
// them, and so are the line breaks ('\f', '\n', '\r', '\v') after it.
//
// Anything else is declined, never reported: the caller hands the same text
// to ldns, which parses it or reports its own error in its own words.
//
// Contract: when a record is returned, ldns reading the same text with the
// same state returns the same record in canonical form, leaves the stream
// `consumed` bytes further on, advances its line count by the number of '\n'
// in those bytes and sets its previous owner to `prev_owner`; ldns's origin
// and $TTL stay as they were. The TTL of a record without one is
// `context.default_ttl`. "ldns" here means ldns behind the rules of
// signer/master_file_rules.h, which read the same simple lines as plain ldns.
// Thread-safety: pure function.
#ifndef ZONEKEEP_SIGNER_SIMPLE_RECORD_LINE_H_
#define ZONEKEEP_SIGNER_SIMPLE_RECORD_LINE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "signer/record.h"

namespace zonekeep {
namespace signer {

// The ldns reader state a record line depends on. Names are wire names as
// ldns holds them (case as written). With no origin nothing is handled.
struct LineContext {
  absl::string_view origin;      // $ORIGIN; empty when there is none
  absl::string_view prev_owner;  // previous owner; empty when there is none
  uint32_t default_ttl = 3600;   // TTL of a record without one ($TTL)
};

struct SimpleRecordLine {
  Record record;           // canonical owner, type, class IN, TTL, RDATA;
                           // line is left as it was
  std::string prev_owner;  // ldns's previous owner after this record
  size_t consumed = 0;     // bytes ldns reads for this record
};

// Parses the record at the start of `text` into `*out` and returns true, or
// returns false (with `*out` unspecified) when the text is not one of the
// simple lines above. REQUIRES: context.prev_owner does not point into
// out->prev_owner.
bool ParseSimpleRecordLine(absl::string_view text, const LineContext& context,
                           SimpleRecordLine* out);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_SIMPLE_RECORD_LINE_H_
