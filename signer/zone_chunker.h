// Zone text splitting for parallel parsing: finds places in RFC 1035 master
// file text where ldns (ldns_rr_new_frm_fp_l) can start reading and produce
// exactly what it would have produced reading from the top.
//
// The scan mirrors ldns 1.8's line reader (ldns_fget_token_l_st with the
// "\f\n\r\v" delimiters): parentheses, quotes, ';' comments and backslash
// escapes. A chunk starts at a line start where ldns is between records
// (no open parenthesis, nothing read yet) and whose first character begins an
// explicit owner name, so the previous owner does not carry over. For each
// chunk it records what ldns state the text before it left behind: the line
// count and the byte ranges of the last $ORIGIN and $TTL directives (ldns
// sets both from the directive text alone, so replaying that one directive
// restores the state).
//
// Text the scan does not model (NUL, \f, \v, more ')' than '(', $INCLUDE)
// yields a single chunk, so callers fall back to reading it in one piece.
// Thread-safety: pure function.
#ifndef ZONEKEEP_SIGNER_ZONE_CHUNKER_H_
#define ZONEKEEP_SIGNER_ZONE_CHUNKER_H_

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"

namespace zonekeep {
namespace signer {

// A byte range [begin, end) of the text; empty when begin == end.
struct TextRange {
  size_t begin = 0;
  size_t end = 0;
  bool empty() const { return begin == end; }
};

struct ZoneChunk {
  TextRange text;              // begins at a line start; chunks tile the input
  int lines_before = 0;        // newlines before text.begin
  TextRange origin_directive;  // last "$ORIGIN" read before text.begin
  TextRange ttl_directive;     // last "$TTL" read before text.begin
};

// Splits `text` into at most `max_chunks` chunks of roughly equal size (fewer
// when safe places are scarce). Always returns at least one chunk when `text`
// is not empty; the first starts at 0 with no directives.
std::vector<ZoneChunk> SplitZoneText(absl::string_view text, size_t max_chunks);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ZONE_CHUNKER_H_
