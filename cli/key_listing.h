// The `list` table of maintkeydb: one line per key with tag, role, algorithm,
// bits, state, (R) and the time since the last state change.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_CLI_KEY_LISTING_H_
#define ZONEKEEP_CLI_KEY_LISTING_H_

#include <cstdint>
#include <string>

#include "proto/keystore.pb.h"

namespace zonekeep {
namespace cli {

// "3d04h", "2h05m", "4m10s", "0s".
std::string FormatAge(int64_t seconds);

std::string FormatKeyTable(const v1::KeyList& keys);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_KEY_LISTING_H_
