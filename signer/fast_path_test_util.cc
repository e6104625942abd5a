#include "signer/fast_path_test_util.h"

#include "absl/strings/escaping.h"

namespace zonekeep {
namespace signer {

std::string ExampleOrigin() {
  return std::string(
      "\x07"
      "example",
      9);
}

void MutateLine(absl::string_view alphabet, std::mt19937* rng,
                std::string* line) {
  std::mt19937& r = *rng;
  for (int k = 0; k < 1 + static_cast<int>(r() % 2); ++k) {
    const size_t at = r() % (line->size() + 1);
    const char c = alphabet[r() % alphabet.size()];
    switch (r() % 3) {
      case 0:
        if (at < line->size()) (*line)[at] = c;
        break;
      case 1:
        line->insert(at, 1, c);
        break;
      default:
        if (at < line->size()) line->erase(at, 1);
        break;
    }
  }
}

ParseOptions FastPathTestOptions(bool fast_path, int threads,
                                 bool keep_dnssec) {
  ParseOptions options;
  options.fast_path = fast_path;
  options.threads = threads;
  options.parallel_min_bytes = 0;
  options.keep_dnssec = keep_dnssec;
  return options;
}

::testing::AssertionResult SameOutcome(const absl::StatusOr<ParsedZone>& want,
                                       const absl::StatusOr<ParsedZone>& got) {
  if (!want.ok() || !got.ok()) {
    if (want.status() == got.status()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "ldns: " << want.status() << "\nfast: " << got.status();
  }
  if (want->origin != got->origin) {
    return ::testing::AssertionFailure() << "origins differ";
  }
  if (want->dnssec_records_dropped != got->dnssec_records_dropped) {
    return ::testing::AssertionFailure() << "dropped counts differ";
  }
  if (want->records.size() != got->records.size()) {
    return ::testing::AssertionFailure()
           << want->records.size() << " records, not " << got->records.size();
  }
  for (size_t i = 0; i < want->records.size(); ++i) {
    const Record& x = want->records[i];
    const Record& y = got->records[i];
    if (x.owner != y.owner || x.type != y.type || x.rrclass != y.rrclass ||
        x.ttl != y.ttl || x.rdata != y.rdata || x.line != y.line) {
      return ::testing::AssertionFailure()
             << "record " << i << " differs: ldns line " << x.line << " type "
             << x.type << " ttl " << x.ttl << " owner "
             << absl::CHexEscape(x.owner) << " rdata "
             << absl::CHexEscape(x.rdata) << "; fast line " << y.line
             << " type " << y.type << " ttl " << y.ttl << " owner "
             << absl::CHexEscape(y.owner) << " rdata "
             << absl::CHexEscape(y.rdata);
    }
  }
  return ::testing::AssertionSuccess();
}

absl::StatusOr<ParsedZone> ExpectSameAsLdns(const std::string& text,
                                            absl::string_view origin,
                                            bool keep_dnssec) {
  absl::StatusOr<ParsedZone> want = ParseZoneText(
      text, "gen.zone", origin, FastPathTestOptions(false, 1, keep_dnssec));
  const struct {
    bool fast_path;
    int threads;
  } kRuns[] = {{true, 1}, {true, 2}, {true, 5}, {false, 3}};
  for (const auto& run : kRuns) {
    EXPECT_TRUE(SameOutcome(
        want, ParseZoneText(text, "gen.zone", origin,
                            FastPathTestOptions(run.fast_path, run.threads,
                                                keep_dnssec))))
        << "fast_path=" << run.fast_path << " threads=" << run.threads;
  }
  return want;
}

}  // namespace signer
}  // namespace zonekeep
