// The fast path's reader for the RDATA of the records a signer writes:
// RRSIG, NSEC, NSEC3, NSEC3PARAM and DNSKEY, in the simple one-line form
// signer/zone_text_writer.h writes them. Part of the fast path of
// signer/simple_record_line.h, with the same contract: the RDATA appended is
// exactly what ldns 1.8.3 (ldns_rr_new_frm_str, then ldns_rr2canonical)
// reads from the same fields, or the reader declines.
//
// Read, and nothing else (fields are blank-separated tokens):
// - RRSIG: type covered (a mnemonic ldns knows, any case, or TYPE<n>, n in
//   1..65535), algorithm, labels (decimal 0..255), original TTL (decimal,
//   at most 2^32-1), expiration and inception as YYYYMMDDHHmmSS (a real UTC
//   date from 1970 on whose time fits 32 bits; ldns's plain-integer form is
//   declined), key tag (0..65535), signer name (a plain name or "@",
//   lower-cased as ldns_rr2canonical does), signature in base64 to the end
//   of the line, possibly split into several tokens;
// - NSEC: next name (a plain name, case kept as ldns keeps it) and one or
//   more types (mnemonics or TYPE<n> as above);
// - NSEC3: hash algorithm, flags (0..255), iterations (0..65535), salt ("-"
//   or an even number of hex digits, at most 255 octets), next hashed owner
//   in base32hex (a multiple of 8 digits, no padding, at most 255 octets),
//   then zero or more types;
// - NSEC3PARAM: hash algorithm, flags, iterations and salt as for NSEC3;
// - DNSKEY: flags (0..65535), protocol and algorithm (decimal 0..255), key in
//   base64 to the end of the line, possibly split into several tokens.
// Base64 is strict (RFC 4648: groups of four, '=' padding only at the end,
// zero pad bits), which is what ldns's b64_pton accepts once blanks are
// taken out.
// Thread-safety: pure functions (the mnemonic table is built once, on first
// use, thread-safely).
#ifndef ZONEKEEP_SIGNER_DNSSEC_RECORD_LINE_H_
#define ZONEKEEP_SIGNER_DNSSEC_RECORD_LINE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "signer/record_line_fields.h"

namespace zonekeep {
namespace signer {

// The type a mnemonic or "TYPE<n>" names, as ldns_get_rr_type_by_name reads
// it (any case); 0 for anything else (unknown names, the query-only names
// IXFR/AXFR/MAILA/MAILB/ANY, TYPE0, out of range or non-digit numbers).
uint16_t TypeFromLineToken(absl::string_view token);

// True for the types AppendDnssecRdata reads.
bool IsDnssecLineType(uint16_t type);

// Reads the rest of the line, the RDATA of a `type` record, from `tokens`
// into `*rdata` (appended) and returns true, or returns false (with `*rdata`
// and `*tokens` unspecified) when it is not in the form above. `origin` is
// the wire name "@" and relative names stand for.
// REQUIRES: IsDnssecLineType(type).
bool AppendDnssecRdata(uint16_t type, absl::string_view origin,
                       LineTokens* tokens, std::string* rdata);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_DNSSEC_RECORD_LINE_H_
