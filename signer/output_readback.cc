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

// The expected records as a cursor: a span's or a zone's.
class SpanCursor {
 public:
  explicit SpanCursor(absl::Span<const SignedRecord> records)
      : records_(records) {}
  size_t size() const { return records_.size(); }
  bool Next(SignedRecord* record) {
    if (next_ >= records_.size()) return false;
    *record = records_[next_++];
    return true;
  }

 private:
  absl::Span<const SignedRecord> records_;
  size_t next_ = 0;
};

// Compares `read_back` with the cursor's next records; `*next` counts the
// records compared so far.
template <typename Cursor>
absl::Status CompareNext(Cursor& expected, absl::Span<const Record> read_back,
                         size_t* next) {
  SignedRecord want;
  for (const Record& got : read_back) {
    if (!expected.Next(&want)) {
      return Differs(
          got.owner, got.type, got.line,
          absl::StrCat("not signed: more records read back than the ",
                       expected.size(), " signed"));
    }
    ++*next;
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

template <typename Cursor>
absl::Status CheckNoneMissing(Cursor& expected, size_t next, int last_line) {
  SignedRecord missing;
  if (!expected.Next(&missing)) return absl::OkStatus();
  return Differs(missing.owner, missing.type, last_line + 1,
                 absl::StrCat("missing: ", next, " records read back, ",
                              expected.size(), " signed"));
}

}  // namespace

WriteOrderCursor::WriteOrderCursor(const Zone& zone) : zone_(zone) {
  for (const Node& node : zone.nodes) {
    for (const RRset& rrset : node.rrsets) {
      size_ += rrset.rdatas.size() + rrset.sigs.size();
    }
  }
}

const RRset& WriteOrderCursor::RRsetInWriteOrder(const Node& node,
                                                 size_t k) const {
  if (!node.apex) return node.rrsets[k];
  const RRset* soa = node.Find(kTypeSoa);
  if (soa == nullptr) return node.rrsets[k];
  const size_t soa_index = static_cast<size_t>(soa - node.rrsets.data());
  if (k == 0) return *soa;
  return node.rrsets[k - 1 < soa_index ? k - 1 : k];
}

bool WriteOrderCursor::Next(SignedRecord* record) {
  while (node_ < zone_.nodes.size()) {
    const Node& node = zone_.nodes[node_];
    if (rrset_ >= node.rrsets.size()) {
      ++node_;
      rrset_ = 0;
      item_ = 0;
      continue;
    }
    const RRset& rrset = RRsetInWriteOrder(node, rrset_);
    if (item_ < rrset.rdatas.size()) {
      *record = {node.name, rrset.type, rrset.ttl, rrset.rdatas[item_++]};
      return true;
    }
    const size_t sig = item_ - rrset.rdatas.size();
    if (sig < rrset.sigs.size()) {
      ++item_;
      *record = {node.name, kTypeRrsig, rrset.ttl, rrset.sigs[sig]};
      return true;
    }
    ++rrset_;
    item_ = 0;
  }
  return false;
}

std::vector<SignedRecord> SignedRecordsInWriteOrder(const Zone& zone) {
  WriteOrderCursor cursor(zone);
  std::vector<SignedRecord> records;
  records.reserve(cursor.size());
  SignedRecord record;
  while (cursor.Next(&record)) records.push_back(record);
  return records;
}

absl::Status CompareReadBack(absl::Span<const SignedRecord> expected,
                             absl::Span<const Record> read_back) {
  SpanCursor cursor(expected);
  size_t next = 0;
  if (absl::Status s = CompareNext(cursor, read_back, &next); !s.ok()) {
    return s;
  }
  return CheckNoneMissing(cursor, next,
                          read_back.empty() ? 0 : read_back.back().line);
}

ReadBackStream::ReadBackStream(const Zone& zone, int threads,
                               size_t window_bytes)
    : expected_(zone),
      origin_(dnssec::NameToText(zone.origin)),
      threads_(threads),
      window_bytes_(std::max<size_t>(window_bytes, 1)) {}

absl::Status ReadBackStream::AddWindow(absl::string_view window) {
  ParseOptions options;
  options.keep_dnssec = true;
  // Simple lines by our fast path, the rest by ldns (see the header).
  options.fast_path = true;
  options.threads = threads_;
  absl::StatusOr<ParsedZone> parsed =
      ParseZoneText(window, "output", origin_, options);
  if (!parsed.ok()) {
    return absl::InternalError(absl::StrCat(
        "the written text reads back differently: it does not parse (",
        lines_before_,
        " lines before this part): ", parsed.status().message()));
  }
  for (Record& record : parsed->records) record.line += lines_before_;
  if (absl::Status s = CompareNext(expected_, parsed->records, &next_);
      !s.ok()) {
    return s;
  }
  if (!parsed->records.empty()) last_line_ = parsed->records.back().line;
  lines_before_ +=
      static_cast<int>(std::count(window.begin(), window.end(), '\n'));
  return absl::OkStatus();
}

absl::Status ReadBackStream::Add(absl::string_view piece) {
  pending_.append(piece.data(), piece.size());
  if (pending_.size() < window_bytes_) return absl::OkStatus();
  const size_t newline = pending_.rfind('\n');
  if (newline == std::string::npos) return absl::OkStatus();
  absl::Status s =
      AddWindow(absl::string_view(pending_).substr(0, newline + 1));
  pending_.erase(0, newline + 1);
  return s;
}

absl::Status ReadBackStream::Finish() {
  if (!pending_.empty()) {
    if (absl::Status s = AddWindow(pending_); !s.ok()) return s;
    std::string().swap(pending_);
  }
  return CheckNoneMissing(expected_, next_, last_line_);
}

absl::Status CheckOutputReadsBack(const Zone& zone, absl::string_view text,
                                  int threads, size_t window_bytes) {
  // The writer puts one record on each line, with an absolute owner and an
  // explicit TTL, so any line start is a record start: the text is read in
  // windows, each parsed on all cores, compared and dropped, which keeps the
  // read-back records of one window in memory, not of the whole zone.
  ReadBackStream stream(zone, threads, window_bytes);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.size(), pos + std::max<size_t>(window_bytes, 1));
    if (end < text.size()) {
      const size_t newline = text.find('\n', end);
      end = newline == absl::string_view::npos ? text.size() : newline + 1;
    }
    if (absl::Status s = stream.AddWindow(text.substr(pos, end - pos));
        !s.ok()) {
      return s;
    }
    pos = end;
  }
  return stream.Finish();
}

}  // namespace signer
}  // namespace zonekeep
