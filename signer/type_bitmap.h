// NSEC/NSEC3 type bitmaps (RFC 4034 section 4.1.2, RFC 5155 section 3.2.1).
// Thread-safety: pure functions.
#ifndef ZONEKEEP_SIGNER_TYPE_BITMAP_H_
#define ZONEKEEP_SIGNER_TYPE_BITMAP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace signer {

// Appends the window blocks for `types` (any order, duplicates allowed).
void AppendTypeBitmap(std::vector<uint16_t> types, std::string* out);

// Types in ascending order; InvalidArgument for malformed windows.
absl::StatusOr<std::vector<uint16_t>> DecodeTypeBitmap(absl::string_view data);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_TYPE_BITMAP_H_
