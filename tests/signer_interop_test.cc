// Interop: zones generated here, signed by our engine with every algorithm and
// every denial mode, must pass all three external verifiers (BIND
// dnssec-verify, ldns-verify-zone, Knot kzonecheck) and our own self-verify.
#include <ctime>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "gtest/gtest.h"
#include "signer/zone_signer.h"
#include "signer/zone_verifier.h"
#include "tests/test_interop.h"

namespace zonekeep {
namespace interop {
namespace {

enum class Denial { kNsec, kNsec3, kNsec3OptOut };
enum class ZoneKind { kTld, kHosting };

using Param = std::tuple<ZoneKind, dnssec::Algorithm, Denial>;

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  const auto& [kind, alg, denial] = info.param;
  const char* d = denial == Denial::kNsec    ? "Nsec"
                  : denial == Denial::kNsec3 ? "Nsec3"
                                             : "Nsec3OptOut";
  return absl::StrCat(kind == ZoneKind::kTld ? "Tld" : "Hosting", "_",
                      dnssec::AlgorithmName(alg), "_", d);
}

class SignerInteropTest : public ::testing::TestWithParam<Param> {};

TEST_P(SignerInteropTest, AllVerifiersAccept) {
  const auto& [kind, alg, denial] = GetParam();
  const std::string origin =
      kind == ZoneKind::kTld ? kTldOrigin : kHostingOrigin;
  const std::string text = kind == ZoneKind::kTld ? TldZone(60) : HostingZone();
  signer::SignOptions options;
  options.origin = origin;
  options.add_cds = true;
  options.serial_mode = signer::SerialMode::kIncrement;
  options.jitter = 3600;
  options.nsec3.enabled = denial != Denial::kNsec;
  options.nsec3.opt_out = denial == Denial::kNsec3OptOut;
  std::string out;
  auto report =
      signer::SignZone(text, "generated.zone", KeysFor(alg), options, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->verified);

  const std::string path = WriteTempFile(
      absl::StrCat(ParamName(::testing::TestParamInfo<Param>(GetParam(), 0)),
                   ".zone"),
      out);
  const ToolResult bind = DnssecVerify(origin, path);
  EXPECT_EQ(bind.exit_code, 0) << "dnssec-verify:\n" << bind.output;
  const ToolResult ldns = LdnsVerifyZone(path);
  EXPECT_EQ(ldns.exit_code, 0) << "ldns-verify-zone:\n" << ldns.output;
  const ToolResult knot = Kzonecheck(origin, path);
  EXPECT_EQ(knot.exit_code, 0) << "kzonecheck:\n" << knot.output;
  auto ours = signer::VerifySignedZone(out, origin, time(nullptr));
  EXPECT_TRUE(ours.ok()) << ours.status();
}

INSTANTIATE_TEST_SUITE_P(
    AllAlgorithmsAndDenial, SignerInteropTest,
    ::testing::Combine(::testing::Values(ZoneKind::kTld, ZoneKind::kHosting),
                       ::testing::Values(dnssec::Algorithm::kRsaSha256,
                                         dnssec::Algorithm::kRsaSha512,
                                         dnssec::Algorithm::kEcdsaP256Sha256,
                                         dnssec::Algorithm::kEcdsaP384Sha384,
                                         dnssec::Algorithm::kEd25519,
                                         dnssec::Algorithm::kEd448),
                       ::testing::Values(Denial::kNsec, Denial::kNsec3,
                                         Denial::kNsec3OptOut)),
    ParamName);

}  // namespace
}  // namespace interop
}  // namespace zonekeep
