#include "signer/zone_parser.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
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

// Records of one piece of the text, checked except for zone membership (the
// zone origin may come from the first record, in another piece), and the
// first error in it.
struct SpanResult {
  std::vector<Record> records;
  size_t dnssec_records_dropped = 0;
  absl::Status status;
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

// Parses `span` (all of the text when `ends_input`, else a piece that ends
// where another one starts) from `state` until its end or first error.
SpanResult ParseSpan(absl::string_view span, absl::string_view display_name,
                     const ParseOptions& options, ReaderState* state) {
  SpanResult result;
  int& line = state->line;
  absl::Status& status = result.status;
  FastPath fast_path(options.fast_path);
  fast_path.Load(*state);
  SimpleRecordLine simple;
  size_t read_pos = 0;  // where the next entry starts in `span`
  Record rec;
  while (status.ok() && read_pos < span.size()) {
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
      result.records.push_back(std::move(simple.record));
      continue;
    }
    if (!fast_path.Store(state)) {
      status = absl::ResourceExhaustedError("out of memory reading zone text");
      break;
    }
    size_t consumed = 0;
    bool has_record = false;
    status = ReadEntry(span.substr(read_pos), display_name, state, &consumed,
                       &has_record, &rec);
    if (!status.ok()) break;
    read_pos += consumed;
    fast_path.Load(*state);
    if (!has_record) continue;
    if (!options.keep_dnssec && IsSignerOwnedType(rec.type)) {
      ++result.dnssec_records_dropped;
      continue;
    }
    if (rec.rdata.size() > 65535) {
      status =
          LineError(display_name, rec.line, "RDATA longer than 65535 octets");
      break;
    }
    result.records.push_back(std::move(rec));
  }
  return result;
}

// Moves a piece's records into `zone` in order, checking that they lie in the
// zone (taking the origin from the first record when none was given), then
// returns the piece's own error: whichever comes first in the file.
absl::Status AppendSpan(SpanResult&& span, absl::string_view display_name,
                        ParsedZone* zone) {
  for (Record& rec : span.records) {
    if (zone->origin.empty()) {
      if (rec.type != kTypeSoa) {
        return LineError(display_name, rec.line,
                         "no origin given and the first record is not "
                         "the SOA");
      }
      zone->origin = rec.owner;
    }
    if (!dnssec::IsSubdomainOf(rec.owner, zone->origin)) {
      return LineError(display_name, rec.line,
                       absl::StrCat("owner ", dnssec::NameToText(rec.owner),
                                    " is outside the zone ",
                                    dnssec::NameToText(zone->origin)));
    }
    absl::Status rules = CheckRecordRules(rec, display_name);
    if (!rules.ok()) return rules;
    zone->records.push_back(std::move(rec));
  }
  zone->dnssec_records_dropped += span.dnssec_records_dropped;
  return span.status;
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
  size_t total = 0;
  for (const SpanResult& span : spans) total += span.records.size();
  zone.records.reserve(total);
  for (SpanResult& span : spans) {
    absl::Status status = AppendSpan(std::move(span), display_name, &zone);
    if (!status.ok()) return status;
  }
  if (zone.origin.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(display_name, ": empty zone (no SOA record)"));
  }
  absl::Status sizes = CheckRrsetSizes(zone.records, display_name);
  if (!sizes.ok()) return sizes;
  return zone;
}

}  // namespace signer
}  // namespace zonekeep
