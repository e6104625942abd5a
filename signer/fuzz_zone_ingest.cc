// libFuzzer target: zone ingest, the signer's master-file reading as
// keystored (SignZone) and `dnssigner --check` use it, through the public
// check API (signer/zone_check.h).
//
// Input: master-file text. A first line ";origin=NAME" (a comment to the
// reader) gives the origin; otherwise it is the SOA owner, as without `-o`.
// Each input is read twice, as SignZone does (first error stops) and as
// `dnssigner --check` does (reading goes on, up to 20 errors). Property
// checked beyond "no crash": a zone that is accepted is written in canonical
// form, and that output, read again, is accepted and written identically.
// Second property: the parser's fast path (signer/simple_record_line.h,
// dnssec_record_line.h) reads exactly what ldns reads: with DNSSEC records
// kept, fast path on and off give the same records or the same error.
// Returns 0 always; a broken property aborts.
// Thread-safety: libFuzzer calls it from one thread.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "signer/zone_check.h"
#include "signer/zone_parser.h"

namespace {

using zonekeep::signer::CheckOptions;
using zonekeep::signer::CheckZoneText;

constexpr absl::string_view kOriginPrefix = ";origin=";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  CheckOptions options;
  options.threads = 1;
  if (absl::StartsWith(text, kOriginPrefix)) {
    const size_t end = text.find('\n');
    options.origin = std::string(
        text.substr(kOriginPrefix.size(), end == absl::string_view::npos
                                              ? absl::string_view::npos
                                              : end - kOriginPrefix.size()));
  }
  zonekeep::signer::ParseOptions parse;
  parse.keep_dnssec = true;
  parse.threads = 1;
  const auto fast =
      zonekeep::signer::ParseZoneText(text, "fuzz.zone", options.origin, parse);
  parse.fast_path = false;
  const auto slow =
      zonekeep::signer::ParseZoneText(text, "fuzz.zone", options.origin, parse);
  if (fast.ok() != slow.ok() ||
      (!fast.ok() && fast.status() != slow.status())) {
    fprintf(stderr, "fast path and ldns disagree: %s / %s\n",
            fast.status().ToString().c_str(), slow.status().ToString().c_str());
    abort();
  }
  if (fast.ok()) {
    bool same = fast->origin == slow->origin &&
                fast->records.size() == slow->records.size();
    for (size_t i = 0; same && i < fast->records.size(); ++i) {
      const zonekeep::signer::Record& a = fast->records[i];
      const zonekeep::signer::Record& b = slow->records[i];
      same = a.owner == b.owner && a.type == b.type && a.ttl == b.ttl &&
             a.rdata == b.rdata && a.line == b.line;
    }
    if (!same) {
      fprintf(stderr, "fast path and ldns read different records\n");
      abort();
    }
  }
  CheckOptions check_mode = options;
  check_mode.max_errors = 20;
  (void)CheckZoneText(text, "fuzz.zone", check_mode);

  absl::StatusOr<std::string> first = CheckZoneText(text, "fuzz.zone", options);
  if (!first.ok()) return 0;
  absl::StatusOr<std::string> again =
      CheckZoneText(*first, "canonical.zone", options);
  if (!again.ok()) {
    fprintf(stderr, "canonical output not read back: %s\n",
            std::string(again.status().message()).c_str());
    abort();
  }
  if (*again != *first) {
    fprintf(stderr, "canonical output changes when read back\n");
    abort();
  }
  return 0;
}
