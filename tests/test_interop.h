// Shared by the signer interop and negative-corpus suites: zone generators,
// a per-process key cache, and runners for the three external verifiers
// (BIND dnssec-verify, ldns-verify-zone, Knot kzonecheck).
#ifndef ZONEKEEP_TESTS_TEST_INTEROP_H_
#define ZONEKEEP_TESTS_TEST_INTEROP_H_

#include <string>
#include <tuple>
#include <vector>

#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace interop {

// A TLD-like zone "tld." with `delegations` delegations (some secure with DS,
// some insecure, in-bailiwick glue and an empty non-terminal above a
// delegation).
std::string TldZone(int delegations);
inline constexpr char kTldOrigin[] = "tld.";

// A hosting-like zone "hosting.example." with A/AAAA/MX/TXT/CNAME/SRV/CAA/
// TLSA/SVCB/HTTPS/IPSECKEY/PTR/DNAME, wildcards, empty non-terminals, escaped
// and upper-case labels.
std::string HostingZone();
inline constexpr char kHostingOrigin[] = "hosting.example.";

// The interop cases: each zone kind, algorithm and denial mode, as a
// parameter of the suites that sign them all (INSTANTIATE_TEST_SUITE_P with
// AllCases() and CaseName).
enum class Denial { kNsec, kNsec3, kNsec3OptOut };
enum class ZoneKind { kTld, kHosting };
using Case = std::tuple<ZoneKind, dnssec::Algorithm, Denial>;

// "Tld_ECDSAP256SHA256_Nsec3OptOut" and the like.
std::string CaseName(const ::testing::TestParamInfo<Case>& info);

inline auto AllCases() {
  return ::testing::Combine(
      ::testing::Values(ZoneKind::kTld, ZoneKind::kHosting),
      ::testing::Values(dnssec::Algorithm::kRsaSha256,
                        dnssec::Algorithm::kRsaSha512,
                        dnssec::Algorithm::kEcdsaP256Sha256,
                        dnssec::Algorithm::kEcdsaP384Sha384,
                        dnssec::Algorithm::kEd25519, dnssec::Algorithm::kEd448),
      ::testing::Values(Denial::kNsec, Denial::kNsec3, Denial::kNsec3OptOut));
}

// The origin and text of a zone kind (the TLD with 60 delegations).
const char* OriginOf(ZoneKind kind);
std::string ZoneTextOf(ZoneKind kind);

// Active KSK + active ZSK + published ZSK, generated once per algorithm per
// process (RSA is 2048 bits). Aborts the test on failure.
const std::vector<dnssec::ZoneKey>& KeysFor(dnssec::Algorithm algorithm);

struct ToolResult {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

// Writes `text` to $TEST_TMPDIR/<name> and returns the path.
std::string WriteTempFile(const std::string& name, const std::string& text);

// Runs a shell command, capturing stdout and stderr.
ToolResult Run(const std::string& command);

// The three verifiers on a zone file.
ToolResult DnssecVerify(const std::string& origin, const std::string& path);
ToolResult LdnsVerifyZone(const std::string& path);
ToolResult Kzonecheck(const std::string& origin, const std::string& path);

}  // namespace interop
}  // namespace zonekeep

#endif  // ZONEKEEP_TESTS_TEST_INTEROP_H_
