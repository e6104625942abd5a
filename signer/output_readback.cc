#include "signer/output_readback.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dnssec/name.h"
#include "signer/zone_parser.h"
#include "signer/zone_text_writer.h"

namespace zonekeep {
namespace signer {
namespace {

std::string Describe(absl::string_view owner, uint16_t type) {
  return absl::StrCat(dnssec::NameToText(owner), " ", TypeName(type));
}

absl::Status Differs(absl::string_view owner, uint16_t type, int line,
                     absl::string_view what) {
  return absl::InternalError(
      absl::StrCat("output line ", line, ": ", Describe(owner, type),
                   ": the written text reads back differently (", what, ")"));
}

absl::Status CompareNext(absl::Span<const SignedRecord> expected,
                         absl::Span<const Record> read_back, size_t* next) {
  for (const Record& got : read_back) {
    if (*next >= expected.size()) {
      return Differs(
          got.owner, got.type, got.line,
          absl::StrCat("not signed: more records read back than the ",
                       expected.size(), " signed"));
    }
    const SignedRecord& want = expected[(*next)++];
    if (got.owner != want.owner || got.type != want.type) {
      return Differs(
          want.owner, want.type, got.line,
          absl::StrCat("read back as ", Describe(got.owner, got.type)));
    }
    if (got.rrclass != kClassIn) {
      return Differs(want.owner, want.type, got.line,
                     absl::StrCat("class ", got.rrclass, " instead of IN"));
    }
    if (got.ttl != want.ttl) {
      return Differs(want.owner, want.type, got.line,
                     absl::StrCat("TTL ", got.ttl, " instead of ", want.ttl));
    }
    if (got.rdata != want.rdata) {
      return Differs(want.owner, want.type, got.line,
                     absl::StrCat("RDATA of ", got.rdata.size(),
                                  " octets differs from the ",
                                  want.rdata.size(), " signed"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNoneMissing(absl::Span<const SignedRecord> expected,
                              size_t next, int last_line) {
  if (next >= expected.size()) return absl::OkStatus();
  return Differs(expected[next].owner, expected[next].type, last_line + 1,
                 absl::StrCat("missing: ", next, " records read back, ",
                              expected.size(), " signed"));
}

}  // namespace

std::vector<SignedRecord> SignedRecordsInWriteOrder(const Zone& zone) {
  // Counted first: grown by doubling, the vector (40 bytes a record) would
  // hold up to twice the zone's records for the whole read-back.
  size_t count = 0;
  for (const Node& node : zone.nodes) {
    for (const RRset& rrset : node.rrsets) {
      count += rrset.rdatas.size() + rrset.sigs.size();
    }
  }
  std::vector<SignedRecord> records;
  records.reserve(count);
  auto add_rrset = [&records](const Node& node, const RRset& rrset) {
    for (const absl::string_view rdata : rrset.rdatas) {
      records.push_back({node.name, rrset.type, rrset.ttl, rdata});
    }
    for (const absl::string_view sig : rrset.sigs) {
      records.push_back({node.name, kTypeRrsig, rrset.ttl, sig});
    }
  };
  for (const Node& node : zone.nodes) {
    const RRset* soa = node.apex ? node.Find(kTypeSoa) : nullptr;
    if (soa != nullptr) add_rrset(node, *soa);
    for (const RRset& rrset : node.rrsets) {
      if (&rrset != soa) add_rrset(node, rrset);
    }
  }
  return records;
}

absl::Status CompareReadBack(absl::Span<const SignedRecord> expected,
                             absl::Span<const Record> read_back) {
  size_t next = 0;
  if (absl::Status s = CompareNext(expected, read_back, &next); !s.ok()) {
    return s;
  }
  return CheckNoneMissing(expected, next,
                          read_back.empty() ? 0 : read_back.back().line);
}

absl::Status CheckOutputReadsBack(const Zone& zone, absl::string_view text,
                                  int threads, size_t window_bytes) {
  ParseOptions options;
  options.keep_dnssec = true;
  // Simple lines by our fast path, the rest by ldns (see the header).
  options.fast_path = true;
  options.threads = threads;
  const std::string origin = dnssec::NameToText(zone.origin);
  const std::vector<SignedRecord> expected = SignedRecordsInWriteOrder(zone);
  // The writer puts one record on each line, with an absolute owner and an
  // explicit TTL, so any line start is a record start: the text is read in
  // windows, each parsed on all cores, compared and dropped, which keeps the
  // read-back records of one window in memory, not of the whole zone.
  size_t next = 0;
  int lines_before = 0;
  int last_line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.size(), pos + std::max<size_t>(window_bytes, 1));
    if (end < text.size()) {
      const size_t newline = text.find('\n', end);
      end = newline == absl::string_view::npos ? text.size() : newline + 1;
    }
    const absl::string_view window = text.substr(pos, end - pos);
    absl::StatusOr<ParsedZone> parsed =
        ParseZoneText(window, "output", origin, options);
    if (!parsed.ok()) {
      return absl::InternalError(absl::StrCat(
          "the written text reads back differently: it does not parse (",
          lines_before,
          " lines before this part): ", parsed.status().message()));
    }
    for (Record& record : parsed->records) record.line += lines_before;
    if (absl::Status s = CompareNext(expected, parsed->records, &next);
        !s.ok()) {
      return s;
    }
    if (!parsed->records.empty()) last_line = parsed->records.back().line;
    lines_before +=
        static_cast<int>(std::count(window.begin(), window.end(), '\n'));
    pos = end;
  }
  return CheckNoneMissing(expected, next, last_line);
}

}  // namespace signer
}  // namespace zonekeep
