#include "signer/zone_chunker.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/match.h"

namespace zonekeep {
namespace signer {
namespace {

// First characters of an explicit, non-'@' owner name: a chunk starting there
// needs neither the previous owner nor (for '@' without origin) ldns's
// fallback to it.
bool StartsOwner(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '*' ||
         c == '-';
}

// ldns skips these after the end of a record (ldns_fskipcs_l).
bool IsSkippedDelimiter(char c) {
  return c == '\f' || c == '\n' || c == '\r' || c == '\v';
}

// Characters the line reader only appends to the token (or skips inside a
// comment); everything with a rule of its own is excluded.
bool IsOrdinary(char c) {
  switch (c) {
    case '\0':
    case '\f':
    case '\v':
    case '\n':
    case '\r':
    case '(':
    case ')':
    case ';':
    case '"':
    case '\\':
      return false;
    default:
      return true;
  }
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)); }

}  // namespace

std::vector<ZoneChunk> SplitZoneText(absl::string_view text,
                                     size_t max_chunks) {
  std::vector<ZoneChunk> chunks;
  const size_t n = text.size();
  if (n == 0) return chunks;
  ZoneChunk first;
  first.text = {0, n};
  chunks.push_back(first);
  if (max_chunks <= 1) return chunks;
  const std::vector<ZoneChunk> whole = chunks;
  const size_t step = std::max<size_t>(1, n / max_chunks);
  size_t next_target = step;
  TextRange origin;
  TextRange ttl;
  int lines = 0;
  size_t pos = 0;
  while (pos < n) {
    // One ldns_fget_token_l_st(..., "\f\n\r\v", ...) call: reads one record
    // (several lines when parenthesised) into a token.
    const size_t call_begin = pos;
    int parens = 0;
    bool comment = false;
    bool quoted = false;
    char prev = 0;
    size_t counted = 0;  // ldns's i: characters read, in-paren newlines not
    size_t stored = 0;   // ldns's t - token
    char head[8] = {0};  // the token's first characters, for directives
    bool token_read = false;
    while (pos < n) {
      if (counted == 0 && parens == 0 && pos > 0 && text[pos - 1] == '\n' &&
          pos >= next_target && chunks.size() < max_chunks &&
          StartsOwner(text[pos])) {
        chunks.back().text.end = pos;
        ZoneChunk chunk;
        chunk.text = {pos, n};
        chunk.lines_before = lines;
        chunk.origin_directive = origin;
        chunk.ttl_directive = ttl;
        chunks.push_back(chunk);
        while (next_target <= pos) next_target += step;
      }
      if (IsOrdinary(text[pos])) {
        // A run of characters that only extend the token (or the comment).
        const size_t run_begin = pos;
        while (pos < n && IsOrdinary(text[pos])) ++pos;
        if (!comment) {
          const size_t len = pos - run_begin;
          for (size_t k = 0; k < len && stored + k < sizeof(head); ++k) {
            head[stored + k] = text[run_begin + k];
          }
          stored += len;
          counted += len;
        }
        prev = text[pos - 1];
        continue;
      }
      char c = text[pos++];
      if (c == '\0' || c == '\f' || c == '\v') return whole;
      if (c == '\n') ++lines;
      if (c == '\r') c = ' ';
      if ((c == '(' || c == ')') && prev != '\\' && !quoted) {
        if (!comment) parens += c == '(' ? 1 : -1;
        if (parens < 0) return whole;
        prev = c;
        continue;
      }
      if (c == ';' && !quoted && prev != '\\') comment = true;
      if (c == '"' && !comment && prev != '\\') quoted = !quoted;
      if (c == '\n' && comment) {
        comment = false;
        if (parens == 0 && counted > 0) {
          token_read = true;
          break;
        }
        prev = c;
        continue;
      }
      if (comment) {
        prev = c;
        continue;
      }
      if (c == '\n' && parens != 0 && stored > 0) {
        if (stored < sizeof(head)) head[stored] = ' ';
        ++stored;
        prev = c;
        continue;
      }
      if (c == '\n' && counted > 0 && prev != '\\' && parens == 0) {
        token_read = true;
        break;
      }
      if (c != '\n') {
        if (stored < sizeof(head)) head[stored] = c;
        ++stored;
        ++counted;
      }
      prev = (c == '\\' && prev == '\\') ? 0 : c;
    }
    if (token_read) {
      while (pos < n && IsSkippedDelimiter(text[pos])) {
        if (text[pos] == '\n') ++lines;
        ++pos;
      }
    }
    const absl::string_view token(head, std::min(stored, sizeof(head)));
    if (absl::StartsWith(token, "$INCLUDE")) return whole;
    if (absl::StartsWith(token, "$ORIGIN") && token.size() > 7 &&
        IsSpace(token[7])) {
      origin = {call_begin, pos};
    } else if (absl::StartsWith(token, "$TTL") && token.size() > 4 &&
               IsSpace(token[4])) {
      ttl = {call_begin, pos};
    }
  }
  return chunks;
}

}  // namespace signer
}  // namespace zonekeep
