#include "signer/zone_parser.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dnssec/ldns_ptr.h"
#include "dnssec/name.h"
#include "signer/master_file_rules.h"
#include "signer/parallel.h"
#include "signer/simple_record_line.h"
#include "signer/zone_chunker.h"

namespace zonekeep {
namespace signer {
namespace {

std::string RdfWire(const ldns_rdf* rdf) {
  return std::string(reinterpret_cast<const char*>(ldns_rdf_data(rdf)),
                     ldns_rdf_size(rdf));
}

absl::Status LineError(absl::string_view display_name, int line,
                       absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(display_name, ":", line, ": ", reason));
}

// The fast path's copy of a ReaderState (signer/simple_record_line.h) in
// plain wire names, so a record read without ldns costs no ldns allocation. A
// previous owner set here goes back to ldns only when ldns reads next.
class FastPath {
 public:
  explicit FastPath(bool enabled) : enabled_(enabled) {}
  FastPath(const FastPath&) = delete;
  FastPath& operator=(const FastPath&) = delete;

  // Takes origin, previous owner and $TTL from `state`, after ldns read.
  void Load(const ReaderState& state) {
    if (!enabled_) return;
    AssignName(state.origin, &origin_);
    AssignName(state.prev, &prev_);
    default_ttl_ = state.default_ttl;
    prev_changed_ = false;
  }

  // Hands ldns the previous owner the fast path set, before ldns reads.
  // False when out of memory.
  bool Store(ReaderState* state) {
    if (!prev_changed_) return true;
    ldns_rdf_deep_free(state->prev);
    state->prev = ldns_dname_new_frm_data(static_cast<uint16_t>(prev_.size()),
                                          prev_.data());
    prev_changed_ = false;
    return state->prev != nullptr;
  }

  // Reads the simple record at the start of `text`, if there is one.
  bool Read(absl::string_view text, SimpleRecordLine* line) {
    if (!enabled_) return false;
    LineContext context;
    context.origin = origin_;
    context.prev_owner = prev_;
    context.default_ttl = default_ttl_;
    if (!ParseSimpleRecordLine(text, context, line)) return false;
    prev_.swap(line->prev_owner);
    prev_changed_ = true;
    return true;
  }

 private:
  // Empty for a missing or malformed name: the fast path then declines.
  static void AssignName(const ldns_rdf* rdf, std::string* name) {
    name->clear();
    if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) {
      return;
    }
    name->assign(reinterpret_cast<const char*>(ldns_rdf_data(rdf)),
                 ldns_rdf_size(rdf));
    if (!dnssec::IsValidWireName(*name)) name->clear();
  }

  bool enabled_;
  std::string origin_;
  std::string prev_;
  uint32_t default_ttl_ = 0;
  bool prev_changed_ = false;
};

bool IsLineBreakChar(char c) {
  return c == '\f' || c == '\n' || c == '\r' || c == '\v';
}

// An error found while reading, with the line it names (INT_MAX for none),
// so errors from the pieces and the checks after them sort into file order.
struct FoundError {
  int line = 0;
  absl::Status status;
};

// The line a "display_name:line: reason" error names; INT_MAX for none.
int ErrorLine(const absl::Status& status, absl::string_view display_name) {
  absl::string_view message = status.message();
  int line = 0;
  if (!absl::ConsumePrefix(&message, display_name) ||
      !absl::ConsumePrefix(&message, ":")) {
    return INT_MAX;
  }
  const size_t colon = message.find(':');
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(message.substr(0, colon), &line)) {
    return INT_MAX;
  }
  return line;
}

// Errors in the order found, at most `limit` of them.
class ErrorList {
 public:
  ErrorList(size_t limit, absl::string_view display_name)
      : limit_(limit), display_name_(display_name) {}

  // Just the first error for max_errors <= 1, else one more than
  // max_errors: enough to know that some are not shown.
  static size_t PieceLimit(const ParseOptions& options) {
    return options.max_errors <= 1 ? 1 : options.max_errors + 1;
  }

  // Adds `status`; true when reading must stop.
  bool Add(absl::Status status) {
    if (errors_.size() < limit_) {
      const int line = ErrorLine(status, display_name_);
      errors_.push_back({line, std::move(status)});
    }
    return full();
  }
  bool full() const { return errors_.size() >= limit_; }
  bool collecting() const { return limit_ > 1; }
  bool empty() const { return errors_.empty(); }
  std::vector<FoundError>& errors() { return errors_; }

 private:
  size_t limit_;
  absl::string_view display_name_;
  std::vector<FoundError> errors_;
};

// Records of one piece of the text, checked except for zone membership (the
// zone origin may come from the first record, in another piece), and its
// errors in file order (the first one only, unless max_errors > 1).
struct SpanResult {
  std::vector<Record> records;
  size_t dnssec_records_dropped = 0;
  std::vector<FoundError> errors;
  // An error after which the pieces may read on differently from the text
  // read in one piece (a broken entry: the chunker's idea of where entries
  // start may differ from where reading resumes; a refused directive: the
  // next pieces replay it without its error).
  bool needs_one_piece = false;
};

// Reads a $ORIGIN or $TTL directive into `state` (signer/master_file_rules.h).
// Errors are ignored: the piece holding the directive reports them, and it
// comes first.
void ReplayDirective(absl::string_view text, TextRange directive,
                     ReaderState* state) {
  if (directive.empty()) return;
  const int line = state->line;
  size_t consumed = 0;
  bool has_record = false;
  Record record;
  ReadEntry(text.substr(directive.begin, directive.end - directive.begin), "",
            state, &consumed, &has_record, &record)
      .IgnoreError();
  state->line = line;
}

// True when the entry at the start of `text` is a directive.
bool IsDirective(absl::string_view text) {
  MasterEntry entry;
  ReadMasterEntry(text, 0, "", &entry).IgnoreError();
  return !entry.owner_blank && !entry.fields.empty() &&
         entry.fields[0].front() == '$';
}

// Parses `span` (all of the text when `ends_input`, else a piece that ends
// where another one starts) from `state` until its end or first error; with
// options.max_errors > 1 it skips a refused entry and reads on, until it has
// more errors than that.
SpanResult ParseSpan(absl::string_view span, absl::string_view display_name,
                     const ParseOptions& options, ReaderState* state) {
  SpanResult result;
  int& line = state->line;
  ErrorList errors(ErrorList::PieceLimit(options), display_name);
  FastPath fast_path(options.fast_path);
  fast_path.Load(*state);
  SimpleRecordLine simple;
  size_t read_pos = 0;  // where the next entry starts in `span`
  Record rec;
  while (!errors.full() && read_pos < span.size()) {
    if (fast_path.Read(span.substr(read_pos), &simple)) {
      // The record's line: the fast path also reads the line breaks after
      // it, which the entry reader leaves for the next entry.
      const absl::string_view read = span.substr(read_pos, simple.consumed);
      size_t tail = read.size();
      int tail_breaks = 0;
      while (tail > 0 && IsLineBreakChar(read[tail - 1])) {
        tail_breaks += read[--tail] == '\n';
      }
      const int breaks =
          static_cast<int>(std::count(read.begin(), read.end(), '\n'));
      simple.record.line = line + breaks - tail_breaks + 1;
      line += breaks;
      read_pos += simple.consumed;
      if (!options.keep_dnssec && IsSignerOwnedType(simple.record.type)) {
        ++result.dnssec_records_dropped;
        continue;
      }
      result.records.push_back(std::move(simple.record));
      continue;
    }
    if (!fast_path.Store(state)) {
      errors.Add(
          absl::ResourceExhaustedError("out of memory reading zone text"));
      // Not a file error: reading on would not help.
      break;
    }
    size_t consumed = 0;
    bool has_record = false;
    absl::Status status = ReadEntry(span.substr(read_pos), display_name, state,
                                    &consumed, &has_record, &rec);
    if (!status.ok()) {
      if (errors.Add(std::move(status))) break;
      if (consumed == 0) {
        // The entry reader refused the entry's text itself.
        consumed = SkipBrokenEntry(span.substr(read_pos));
        line += static_cast<int>(std::count(
            span.begin() + read_pos, span.begin() + read_pos + consumed, '\n'));
        result.needs_one_piece = true;
      } else if (IsDirective(span.substr(read_pos))) {
        result.needs_one_piece = true;
      }
      read_pos += consumed;
      fast_path.Load(*state);
      continue;
    }
    read_pos += consumed;
    fast_path.Load(*state);
    if (!has_record) continue;
    if (!options.keep_dnssec && IsSignerOwnedType(rec.type)) {
      ++result.dnssec_records_dropped;
      continue;
    }
    if (rec.rdata.size() > 65535) {
      if (errors.Add(LineError(display_name, rec.line,
                               "RDATA longer than 65535 octets"))) {
        break;
      }
      continue;
    }
    result.records.push_back(std::move(rec));
  }
  result.errors = std::move(errors.errors());
  return result;
}

// Moves a piece's records into `zone` in order, checking that they lie in the
// zone (taking the origin from the first record when none was given), and
// adds its errors to `errors`. With one error wanted, the first in the file
// wins: a record's before the piece's own.
void AppendSpan(SpanResult&& span, absl::string_view display_name,
                ParsedZone* zone, ErrorList* errors) {
  for (Record& rec : span.records) {
    absl::Status status;
    if (zone->origin.empty()) {
      if (rec.type != kTypeSoa) {
        status = LineError(display_name, rec.line,
                           "no origin given and the first record is not "
                           "the SOA");
      } else {
        zone->origin = rec.owner;
      }
    }
    if (status.ok() && !zone->origin.empty() &&
        !dnssec::IsSubdomainOf(rec.owner, zone->origin)) {
      status = LineError(display_name, rec.line,
                         absl::StrCat("owner ", dnssec::NameToText(rec.owner),
                                      " is outside the zone ",
                                      dnssec::NameToText(zone->origin)));
    }
    if (status.ok()) status = CheckRecordRules(rec, display_name);
    if (!status.ok()) {
      errors->Add(std::move(status));
      if (!errors->collecting()) return;
      // Without an origin every later record would be refused the same way.
      if (zone->origin.empty()) break;
      continue;
    }
    zone->records.push_back(std::move(rec));
  }
  zone->dnssec_records_dropped += span.dnssec_records_dropped;
  for (FoundError& error : span.errors) {
    if (errors->full()) break;
    errors->Add(std::move(error.status));
  }
}

// The errors as one InvalidArgument, one "display_name:line: reason" a line
// in file order, at most `max_errors` of them and then a line saying more
// were found.
absl::Status JoinErrors(std::vector<FoundError> errors, int max_errors,
                        absl::string_view display_name) {
  std::stable_sort(
      errors.begin(), errors.end(),
      [](const FoundError& a, const FoundError& b) { return a.line < b.line; });
  for (const FoundError& error : errors) {
    if (!absl::IsInvalidArgument(error.status)) return error.status;
  }
  const size_t shown = std::min(errors.size(), static_cast<size_t>(max_errors));
  std::string message;
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) message.push_back('\n');
    absl::StrAppend(&message, errors[i].status.message());
  }
  if (errors.size() > shown) {
    absl::StrAppend(&message, "\n", display_name, ": more errors not shown");
  }
  return absl::InvalidArgumentError(message);
}

}  // namespace

absl::StatusOr<ParsedZone> ParseZoneText(absl::string_view text,
                                         absl::string_view display_name,
                                         absl::string_view origin,
                                         const ParseOptions& options) {
  ParsedZone zone;
  dnssec::LdnsRdfPtr origin_rdf;
  if (!origin.empty()) {
    std::string absolute(origin);
    if (absolute.back() != '.') absolute.push_back('.');
    origin_rdf.reset(ldns_dname_new_frm_str(absolute.c_str()));
    if (origin_rdf == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid zone origin '", origin, "'"));
    }
    ldns_dname2canonical(origin_rdf.get());
    zone.origin = RdfWire(origin_rdf.get());
  }
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(display_name, ": empty zone (no SOA record)"));
  }
  const int threads =
      options.threads == 1 ? 1 : ResolveThreads(options.threads);
  std::vector<ZoneChunk> chunks;
  if (threads > 1 && text.size() >= options.parallel_min_bytes) {
    // A few pieces per thread even out records of different cost.
    chunks = SplitZoneText(text, static_cast<size_t>(threads) * 4);
    // A relative $ORIGIN depends on the one before it: read in one piece.
    for (const ZoneChunk& chunk : chunks) {
      const TextRange& d = chunk.origin_directive;
      if (!d.empty() &&
          IsRelativeOriginDirective(text.substr(d.begin, d.end - d.begin))) {
        chunks.clear();
        break;
      }
    }
  }
  if (chunks.empty()) {
    chunks.emplace_back();
    chunks.back().text = {0, text.size()};
  }
  std::vector<SpanResult> spans(chunks.size());
  auto parse_chunk = [&](size_t i) {
    const ZoneChunk& chunk = chunks[i];
    ReaderState state(origin_rdf.get(), chunk.lines_before);
    ReplayDirective(text, chunk.origin_directive, &state);
    ReplayDirective(text, chunk.ttl_directive, &state);
    spans[i] = ParseSpan(
        text.substr(chunk.text.begin, chunk.text.end - chunk.text.begin),
        display_name, options, &state);
  };
  if (chunks.size() == 1) {
    parse_chunk(0);
  } else {
    const std::atomic<bool> never_stop{false};
    ParallelFor(chunks.size(), threads, 1, never_stop, parse_chunk);
  }
  if (options.max_errors > 1 && chunks.size() > 1 &&
      std::any_of(spans.begin(), spans.end(), [](const SpanResult& span) {
        return span.needs_one_piece;
      })) {
    // Read on after a broken entry or directive exactly as in one piece.
    chunks.resize(1);
    chunks[0] = ZoneChunk();
    chunks[0].text = {0, text.size()};
    spans.resize(1);
    parse_chunk(0);
  }
  size_t total = 0;
  for (const SpanResult& span : spans) total += span.records.size();
  zone.records.reserve(total);
  // Every error of every piece: a piece stopped after more than max_errors,
  // so the first max_errors in file order are all here.
  ErrorList errors(options.max_errors <= 1 ? 1 : SIZE_MAX, display_name);
  for (SpanResult& span : spans) {
    AppendSpan(std::move(span), display_name, &zone, &errors);
    if (!errors.collecting() && !errors.empty()) {
      return errors.errors()[0].status;
    }
  }
  if (zone.origin.empty()) {
    if (!errors.empty()) {
      return JoinErrors(std::move(errors.errors()), options.max_errors,
                        display_name);
    }
    return absl::InvalidArgumentError(
        absl::StrCat(display_name, ": empty zone (no SOA record)"));
  }
  absl::Status sizes = CheckRrsetSizes(zone.records, display_name);
  if (!sizes.ok()) {
    if (!errors.collecting()) return sizes;
    errors.Add(std::move(sizes));
  }
  if (!errors.empty()) {
    return JoinErrors(std::move(errors.errors()), options.max_errors,
                      display_name);
  }
  return zone;
}

}  // namespace signer
}  // namespace zonekeep
