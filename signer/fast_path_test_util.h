// Test-only: the differential check of the zone reader's fast path
// (signer/simple_record_line.h) against ldns, shared by the fast path's
// tests. A text is parsed with ldns alone on one thread, then with the fast
// path on one and several threads (and ldns alone in chunks); all must give
// the same records (owner, type, class, TTL, RDATA, line) and dropped count,
// or the same error text.
// Thread-safety: gtest assertions; call from the test's thread.
#ifndef ZONEKEEP_SIGNER_FAST_PATH_TEST_UTIL_H_
#define ZONEKEEP_SIGNER_FAST_PATH_TEST_UTIL_H_

#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "signer/zone_parser.h"

namespace zonekeep {
namespace signer {

// "example." in wire form, the origin of the fast path tests' lines.
std::string ExampleOrigin();

// Changes one or two characters of `*line`, each replaced, inserted or
// erased at a random place; new characters come from `alphabet`.
void MutateLine(absl::string_view alphabet, std::mt19937* rng,
                std::string* line);

// Options for one run: texts of any size are split when threads > 1.
ParseOptions FastPathTestOptions(bool fast_path, int threads,
                                 bool keep_dnssec = false);

// Success when both runs gave the same outcome, else what differs.
::testing::AssertionResult SameOutcome(const absl::StatusOr<ParsedZone>& want,
                                       const absl::StatusOr<ParsedZone>& got);

// Runs the comparison above with EXPECTs and returns the reference (ldns,
// one thread) result.
absl::StatusOr<ParsedZone> ExpectSameAsLdns(
    const std::string& text, absl::string_view origin = "example.",
    bool keep_dnssec = false);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_FAST_PATH_TEST_UTIL_H_
