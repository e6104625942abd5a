#include "signer/zone_parser.h"

#include <stdio.h>
#include <stdio_ext.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dnssec/ldns_ptr.h"
#include "dnssec/name.h"
#include "signer/parallel.h"
#include "signer/simple_record_line.h"
#include "signer/zone_chunker.h"

namespace zonekeep {
namespace signer {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { fclose(f); }
};

std::string RdfWire(const ldns_rdf* rdf) {
  return std::string(reinterpret_cast<const char*>(ldns_rdf_data(rdf)),
                     ldns_rdf_size(rdf));
}

absl::Status LineError(absl::string_view display_name, int line,
                       absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(display_name, ":", line, ": ", reason));
}

// The ldns reader state that carries from one record to the next: the
// $ORIGIN and previous owner (rdfs ldns replaces in place; owned here), $TTL
// and the line count.
struct ReaderState {
  ReaderState(const ldns_rdf* origin, int lines_before)
      : origin(origin == nullptr ? nullptr : ldns_rdf_clone(origin)),
        prev(origin == nullptr ? nullptr : ldns_rdf_clone(origin)),
        line(lines_before) {}
  ~ReaderState() {
    ldns_rdf_deep_free(origin);
    ldns_rdf_deep_free(prev);
  }
  ReaderState(const ReaderState&) = delete;
  ReaderState& operator=(const ReaderState&) = delete;

  ldns_rdf* origin;
  ldns_rdf* prev;
  uint32_t default_ttl = 3600;
  int line;
};

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

// Records of one piece of the text, checked except for zone membership (the
// zone origin may come from the first record, in another piece), and the
// first error in it.
struct SpanResult {
  std::vector<Record> records;
  size_t dnssec_records_dropped = 0;
  absl::Status status;
};

// fmemopen over `range`, read with getc by one thread only, so without the
// stream lock glibc takes once the process has threads.
std::unique_ptr<FILE, FileCloser> OpenText(absl::string_view range) {
  std::unique_ptr<FILE, FileCloser> fp(
      fmemopen(const_cast<char*>(range.data()), range.size(), "r"));
  if (fp != nullptr) __fsetlocking(fp.get(), FSETLOCKING_BYCALLER);
  return fp;
}

// Reads a $ORIGIN or $TTL directive into `state`. Errors are ignored: the
// piece holding the directive reports them, and it comes first.
void ReplayDirective(absl::string_view text, TextRange directive,
                     ReaderState* state) {
  if (directive.empty()) return;
  std::unique_ptr<FILE, FileCloser> fp =
      OpenText(text.substr(directive.begin, directive.end - directive.begin));
  if (fp == nullptr) return;
  ldns_rr* raw = nullptr;
  int line = 0;
  ldns_rr_new_frm_fp_l(&raw, fp.get(), &state->default_ttl, &state->origin,
                       &state->prev, &line);
  ldns_rr_free(raw);
}

// True when `text` holds nothing but blanks, line breaks and ';' comments.
bool OnlyBlanksAndComments(absl::string_view text) {
  bool in_comment = false;
  for (const char c : text) {
    if (in_comment) {
      in_comment = c != '\n';
    } else if (c == ';') {
      in_comment = true;
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      return false;
    }
  }
  return true;
}

// Parses `span` (all of the text when `ends_input`, else a piece that ends
// where another one starts) from `state` until its end or first error.
SpanResult ParseSpan(absl::string_view span, bool ends_input,
                     absl::string_view display_name,
                     const ParseOptions& options, ReaderState* state) {
  SpanResult result;
  std::unique_ptr<FILE, FileCloser> fp = OpenText(span);
  dnssec::LdnsBufferPtr buffer(ldns_buffer_new(512));
  if (fp == nullptr || buffer == nullptr) {
    result.status =
        absl::ResourceExhaustedError("cannot open zone text buffer");
    return result;
  }
  int& line = state->line;
  absl::Status& status = result.status;
  FastPath fast_path(options.fast_path);
  fast_path.Load(*state);
  SimpleRecordLine simple;
  size_t read_pos = 0;         // where the next record starts in `span`
  bool stream_behind = false;  // records were read past the stream position
  while (status.ok()) {
    if (fast_path.Read(span.substr(read_pos), &simple)) {
      const char* begin = span.data() + read_pos;
      line +=
          static_cast<int>(std::count(begin, begin + simple.consumed, '\n'));
      read_pos += simple.consumed;
      stream_behind = true;
      simple.record.line = line;
      result.records.push_back(std::move(simple.record));
      continue;
    }
    if (stream_behind &&
        fseek(fp.get(), static_cast<long>(read_pos), SEEK_SET) != 0) {
      status = absl::InternalError("cannot seek in zone text buffer");
      break;
    }
    stream_behind = false;
    if (!fast_path.Store(state)) {
      status = absl::ResourceExhaustedError("out of memory reading zone text");
      break;
    }
    // Skip to the next record; ldns reports EOF through feof.
    ldns_rr* raw = nullptr;
    const ldns_status s =
        ldns_rr_new_frm_fp_l(&raw, fp.get(), &state->default_ttl,
                             &state->origin, &state->prev, &line);
    dnssec::LdnsRrPtr rr(raw);
    const size_t record_begin = read_pos;  // read_pos moves on below
    const long record_end = ftell(fp.get());
    if (record_end < 0) {
      status = absl::InternalError("cannot tell zone text buffer position");
      break;
    }
    read_pos = static_cast<size_t>(record_end);
    fast_path.Load(*state);
    if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL ||
        s == LDNS_STATUS_SYNTAX_ORIGIN) {
      if (feof(fp.get())) break;
      continue;
    }
    if (s == LDNS_STATUS_SYNTAX_INCLUDE) {
      status = LineError(display_name, line,
                         "$INCLUDE is not allowed (zone text may come from "
                         "the network)");
      break;
    }
    if (s != LDNS_STATUS_OK) {
      // ldns reports blanks or a comment after the last record as a syntax
      // error at end of input: forgive exactly that, nothing else. A piece's
      // end is not the input's, so there this is always a real error.
      if (ends_input && feof(fp.get()) && s == LDNS_STATUS_SYNTAX_ERR &&
          rr == nullptr && OnlyBlanksAndComments(span.substr(record_begin))) {
        break;
      }
      // ldns counts the newlines it consumed: a last line without one is
      // one further on than that count.
      const bool unterminated_last_line =
          feof(fp.get()) && !span.empty() && span.back() != '\n';
      status = LineError(display_name, line + (unterminated_last_line ? 1 : 0),
                         ldns_get_errorstr_by_id(s));
      break;
    }
    if (ldns_rr_get_class(rr.get()) != LDNS_RR_CLASS_IN) {
      status = LineError(display_name, line, "only class IN is supported");
      break;
    }
    Record rec;
    rec.type = static_cast<uint16_t>(ldns_rr_get_type(rr.get()));
    if (!options.keep_dnssec && IsSignerOwnedType(rec.type)) {
      ++result.dnssec_records_dropped;
      if (feof(fp.get())) break;
      continue;
    }
    ldns_rr2canonical(rr.get());
    rec.owner = RdfWire(ldns_rr_owner(rr.get()));
    rec.ttl = ldns_rr_ttl(rr.get());
    rec.line = line;
    ldns_buffer_clear(buffer.get());
    if (ldns_rr_rdata2buffer_wire(buffer.get(), rr.get()) != LDNS_STATUS_OK) {
      status = LineError(display_name, line, "cannot encode RDATA");
      break;
    }
    rec.rdata.assign(
        reinterpret_cast<const char*>(ldns_buffer_begin(buffer.get())),
        ldns_buffer_position(buffer.get()));
    if (rec.rdata.size() > 65535) {
      status = LineError(display_name, line, "RDATA longer than 65535 octets");
      break;
    }
    result.records.push_back(std::move(rec));
    if (feof(fp.get())) break;
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
  } else {
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
        i + 1 == chunks.size(), display_name, options, &state);
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
  return zone;
}

}  // namespace signer
}  // namespace zonekeep
