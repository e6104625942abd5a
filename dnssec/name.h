// Domain names: the one name library of zonekeep. Names are held in
// uncompressed wire form (RFC 1035 section 3.1) as std::string /
// absl::string_view; this header reads them from presentation text (RFC 1035
// section 5.1: escapes, relative names, "@"), prints them back, orders them
// canonically (RFC 4034 section 6.1) and answers label questions.
//
// Contract: every function but ParseName, CanonicalNameWire,
// NormalizeZoneName and IsValidWireName takes a well-formed wire name (length
// octets that add up, ending in the root label). Names compared canonically
// must already be lower-case (see LowercaseName).
// Thread-safety: pure functions, safe from any thread.
#ifndef ZONEKEEP_DNSSEC_NAME_H_
#define ZONEKEEP_DNSSEC_NAME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace dnssec {

inline constexpr size_t kMaxNameWireSize = 255;
inline constexpr size_t kMaxLabelSize = 63;

// Presentation text to wire form, case kept. `text` is one token as it
// appears in a master file: labels separated by unescaped dots, "\X" for a
// literal X, "\DDD" for the octet DDD. A name without a trailing dot is
// relative and gets `origin` (a wire name) appended; "@" is the origin.
// InvalidArgument naming the problem for empty labels, labels over 63
// octets, names over 255 octets, bad escapes, or a relative name without an
// origin.
absl::StatusOr<std::string> ParseName(absl::string_view text,
                                      absl::string_view origin = {});

// Absolute (a missing trailing dot is added), lower-case wire form of a zone
// name typed by an operator ("Example.COM").
absl::StatusOr<std::string> CanonicalNameWire(absl::string_view text);

// The same, as presentation text: "Example.COM" -> "example.com.".
absl::StatusOr<std::string> NormalizeZoneName(absl::string_view text);

// A zone name that a new zone may have: one that a parent could delegate.
// Every label holds only letters, digits, '-', '_' (and '/', for RFC 2317
// classless reverse zones); no empty label, none over 63 octets, the name at
// most 253 octets as text; not the root. `text` is what the operator typed
// (as for NormalizeZoneName). Returns the normalised name ("example.com.");
// InvalidArgument otherwise, one line that names the offending label and
// character, both escaped ("\001"), so that no raw byte of `text` is echoed.
absl::StatusOr<std::string> CheckDelegatableZoneName(absl::string_view text);

// <0, 0, >0 as `a` sorts before, equal to, after `b` in canonical DNS order.
int CompareCanonical(absl::string_view a, absl::string_view b);

// True when `a` sorts before `b` canonically; for std::sort.
struct CanonicalLess {
  bool operator()(absl::string_view a, absl::string_view b) const {
    return CompareCanonical(a, b) < 0;
  }
};

// Appends to `*key` a byte string whose plain (memcmp) order is the
// canonical order of `name`: labels right to left, each with 0x00 and 0x01
// escaped as 0x01 0x01 and 0x01 0x02, ended by 0x00. Lets a sort compare
// names with one memcmp instead of splitting labels per comparison.
void AppendCanonicalKey(absl::string_view name, std::string* key);

// Number of labels, not counting the root ("www.example." -> 2).
int LabelCount(absl::string_view name);

// True when the leftmost label is "*".
bool IsWildcard(absl::string_view name);

// True when `name` equals `ancestor` or lies below it.
bool IsSubdomainOf(absl::string_view name, absl::string_view ancestor);

// The name with its leftmost label removed. REQUIRES: name is not the root.
absl::string_view ParentName(absl::string_view name);

// Lower-cases ASCII letters in every label, in place.
void LowercaseName(std::string* name);

// Absolute master-file text ("www.example."), escaping per RFC 1035 5.1.
void AppendNameText(absl::string_view name, std::string* out);
std::string NameToText(absl::string_view name);

// Reads the uncompressed wire name that starts at `*pos` in `data` (RDATA,
// say) into `*name` (a view into `data`) and moves `*pos` past it; false,
// with nothing changed, when it runs past `data`, has a label over 63 octets
// or is longer than 255 octets.
bool TakeWireName(absl::string_view data, size_t* pos, absl::string_view* name);

// Checks that `name` is a well-formed wire name of at most 255 octets
// (labels of at most 63 octets, ending in the root label).
bool IsValidWireName(absl::string_view name);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_NAME_H_
