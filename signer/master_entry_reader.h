// The entry reader: master-file text (RFC 1035 section 5) to entries and
// the records' leading fields, read the way BIND 9.18 and Knot 3.2 read them
// rather than the way ldns 1.8.3 does (see signer/master_file_rules.h for the
// whole of zonekeep's reading rules).
//
// - ReadMasterEntry finds the extent of one directive or record itself:
//   parentheses, quotes, ';' comments, '\' escapes. Refuses an unclosed '('
//   (ldns swallows the rest of the file), a stray ')' and a quote not closed
//   on its line (ldns accepts both silently). SkipBrokenEntry says where to
//   read on after such a refusal.
// - ReadEntry does directives itself, not through ldns: $ORIGIN relative to
//   the current origin, $TTL 0 kept as 0, $INCLUDE and unknown directives
//   refused. For a record it reads owner, TTL and class in either order,
//   TTLs with units; a TTL above 2^31-1 becomes 0 (RFC 2181 section 8, as
//   BIND does) and one above 2^32-1 is refused; only class IN. The type and
//   RDATA go on to ReadRecordData (signer/master_record_rules.h).
//
// Every refusal is an InvalidArgument "display_name:line: reason".
// Thread-safety: pure functions; a ReaderState belongs to one thread.
#ifndef ZONEKEEP_SIGNER_MASTER_ENTRY_READER_H_
#define ZONEKEEP_SIGNER_MASTER_ENTRY_READER_H_

#include <ldns/ldns.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "signer/record.h"

namespace zonekeep {
namespace signer {

// TTL of a record when neither it nor a $TTL gives one (ldns's default).
inline constexpr uint32_t kDefaultTtl = 3600;

// The reader state that carries from one entry to the next: $ORIGIN and the
// previous owner (ldns rdfs, owned), the TTL of a record without one, and
// the count of line breaks read so far.
struct ReaderState {
  ReaderState(const ldns_rdf* origin, int lines_before);
  ~ReaderState();
  ReaderState(const ReaderState&) = delete;
  ReaderState& operator=(const ReaderState&) = delete;

  ldns_rdf* origin;  // absolute, or null when none was given
  ldns_rdf* prev;    // previous owner, or null
  uint32_t default_ttl = kDefaultTtl;
  int line;
};

// One directive or record of master-file text, split into fields.
struct MasterEntry {
  size_t consumed = 0;       // bytes read, with the line break that ends it
  int first_line = 0;        // line of the first field (1-based)
  int last_line = 0;         // line the entry ends on
  bool owner_blank = false;  // starts with a blank: the previous owner
  // The fields as written, quotes and escapes kept, parentheses dropped.
  // Empty at the end of the text.
  std::vector<absl::string_view> fields;
};

// Reads the entry at the start of `text`, skipping blank and comment lines;
// `lines_before` line breaks precede `text`.
absl::Status ReadMasterEntry(absl::string_view text, int lines_before,
                             absl::string_view display_name,
                             MasterEntry* entry);

// Where reading can go on after ReadMasterEntry refused the entry at the
// start of `text`: the byte after the next line break that is outside
// parentheses and quotes, read leniently (a quote ends at its line, a stray
// ')' and NUL are ignored); text.size() when an open '(' runs to the end.
// Always past the refused entry's first field, so a reader that resumes there
// reports each broken entry once.
size_t SkipBrokenEntry(absl::string_view text);

// Parses a TTL: decimal or BIND units ("1w2d3h4m5s"). Values above 2^31-1
// become 0 (RFC 2181 section 8); above 2^32-1, or malformed: false.
bool ParseTtl(absl::string_view text, uint32_t* ttl);

// Reads the next entry of `text` (which starts `state->line` line breaks
// into the file) and applies it: a directive changes `state`, a record is
// stored in `*record` (canonical, line set) and `*has_record` set. At the
// end of the text `*consumed` is text.size() and no record is returned.
absl::Status ReadEntry(absl::string_view text, absl::string_view display_name,
                       ReaderState* state, size_t* consumed, bool* has_record,
                       Record* record);

// True for a "$ORIGIN name" entry whose name is relative: its meaning
// depends on the $ORIGIN before it.
bool IsRelativeOriginDirective(absl::string_view directive_text);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_MASTER_ENTRY_READER_H_
