// The pipelined full sign (the default) against the sequential one
// (SignOptions::sequential): every interop zone (tests/test_interop.h), every
// algorithm, NSEC, NSEC3 and NSEC3 opt-out, with a fixed clock and validity
// window, must give the same records. RSA (PKCS #1 v1.5) and EdDSA signatures
// are deterministic, so the two outputs must be the same bytes; ECDSA
// signatures are random, so everything but the signature bytes must match and
// the pipelined output's signatures must verify, by our verifier and by
// ldns-verify-zone. Also: the pipelined self-verify still refuses bad
// signatures and text that reads back differently, before any byte is
// written, with the error the sequential order gives.
#include <algorithm>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "signer/zone_signer.h"
#include "signer/zone_verifier.h"
#include "tests/test_interop.h"

namespace zonekeep {
namespace signer {
namespace {

using interop::Denial;
using interop::ZoneKind;

// The clock both signings are given: the start of this hour, so that
// ldns-verify-zone (which checks validity against its own clock) accepts it.
const int64_t kNow = static_cast<int64_t>(time(nullptr)) / 3600 * 3600;

bool IsEcdsa(dnssec::Algorithm alg) {
  return alg == dnssec::Algorithm::kEcdsaP256Sha256 ||
         alg == dnssec::Algorithm::kEcdsaP384Sha384;
}

SignOptions FixedOptions(const std::string& origin, Denial denial) {
  SignOptions options;
  options.origin = origin;
  options.now = kNow;
  options.inception = kNow - 3600;
  options.expiration = kNow + 14 * 24 * 3600;
  options.jitter = 3600;
  options.add_cds = true;
  options.serial_mode = SerialMode::kIncrement;
  options.nsec3.enabled = denial != Denial::kNsec;
  options.nsec3.opt_out = denial == Denial::kNsec3OptOut;
  // Four workers for the pipelined self-verify's verify and two for its text
  // side, whatever the machine has (with one thread in all it runs in
  // sequence).
  options.threads = 4;
  return options;
}

// The steps a report times, in its order.
std::vector<std::string> PhaseNames(const SignReport& report) {
  std::vector<std::string> names;
  for (const auto& [name, seconds] : report.phase_seconds) {
    names.push_back(name);
  }
  return names;
}

// The output text with each RRSIG line's signature (its last field, base64)
// replaced by its length in characters; every other byte is kept.
std::string MaskSignatures(const std::string& text) {
  std::string masked;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    if (fields.size() == 5 && fields[3] == "RRSIG") {
      const size_t space = line.rfind(' ');
      absl::StrAppend(&masked, line.substr(0, space + 1));
      absl::StrAppend(&masked, "<", line.size() - space - 1, ">");
    } else {
      absl::StrAppend(&masked, line);
    }
    masked.push_back('\n');
  }
  return masked;
}

size_t CountRrsigLines(const std::string& text) {
  size_t n = 0;
  for (size_t pos = text.find("\tRRSIG\t"); pos != std::string::npos;
       pos = text.find("\tRRSIG\t", pos + 1)) {
    ++n;
  }
  return n;
}

class ZoneSignerPipelineTest : public ::testing::TestWithParam<interop::Case> {
};

TEST_P(ZoneSignerPipelineTest, PipelinedEqualsSequential) {
  const auto& [kind, alg, denial] = GetParam();
  const std::string origin = interop::OriginOf(kind);
  const std::string text = interop::ZoneTextOf(kind);
  const std::vector<dnssec::ZoneKey>& keys = interop::KeysFor(alg);

  SignOptions sequential = FixedOptions(origin, denial);
  sequential.sequential = true;
  std::string seq_out;
  auto seq = SignZone(text, "interop.zone", keys, sequential, &seq_out);
  ASSERT_TRUE(seq.ok()) << seq.status();

  SignOptions pipelined = FixedOptions(origin, denial);
  ASSERT_FALSE(pipelined.sequential);  // the default
  std::string pipe_out;
  auto pipe = SignZone(text, "interop.zone", keys, pipelined, &pipe_out);
  ASSERT_TRUE(pipe.ok()) << pipe.status();

  EXPECT_TRUE(seq->verified);
  EXPECT_TRUE(pipe->verified);
  EXPECT_EQ(pipe->records_out, seq->records_out);
  EXPECT_EQ(pipe->signatures, seq->signatures);
  EXPECT_EQ(pipe->nsec_records, seq->nsec_records);
  EXPECT_EQ(pipe->nsec3_records, seq->nsec3_records);
  EXPECT_EQ(pipe->serial, seq->serial);
  EXPECT_EQ(pipe->earliest_expiration, seq->earliest_expiration);
  EXPECT_GT(CountRrsigLines(pipe_out), 0u);
  EXPECT_EQ(CountRrsigLines(pipe_out), pipe->signatures);
  if (IsEcdsa(alg)) {
    EXPECT_EQ(MaskSignatures(pipe_out), MaskSignatures(seq_out));
    EXPECT_NE(pipe_out, seq_out);  // fresh randomness: the check is not void
    const std::string path = interop::WriteTempFile(
        absl::StrCat(interop::CaseName(::testing::TestParamInfo<interop::Case>(
                         GetParam(), 0)),
                     ".pipelined.zone"),
        pipe_out);
    const interop::ToolResult ldns = interop::LdnsVerifyZone(path);
    EXPECT_EQ(ldns.exit_code, 0) << "ldns-verify-zone:\n" << ldns.output;
  } else {
    EXPECT_EQ(pipe_out, seq_out);
  }
  auto verified = VerifySignedZone(pipe_out, origin, kNow);
  EXPECT_TRUE(verified.ok()) << verified.status();
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithmsAndDenial, ZoneSignerPipelineTest,
                         interop::AllCases(), interop::CaseName);

// The comparison above is not blind: masking hides the signature bytes only.
TEST(ZoneSignerPipelineCompareTest, MaskingHidesOnlySignatureBytes) {
  const std::vector<dnssec::ZoneKey>& keys =
      interop::KeysFor(dnssec::Algorithm::kEd25519);
  std::string out;
  ASSERT_TRUE(SignZone(interop::HostingZone(), "interop.zone", keys,
                       FixedOptions(interop::kHostingOrigin, Denial::kNsec),
                       &out)
                  .ok());
  const size_t rrsig = out.find("\tRRSIG\t");
  ASSERT_NE(rrsig, std::string::npos);
  const size_t line_end = out.find('\n', rrsig);
  // A changed signature byte (not the last ones, which may be padding
  // bits): masked texts equal, but the zone is bogus.
  std::string bad_sig = out;
  char& byte = bad_sig[line_end - 10];
  byte = byte == 'A' ? 'B' : 'A';
  EXPECT_EQ(MaskSignatures(bad_sig), MaskSignatures(out));
  EXPECT_FALSE(VerifySignedZone(bad_sig, interop::kHostingOrigin, kNow).ok());
  // A changed TTL or RRSIG field: the masked texts differ.
  std::string bad_ttl = out;
  const size_t line_start = out.rfind('\n', rrsig) + 1;
  const size_t tab = bad_ttl.find('\t', line_start);
  ASSERT_LT(tab, rrsig);
  bad_ttl.insert(tab + 1, "1");
  EXPECT_NE(MaskSignatures(bad_ttl), MaskSignatures(out));
  std::string bad_fields = out;
  bad_fields.replace(rrsig + 7, 1, bad_fields[rrsig + 7] == 'A' ? "B" : "A");
  EXPECT_NE(MaskSignatures(bad_fields), MaskSignatures(out));
}

// Signs with the real key, then flips the signature's last byte.
class FlippingHandle : public dnssec::SigningHandle {
 public:
  explicit FlippingHandle(std::shared_ptr<const dnssec::SigningHandle> real)
      : real_(std::move(real)) {}
  absl::StatusOr<std::vector<uint8_t>> Sign(
      absl::Span<const uint8_t> data) const override {
    auto sig = real_->Sign(data);
    if (sig.ok() && !sig->empty()) sig->back() ^= 0x01;
    return sig;
  }

 private:
  std::shared_ptr<const dnssec::SigningHandle> real_;
};

std::vector<dnssec::ZoneKey> WithFlippingZsk(dnssec::Algorithm alg) {
  std::vector<dnssec::ZoneKey> keys = interop::KeysFor(alg);
  for (dnssec::ZoneKey& key : keys) {
    if (key.role == dnssec::KeyRole::kZsk && key.signer != nullptr) {
      key.signer = std::make_shared<FlippingHandle>(key.signer);
    }
  }
  return keys;
}

// Removes the quotes of every TXT value: the text no longer reads back as
// the signed records (a value with ';' or spaces is cut or split).
ZoneTextWriterFn QuotelessWriter() {
  return [](const Zone& zone, const ZoneSink& sink, int threads) {
    std::string text;
    absl::Status s = WriteZoneText(
        zone,
        [&text](absl::string_view piece) {
          text.append(piece.data(), piece.size());
          return absl::OkStatus();
        },
        threads);
    if (!s.ok()) return s;
    std::string edited;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      std::string l(line);
      if (absl::StrContains(l, "\tIN\tTXT\t")) {
        l.erase(std::remove(l.begin(), l.end(), '"'), l.end());
      }
      if (!l.empty()) absl::StrAppend(&edited, l, "\n");
    }
    return sink(edited);
  };
}

struct Outcome {
  absl::Status status;
  size_t bytes_written = 0;
};

Outcome Sign(const std::vector<dnssec::ZoneKey>& keys, SignOptions options) {
  Outcome outcome;
  auto report = SignZone(interop::HostingZone(), "interop.zone", keys, options,
                         [&outcome](absl::string_view piece) {
                           outcome.bytes_written += piece.size();
                           return absl::OkStatus();
                         });
  outcome.status = report.status();
  return outcome;
}

TEST(ZoneSignerPipelineRefusalTest, BadSignaturesAreRefusedBeforeOutput) {
  const auto keys = WithFlippingZsk(dnssec::Algorithm::kEd25519);
  for (const bool sequential : {true, false}) {
    SignOptions options = FixedOptions(interop::kHostingOrigin, Denial::kNsec);
    options.sequential = sequential;
    const Outcome outcome = Sign(keys, options);
    EXPECT_EQ(outcome.status.code(), absl::StatusCode::kInternal)
        << sequential << " " << outcome.status;
    EXPECT_TRUE(absl::StartsWith(outcome.status.message(),
                                 "self-verify failed, zone not returned: "))
        << outcome.status;
    EXPECT_EQ(outcome.bytes_written, 0u) << sequential;
  }
}

TEST(ZoneSignerPipelineRefusalTest, TextThatReadsBackDifferentlyIsRefused) {
  const auto& keys = interop::KeysFor(dnssec::Algorithm::kEd25519);
  std::vector<std::string> messages;
  for (const bool sequential : {true, false}) {
    SignOptions options = FixedOptions(interop::kHostingOrigin, Denial::kNsec);
    options.sequential = sequential;
    options.text_writer_for_testing = QuotelessWriter();
    const Outcome outcome = Sign(keys, options);
    EXPECT_EQ(outcome.status.code(), absl::StatusCode::kInternal)
        << sequential << " " << outcome.status;
    EXPECT_TRUE(
        absl::StrContains(outcome.status.message(), "reads back differently"))
        << outcome.status;
    EXPECT_EQ(outcome.bytes_written, 0u) << sequential;
    messages.emplace_back(outcome.status.message());
  }
  EXPECT_EQ(messages[0], messages[1]);
}

TEST(ZoneSignerPipelineRefusalTest, BadSignatureIsReportedBeforeBadText) {
  const auto keys = WithFlippingZsk(dnssec::Algorithm::kEd25519);
  std::vector<std::string> messages;
  for (const bool sequential : {true, false}) {
    SignOptions options = FixedOptions(interop::kHostingOrigin, Denial::kNsec);
    options.sequential = sequential;
    options.text_writer_for_testing = QuotelessWriter();
    const Outcome outcome = Sign(keys, options);
    EXPECT_FALSE(outcome.status.ok());
    EXPECT_FALSE(
        absl::StrContains(outcome.status.message(), "reads back differently"))
        << outcome.status;
    EXPECT_EQ(outcome.bytes_written, 0u);
    messages.emplace_back(outcome.status.message());
  }
  EXPECT_EQ(messages[0], messages[1]);
}

TEST(ZoneSignerPipelineReportTest, BusyTimePerStepThenWall) {
  const auto& keys = interop::KeysFor(dnssec::Algorithm::kEd25519);
  for (const auto& [sequential, threads] :
       std::vector<std::pair<bool, int>>{{true, 4}, {false, 4}, {false, 1}}) {
    SCOPED_TRACE(absl::StrCat(sequential, " ", threads));
    SignOptions options = FixedOptions(interop::kTldOrigin, Denial::kNsec3);
    options.sequential = sequential;
    options.threads = threads;
    std::string out;
    auto report =
        SignZone(interop::TldZone(200), "interop.zone", keys, options, &out);
    ASSERT_TRUE(report.ok()) << report.status();
    for (const auto& [name, seconds] : report->phase_seconds) {
      EXPECT_GE(seconds, 0.0) << name;
    }
    EXPECT_EQ(PhaseNames(*report), (std::vector<std::string>{
                                       "parse", "build", "denial", "sign",
                                       "verify", "write", "readback", "wall"}));
    // Signing and verifying did real work on some thread.
    EXPECT_GT(report->phase_seconds[3].second, 0.0);
    EXPECT_GT(report->phase_seconds[4].second, 0.0);
    EXPECT_GT(report->phase_seconds.back().second, 0.0);
  }
  SignOptions unverified = FixedOptions(interop::kTldOrigin, Denial::kNsec);
  unverified.self_verify = false;
  std::string out;
  auto report =
      SignZone(interop::TldZone(20), "interop.zone", keys, unverified, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(PhaseNames(*report),
            (std::vector<std::string>{"parse", "build", "denial", "sign",
                                      "write", "wall"}));
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
