#include "signer/simple_record_line.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "dnssec/name.h"
#include "signer/dnssec_record_line.h"
#include "signer/record_line_fields.h"

namespace zonekeep {
namespace signer {
namespace {

// Longer lines go to ldns, whose token buffers have limits of their own.
constexpr size_t kMaxLineBytes = 1024;
constexpr uint32_t kMaxTtl = 0x7fffffff;

// The record as ldns_fget_token_l_st reads it: `content` is the line without
// its comment and line break; the record ends `end` bytes into the text.
struct RecordText {
  absl::string_view content;
  size_t end = 0;
};

bool FindRecordText(absl::string_view text, RecordText* record) {
  size_t pos = 0;
  // Empty lines and lines that are only a comment belong to the record after
  // them (ldns reads past them before the record starts).
  while (pos < text.size() && (text[pos] == '\n' || text[pos] == ';')) {
    const size_t newline = text.find('\n', pos);
    if (newline == absl::string_view::npos) return false;
    pos = newline + 1;
  }
  const size_t begin = pos;
  while (pos < text.size() && pos - begin <= kMaxLineBytes &&
         IsPlainLineByte(text[pos])) {
    ++pos;
  }
  if (pos == begin || pos - begin > kMaxLineBytes || pos == text.size()) {
    return false;
  }
  record->content = text.substr(begin, pos - begin);
  if (text[pos] == ';') pos = text.find('\n', pos);
  if (pos == absl::string_view::npos || text[pos] != '\n') return false;
  ++pos;
  while (pos < text.size() && IsLineBreakByte(text[pos])) ++pos;
  record->end = pos;
  return true;
}

// An address as inet_pton reads it (ldns_str2rdf_a and _aaaa use it; for
// IPv4 that is a strict dotted quad).
bool AppendAddress(int family, absl::string_view token, std::string* out) {
  char text[64];
  unsigned char address[16];
  if (token.empty() || token.size() >= sizeof(text)) return false;
  std::memcpy(text, token.data(), token.size());
  text[token.size()] = '\0';
  if (inet_pton(family, text, address) != 1) return false;
  out->append(reinterpret_cast<const char*>(address),
              family == AF_INET ? 4 : 16);
  return true;
}

// The rest of the line as hex digits, blanks ignored (ldns reads the last
// HEX field to the end of the line). An odd count is declined.
bool AppendHexToEnd(LineTokens* tokens, std::string* out) {
  size_t digits = 0;
  int high = 0;
  for (absl::string_view token = tokens->Next(); !token.empty();
       token = tokens->Next()) {
    for (const char c : token) {
      const int value = HexDigitValue(c);
      if (value < 0) return false;
      if (digits % 2 == 0) {
        high = value;
      } else {
        out->push_back(static_cast<char>(high * 16 + value));
      }
      ++digits;
    }
  }
  return digits > 0 && digits % 2 == 0;
}

// Two names, a serial and four periods, all decimal (ldns reads the periods
// with units too; those are declined).
bool AppendSoaRdata(absl::string_view origin, LineTokens* tokens,
                    std::string* rdata) {
  if (!AppendLowerName(tokens->Next(), origin, rdata) ||  // primary
      !AppendLowerName(tokens->Next(), origin, rdata)) {  // mailbox
    return false;
  }
  for (int i = 0; i < 5; ++i) {
    if (!AppendDecimal32(tokens->Next(), rdata)) return false;
  }
  return tokens->AtEnd();
}

bool AppendRdata(uint16_t type, absl::string_view origin, LineTokens* tokens,
                 std::string* rdata) {
  switch (type) {
    case kTypeA:
      return AppendAddress(AF_INET, tokens->Next(), rdata) && tokens->AtEnd();
    case kTypeAaaa:
      return AppendAddress(AF_INET6, tokens->Next(), rdata) && tokens->AtEnd();
    case kTypeNs:
    case kTypeCname:
    case kTypePtr:
      return AppendLowerName(tokens->Next(), origin, rdata) && tokens->AtEnd();
    case kTypeMx:
      return AppendDecimal16(tokens->Next(), rdata) &&
             AppendLowerName(tokens->Next(), origin, rdata) && tokens->AtEnd();
    case kTypeDs:
      return AppendDecimal16(tokens->Next(), rdata) &&  // key tag
             AppendDecimal8(tokens->Next(), rdata) &&   // algorithm
             AppendDecimal8(tokens->Next(), rdata) &&   // digest type
             AppendHexToEnd(tokens, rdata);
    case kTypeSoa:
      return AppendSoaRdata(origin, tokens, rdata);
    default:
      return IsDnssecLineType(type) &&
             AppendDnssecRdata(type, origin, tokens, rdata);
  }
}

}  // namespace

bool ParseSimpleRecordLine(absl::string_view text, const LineContext& context,
                           SimpleRecordLine* out) {
  if (context.origin.empty()) return false;
  RecordText line;
  if (!FindRecordText(text, &line)) return false;
  LineTokens tokens(line.content);

  // Owner: a line starting with a blank keeps the previous one. Directives
  // ("$TTL", "$ORIGIN", ...) stop here: '$' is no label character.
  out->prev_owner.clear();
  if (IsLineBlank(line.content.front())) {
    if (context.prev_owner.empty()) return false;
    out->prev_owner.append(context.prev_owner.data(),
                           context.prev_owner.size());
  } else if (!AppendName(tokens.Next(), context.origin, &out->prev_owner)) {
    return false;
  }

  // ldns reads a TTL when the token starts with a digit, then a class when
  // the next token is one; "IN 300" would make "300" the type.
  uint32_t ttl = context.default_ttl;
  absl::string_view token = tokens.Next();
  if (!token.empty() &&
      absl::ascii_isdigit(static_cast<unsigned char>(token.front()))) {
    if (!ParseDecimal(token, kMaxTtl, &ttl)) return false;
    token = tokens.Next();
  }
  if (absl::EqualsIgnoreCase(token, "IN")) token = tokens.Next();
  // The record's own type by its mnemonic only.
  if (absl::StartsWithIgnoreCase(token, "TYPE")) return false;
  const uint16_t type = TypeFromLineToken(token);
  if (type == 0) return false;

  Record& record = out->record;
  record.rdata.clear();
  if (!AppendRdata(type, context.origin, &tokens, &record.rdata)) {
    return false;
  }
  record.owner.assign(out->prev_owner);
  dnssec::LowercaseName(&record.owner);
  record.type = type;
  record.rrclass = kClassIn;
  record.ttl = ttl;
  out->consumed = line.end;
  return true;
}

}  // namespace signer
}  // namespace zonekeep
