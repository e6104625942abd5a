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

class SignerInteropTest : public ::testing::TestWithParam<Case> {};

TEST_P(SignerInteropTest, AllVerifiersAccept) {
  const auto& [kind, alg, denial] = GetParam();
  const std::string origin = OriginOf(kind);
  const std::string text = ZoneTextOf(kind);
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
      absl::StrCat(CaseName(::testing::TestParamInfo<Case>(GetParam(), 0)),
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

INSTANTIATE_TEST_SUITE_P(AllAlgorithmsAndDenial, SignerInteropTest, AllCases(),
                         CaseName);

}  // namespace
}  // namespace interop
}  // namespace zonekeep
