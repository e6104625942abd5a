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

}  // namespace

std::vector<SignedRecord> SignedRecordsInWriteOrder(const Zone& zone) {
  std::vector<SignedRecord> records;
  auto add_rrset = [&records](const Node& node, const RRset& rrset) {
    for (const std::string& rdata : rrset.rdatas) {
      records.push_back({node.name, rrset.type, rrset.ttl, rdata});
    }
    for (const std::string& sig : rrset.sigs) {
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
  const size_t common = std::min(expected.size(), read_back.size());
  for (size_t i = 0; i < common; ++i) {
    const SignedRecord& want = expected[i];
    const Record& got = read_back[i];
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
  if (expected.size() > read_back.size()) {
    const int last = read_back.empty() ? 0 : read_back.back().line;
    return Differs(expected[common].owner, expected[common].type, last + 1,
                   absl::StrCat("missing: ", read_back.size(), " records read ",
                                "back, ", expected.size(), " signed"));
  }
  if (read_back.size() > expected.size()) {
    const Record& extra = read_back[common];
    return Differs(
        extra.owner, extra.type, extra.line,
        absl::StrCat("not signed: ", read_back.size(), " records read back, ",
                     expected.size(), " signed"));
  }
  return absl::OkStatus();
}

absl::Status CheckOutputReadsBack(const Zone& zone, absl::string_view text,
                                  int threads) {
  ParseOptions options;
  options.keep_dnssec = true;
  options.fast_path = false;  // complex types read by ldns, not by our code
  options.threads = threads;
  absl::StatusOr<ParsedZone> parsed =
      ParseZoneText(text, "output", dnssec::NameToText(zone.origin), options);
  if (!parsed.ok()) {
    return absl::InternalError(
        absl::StrCat("the written text reads back differently: it does not ",
                     "parse: ", parsed.status().message()));
  }
  return CompareReadBack(SignedRecordsInWriteOrder(zone), parsed->records);
}

}  // namespace signer
}  // namespace zonekeep
