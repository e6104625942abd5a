// Test helpers for the master-file rules (signer/master_file_rules.h):
// a zone head, and one body read through ParseZoneText (the API the signer
// uses) on one thread, with the fast path on and off.
#ifndef ZONEKEEP_SIGNER_MASTER_FILE_TEST_UTIL_H_
#define ZONEKEEP_SIGNER_MASTER_FILE_TEST_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "signer/record.h"
#include "signer/zone_parser.h"

namespace zonekeep {
namespace signer {
namespace testing {

// The head every body follows: $ORIGIN example., SOA, NS, glue.
extern const char kHead[];
inline constexpr int kHeadLines = 5;

// kHead + `body` as "t.zone", origin example.
absl::StatusOr<ParsedZone> Parse(const std::string& body, bool fast = true);

// The one record after the head; expects it read on both paths.
Record Last(const std::string& body);

// Lower-case hex of `s`.
std::string Hex(const std::string& s);

// Expects `body` refused with "t.zone:LINE: ..." containing `reason`, on
// both paths.
void ExpectRefused(const std::string& body, int line,
                   const std::string& reason);

}  // namespace testing
}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_MASTER_FILE_TEST_UTIL_H_
