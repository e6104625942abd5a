#include "signer/master_entry_reader.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "signer/master_record_rules.h"

namespace zonekeep {
namespace signer {
namespace {

absl::Status LineError(absl::string_view display_name, int line,
                       absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(display_name, ":", line, ": ", reason));
}

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

// True when `field` holds a '"' that is not escaped by a backslash: a quoted
// string, which no name may be (ldns would split it again at its blanks).
bool HasUnescapedQuote(absl::string_view field) {
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\') {
      ++i;
    } else if (field[i] == '"') {
      return true;
    }
  }
  return false;
}

bool ParseClass(absl::string_view field, uint16_t* rrclass) {
  if (absl::EqualsIgnoreCase(field, "IN")) {
    *rrclass = 1;
  } else if (absl::EqualsIgnoreCase(field, "CS")) {
    *rrclass = 2;
  } else if (absl::EqualsIgnoreCase(field, "CH")) {
    *rrclass = 3;
  } else if (absl::EqualsIgnoreCase(field, "HS")) {
    *rrclass = 4;
  } else if (field.size() > 5 && absl::StartsWithIgnoreCase(field, "CLASS")) {
    uint32_t value = 0;
    if (!absl::SimpleAtoi(field.substr(5), &value) || value > 65535) {
      return false;
    }
    *rrclass = static_cast<uint16_t>(value);
  } else {
    return false;
  }
  return true;
}

absl::Status ApplyDirective(const MasterEntry& entry,
                            absl::string_view display_name,
                            ReaderState* state) {
  const std::string name = absl::AsciiStrToUpper(entry.fields[0]);
  const int line = entry.first_line;
  if (name == "$INCLUDE") {
    return LineError(display_name, line,
                     "$INCLUDE is not allowed (zone text may come from the "
                     "network)");
  }
  if (name != "$ORIGIN" && name != "$TTL") {
    return LineError(display_name, line,
                     absl::StrCat("unknown directive ", entry.fields[0]));
  }
  if (entry.fields.size() != 2) {
    return LineError(display_name, line,
                     absl::StrCat(entry.fields[0], " takes one value"));
  }
  const absl::string_view value = entry.fields[1];
  if (name == "$TTL") {
    if (!ParseTtl(value, &state->default_ttl)) {
      return LineError(display_name, line,
                       absl::StrCat("invalid $TTL '", value,
                                    "' (at most 4294967295 seconds)"));
    }
    return absl::OkStatus();
  }
  if (HasUnescapedQuote(value)) {
    return LineError(display_name, line,
                     absl::StrCat("$ORIGIN ", value, " holds a quoted string"));
  }
  if (!IsAbsoluteName(value) && state->origin == nullptr) {
    return LineError(display_name, line,
                     absl::StrCat("relative $ORIGIN '", value,
                                  "' with no origin to complete it"));
  }
  ldns_rdf* origin =
      ldns_dname_new_frm_str(AbsoluteNameText(value, state->origin).c_str());
  if (origin == nullptr || ldns_rdf_size(origin) > 255) {
    ldns_rdf_deep_free(origin);
    return LineError(display_name, line,
                     absl::StrCat("invalid $ORIGIN '", value, "'"));
  }
  ldns_rdf_deep_free(state->origin);
  state->origin = origin;
  return absl::OkStatus();
}

absl::Status ReadRecord(const MasterEntry& entry,
                        absl::string_view display_name, ReaderState* state,
                        Record* record) {
  const int line = entry.last_line;
  const std::vector<absl::string_view>& fields = entry.fields;
  size_t i = 0;
  absl::string_view owner;
  if (!entry.owner_blank) owner = fields[i++];
  if (HasUnescapedQuote(owner)) {
    return LineError(display_name, line,
                     absl::StrCat("owner name ", owner,
                                  " holds a quoted string (write \\\" or "
                                  "\\032 for such characters)"));
  }
  uint32_t ttl = state->default_ttl;
  bool have_ttl = false;
  bool have_class = false;
  while (i < fields.size()) {
    uint16_t rrclass = 0;
    if (!have_ttl && absl::ascii_isdigit(fields[i].front())) {
      if (!ParseTtl(fields[i], &ttl)) {
        return LineError(display_name, line,
                         absl::StrCat("invalid TTL '", fields[i],
                                      "' (at most 4294967295 seconds)"));
      }
      have_ttl = true;
    } else if (!have_class && ParseClass(fields[i], &rrclass)) {
      if (rrclass != 1) {
        return LineError(display_name, line, "only class IN is supported");
      }
      have_class = true;
    } else {
      break;
    }
    ++i;
  }
  if (i >= fields.size()) {
    return LineError(display_name, line, "record without a type");
  }
  RecordText record_text;
  record_text.owner = owner;
  record_text.ttl = ttl;
  record_text.type = fields[i];
  record_text.rdata.assign(fields.begin() + i + 1, fields.end());
  record_text.line = line;
  return ReadRecordData(record_text, display_name, state->origin, &state->prev,
                        record);
}

}  // namespace

ReaderState::ReaderState(const ldns_rdf* origin, int lines_before)
    : origin(origin == nullptr ? nullptr : ldns_rdf_clone(origin)),
      prev(origin == nullptr ? nullptr : ldns_rdf_clone(origin)),
      line(lines_before) {}

ReaderState::~ReaderState() {
  ldns_rdf_deep_free(origin);
  ldns_rdf_deep_free(prev);
}

absl::Status ReadMasterEntry(absl::string_view text, int lines_before,
                             absl::string_view display_name,
                             MasterEntry* entry) {
  *entry = MasterEntry();
  const size_t n = text.size();
  int line = lines_before + 1;
  size_t pos = 0;
  // Blank and comment lines.
  while (pos < n) {
    size_t p = pos;
    while (p < n && IsBlank(text[p])) ++p;
    if (p < n && text[p] == ';') {
      while (p < n && text[p] != '\n') ++p;
    }
    if (p == n) {
      pos = n;
      break;
    }
    if (text[p] != '\n') break;
    pos = p + 1;
    ++line;
  }
  if (pos == n) {
    entry->consumed = n;
    return absl::OkStatus();
  }
  // Like ldns, '\f', '\r' and '\v' at the start of an entry are skipped
  // (the fast path does the same), not read as a blank owner.
  while (pos < n &&
         (text[pos] == '\f' || text[pos] == '\r' || text[pos] == '\v')) {
    ++pos;
  }
  if (pos == n) {
    entry->consumed = n;
    return absl::OkStatus();
  }
  entry->owner_blank = IsBlank(text[pos]);
  entry->first_line = line;
  int depth = 0;
  int paren_line = 0;
  bool quoted = false;
  int quote_line = 0;
  size_t field_begin = std::string_view::npos;
  auto end_field = [&](size_t end) {
    if (field_begin != std::string_view::npos) {
      entry->fields.push_back(text.substr(field_begin, end - field_begin));
      field_begin = std::string_view::npos;
    }
  };
  auto start_field = [&] {
    if (field_begin == std::string_view::npos) field_begin = pos;
  };
  while (pos < n) {
    const char c = text[pos];
    if (c == '\0') {
      return LineError(display_name, line, "NUL character in zone text");
    }
    if (c == '\\') {
      start_field();
      if (pos + 1 < n && text[pos + 1] == '\n') ++line;
      pos = std::min(n, pos + 2);
      continue;
    }
    if (quoted) {
      if (c == '"') quoted = false;
      if (c == '\n') {
        return LineError(display_name, quote_line,
                         "quoted string not closed on its line");
      }
      ++pos;
      continue;
    }
    switch (c) {
      case '"':
        start_field();
        quoted = true;
        quote_line = line;
        ++pos;
        break;
      case '(':
        end_field(pos);
        if (depth++ == 0) paren_line = line;
        ++pos;
        break;
      case ')':
        end_field(pos);
        if (depth == 0) {
          return LineError(display_name, line, "')' without an open '('");
        }
        --depth;
        ++pos;
        break;
      case ';':
        end_field(pos);
        while (pos < n && text[pos] != '\n') ++pos;
        break;
      case '\n':
        end_field(pos);
        ++pos;
        if (depth == 0) {
          entry->consumed = pos;
          entry->last_line = line;
          return absl::OkStatus();
        }
        ++line;
        break;
      default:
        if (IsBlank(c)) {
          end_field(pos);
        } else {
          start_field();
        }
        ++pos;
    }
  }
  end_field(n);
  if (quoted) {
    return LineError(display_name, quote_line,
                     "quoted string not closed at end of file");
  }
  if (depth > 0) {
    return LineError(display_name, paren_line, "'(' not closed at end of file");
  }
  entry->consumed = n;
  entry->last_line = line;
  return absl::OkStatus();
}

size_t SkipBrokenEntry(absl::string_view text) {
  const size_t n = text.size();
  size_t pos = 0;
  // Blank and comment lines, as ReadMasterEntry skips them.
  while (pos < n) {
    size_t p = pos;
    while (p < n && IsBlank(text[p])) ++p;
    if (p < n && text[p] == ';') {
      while (p < n && text[p] != '\n') ++p;
    }
    if (p == n || text[p] != '\n') break;
    pos = p + 1;
  }
  int depth = 0;
  bool quoted = false;
  while (pos < n) {
    const char c = text[pos];
    if (c == '\\') {
      pos = std::min(n, pos + 2);
      continue;
    }
    if (c == '\n') {
      quoted = false;
      ++pos;
      if (depth == 0) return pos;
      continue;
    }
    if (quoted) {
      if (c == '"') quoted = false;
      ++pos;
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth > 0) --depth;
    } else if (c == ';') {
      while (pos < n && text[pos] != '\n') ++pos;
      continue;
    }
    ++pos;
  }
  return n;
}

bool ParseTtl(absl::string_view text, uint32_t* ttl) {
  uint32_t seconds = 0;
  if (!ParseTimeValue(text, &seconds)) return false;
  *ttl = seconds > 0x7fffffffu ? 0 : seconds;
  return true;
}

absl::Status ReadEntry(absl::string_view text, absl::string_view display_name,
                       ReaderState* state, size_t* consumed, bool* has_record,
                       Record* record) {
  *has_record = false;
  MasterEntry entry;
  absl::Status status =
      ReadMasterEntry(text, state->line, display_name, &entry);
  if (!status.ok()) return status;
  *consumed = entry.consumed;
  state->line += static_cast<int>(
      std::count(text.begin(), text.begin() + entry.consumed, '\n'));
  if (entry.fields.empty()) return absl::OkStatus();
  if (!entry.owner_blank && entry.fields[0].front() == '$') {
    return ApplyDirective(entry, display_name, state);
  }
  status = ReadRecord(entry, display_name, state, record);
  if (status.ok()) *has_record = true;
  return status;
}

bool IsRelativeOriginDirective(absl::string_view directive_text) {
  MasterEntry entry;
  if (!ReadMasterEntry(directive_text, 0, "", &entry).ok()) return true;
  return entry.fields.size() != 2 ||
         !absl::EqualsIgnoreCase(entry.fields[0], "$ORIGIN") ||
         !IsAbsoluteName(entry.fields[1]);
}

}  // namespace signer
}  // namespace zonekeep
