// Reads one zone file with zonekeep's parser, BIND (named-compilezone) and
// Knot (kzonecheck), for differential suites. BIND's canonical output text is
// read back to records with our parser (ldns path); Knot gives a verdict.
// Thread-compatible; runs external processes.
#ifndef ZONEKEEP_TESTS_TEST_ZONE_READERS_H_
#define ZONEKEEP_TESTS_TEST_ZONE_READERS_H_

#include <string>
#include <vector>

#include "signer/record.h"

namespace zonekeep {
namespace interop {

struct ZoneReading {
  bool ok = false;
  std::string message;  // the reader's error (or warnings) when not ok
  std::vector<signer::Record> records;
};

// zonekeep: signer::ParseZoneText (the signer's reader) with DNSSEC records
// kept and the fast path on.
ZoneReading ReadWithZonekeep(const std::string& origin,
                             const std::string& path);

// BIND 9.18: `named-compilezone -i none -k ignore -o OUT origin path`, then
// OUT read back with our parser (fast path off).
ZoneReading ReadWithBind(const std::string& origin, const std::string& path);

// Knot 3.2: `kzonecheck -v -o origin [-d on] path`; only the verdict: refused
// when its zone loader reports an error, or, with `dnssec`, on any finding
// but missing glue (semantic findings such as missing glue are no reading
// errors).
ZoneReading ReadWithKnot(const std::string& origin, const std::string& path,
                         bool dnssec = false);

// "" when `a` and `b` hold the same records (owner, type, class, TTL, RDATA;
// order and line numbers ignored), else the first difference in words.
std::string DiffRecords(std::vector<signer::Record> a,
                        std::vector<signer::Record> b);

// One record in words, for messages.
std::string DescribeRecord(const signer::Record& record);

}  // namespace interop
}  // namespace zonekeep

#endif  // ZONEKEEP_TESTS_TEST_ZONE_READERS_H_
