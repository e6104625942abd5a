// NSEC3 owner hashing (RFC 5155 section 5: iterated SHA-1 over the canonical
// wire name with salt) and Base32hex without padding (RFC 4648 section 7).
// Thread-safety: pure functions.
#ifndef ZONEKEEP_SIGNER_NSEC3_HASH_H_
#define ZONEKEEP_SIGNER_NSEC3_HASH_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace zonekeep {
namespace signer {

inline constexpr int kNsec3HashLength = 20;  // SHA-1
inline constexpr uint16_t kMaxNsec3Iterations = 50;

// IH(salt, name, iterations). REQUIRES: `name` is a lower-case wire name.
std::string Nsec3Hash(absl::string_view name, absl::string_view salt,
                      uint16_t iterations);

// Lower-case base32hex, no padding.
std::string Base32HexEncode(absl::string_view data);
// Empty result with ok=false for invalid input (either case accepted).
bool Base32HexDecode(absl::string_view text, std::string* out);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_NSEC3_HASH_H_
