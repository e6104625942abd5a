// Generated zone text for the reading and writing differential suites:
// origin "example.", records of every RR type BIND 9.18 and Knot 3.2 both
// read (ZoneTextForms), under plain, absolute, escaped and multi-label owners,
// with TTL and class in both orders, odd TTLs, $TTL and relative $ORIGIN
// directives, comments and multi-line records. Deterministic for a seed.
#ifndef ZONEKEEP_TESTS_ZONE_TEXT_GENERATOR_H_
#define ZONEKEEP_TESTS_ZONE_TEXT_GENERATOR_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace zonekeep {
namespace interop {

// $ORIGIN example., $TTL, a multi-line SOA, the apex NS and its address.
extern const char kGeneratedZoneHead[];

// RDATA forms of one type; "%" stands for a number (relative names use it).
struct TypeForm {
  const char* type;
  std::vector<std::string> rdata;
};
const std::vector<TypeForm>& ZoneTextForms();

// The head and `records` records (one fresh owner each), none of a type in
// `skip_types`.
std::string GenerateZoneText(uint32_t seed, int records,
                             const std::set<std::string>& skip_types = {});

}  // namespace interop
}  // namespace zonekeep

#endif  // ZONEKEEP_TESTS_ZONE_TEXT_GENERATOR_H_
