#include "signer/simple_record_line.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "dnssec/name.h"

namespace zonekeep {
namespace signer {
namespace {

// Longer lines go to ldns, whose token buffers have limits of their own.
constexpr size_t kMaxLineBytes = 1024;
constexpr size_t kMaxNameOctets = 255;
constexpr size_t kMaxLabelOctets = 63;
constexpr uint32_t kMaxTtl = 0x7fffffff;

// Character classes, one bit each, looked up per byte.
enum CharClass : uint8_t {
  // ldns's line reader turns '\r' into a blank; its token reader splits at
  // blanks and tabs.
  kBlank = 1,
  // What ldns_fskipcs_l skips after a record (LDNS_PARSE_SKIP_SPACE).
  kLineBreak = 2,
  // What a handled line may hold before its comment: blanks and printable
  // ASCII without the characters ldns's readers give a meaning to.
  kPlain = 4,
  // What a handled name's labels are made of.
  kLabel = 8,
};

constexpr std::array<uint8_t, 256> MakeCharClasses() {
  std::array<uint8_t, 256> classes{};
  for (int c = 0x21; c < 0x7f; ++c) classes[c] = kPlain;
  for (const char c : {'(', ')', '"', '\\', ';'}) classes[c] = 0;
  for (const char c : {' ', '\t', '\r'}) classes[c] |= kBlank | kPlain;
  for (const char c : {'\f', '\n', '\r', '\v'}) classes[c] |= kLineBreak;
  for (int c = '0'; c <= '9'; ++c) classes[c] |= kLabel;
  for (int c = 'a'; c <= 'z'; ++c) classes[c] |= kLabel;
  for (int c = 'A'; c <= 'Z'; ++c) classes[c] |= kLabel;
  for (const char c : {'_', '*', '-'}) classes[c] |= kLabel;
  return classes;
}

constexpr std::array<uint8_t, 256> kCharClasses = MakeCharClasses();

bool Is(CharClass char_class, char c) {
  return (kCharClasses[static_cast<unsigned char>(c)] & char_class) != 0;
}

bool IsBlank(char c) { return Is(kBlank, c); }

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
         Is(kPlain, text[pos])) {
    ++pos;
  }
  if (pos == begin || pos - begin > kMaxLineBytes || pos == text.size()) {
    return false;
  }
  record->content = text.substr(begin, pos - begin);
  if (text[pos] == ';') pos = text.find('\n', pos);
  if (pos == absl::string_view::npos || text[pos] != '\n') return false;
  ++pos;
  while (pos < text.size() && Is(kLineBreak, text[pos])) ++pos;
  record->end = pos;
  return true;
}

// Splits a record line at runs of blanks, as ldns_bget_token does with its
// " \t\n" delimiters.
class Tokens {
 public:
  explicit Tokens(absl::string_view line) : rest_(line) {}

  // The next token; empty at the end of the line.
  absl::string_view Next() {
    SkipBlanks();
    size_t n = 0;
    while (n < rest_.size() && !IsBlank(rest_[n])) ++n;
    const absl::string_view token = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return token;
  }

  bool AtEnd() {
    SkipBlanks();
    return rest_.empty();
  }

 private:
  void SkipBlanks() {
    while (!rest_.empty() && IsBlank(rest_.front())) rest_.remove_prefix(1);
  }

  absl::string_view rest_;
};

// Decimal digits only: no sign, no unit, no more than `max`.
bool ParseDecimal(absl::string_view token, uint32_t max, uint32_t* value) {
  if (token.empty() || token.size() > 10) return false;
  uint64_t v = 0;
  for (const char c : token) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return false;
  *value = static_cast<uint32_t>(v);
  return true;
}

// Appends the wire name of `token` to `*out` as ldns builds it: "@" is the
// origin, a relative name gets the origin appended (ldns_dname_cat).
bool AppendName(absl::string_view token, absl::string_view origin,
                std::string* out) {
  if (token.empty()) return false;
  if (token == "@") {
    out->append(origin.data(), origin.size());
    return true;
  }
  const size_t start = out->size();
  size_t pos = 0;
  while (true) {
    size_t end = pos;
    while (end < token.size() && Is(kLabel, token[end])) ++end;
    const size_t length = end - pos;
    if (end == token.size() && length == 0) {
      out->push_back(0);  // "name.": absolute
      return out->size() - start <= kMaxNameOctets;
    }
    if (length == 0 || length > kMaxLabelOctets) return false;
    if (end < token.size() && token[end] != '.') return false;
    out->push_back(static_cast<char>(length));
    out->append(token.data() + pos, length);
    if (out->size() - start > kMaxNameOctets) return false;
    if (end == token.size()) {
      out->append(origin.data(), origin.size());  // "name": relative
      return out->size() - start <= kMaxNameOctets;
    }
    pos = end + 1;
  }
}

// A name in RDATA, lower-cased as ldns_rr2canonical does for these types.
bool AppendCanonicalName(absl::string_view token, absl::string_view origin,
                         std::string* out) {
  const size_t start = out->size();
  if (!AppendName(token, origin, out)) return false;
  for (size_t i = start; i < out->size(); ++i) {
    (*out)[i] = absl::ascii_tolower(static_cast<unsigned char>((*out)[i]));
  }
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

bool AppendUint16(absl::string_view token, std::string* out) {
  uint32_t value = 0;
  if (!ParseDecimal(token, 0xffff, &value)) return false;
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value & 0xff));
  return true;
}

bool AppendUint8(absl::string_view token, std::string* out) {
  uint32_t value = 0;
  if (!ParseDecimal(token, 0xff, &value)) return false;
  out->push_back(static_cast<char>(value));
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The rest of the line as hex digits, blanks ignored (ldns reads the last
// HEX field to the end of the line). An odd count is declined.
bool AppendHexToEnd(Tokens* tokens, std::string* out) {
  size_t digits = 0;
  int high = 0;
  for (absl::string_view token = tokens->Next(); !token.empty();
       token = tokens->Next()) {
    for (const char c : token) {
      const int value = HexValue(c);
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

uint16_t SimpleTypeByName(absl::string_view name) {
  static constexpr struct {
    absl::string_view name;
    uint16_t type;
  } kTypes[] = {{"A", kTypeA},       {"NS", kTypeNs}, {"DS", kTypeDs},
                {"AAAA", kTypeAaaa}, {"MX", kTypeMx}, {"CNAME", kTypeCname},
                {"PTR", kTypePtr}};
  for (const auto& entry : kTypes) {
    if (absl::EqualsIgnoreCase(name, entry.name)) return entry.type;
  }
  return 0;
}

bool AppendRdata(uint16_t type, absl::string_view origin, Tokens* tokens,
                 std::string* rdata) {
  switch (type) {
    case kTypeA:
      return AppendAddress(AF_INET, tokens->Next(), rdata) && tokens->AtEnd();
    case kTypeAaaa:
      return AppendAddress(AF_INET6, tokens->Next(), rdata) && tokens->AtEnd();
    case kTypeNs:
    case kTypeCname:
    case kTypePtr:
      return AppendCanonicalName(tokens->Next(), origin, rdata) &&
             tokens->AtEnd();
    case kTypeMx:
      return AppendUint16(tokens->Next(), rdata) &&
             AppendCanonicalName(tokens->Next(), origin, rdata) &&
             tokens->AtEnd();
    case kTypeDs:
      return AppendUint16(tokens->Next(), rdata) &&  // key tag
             AppendUint8(tokens->Next(), rdata) &&   // algorithm
             AppendUint8(tokens->Next(), rdata) &&   // digest type
             AppendHexToEnd(tokens, rdata);
    default:
      return false;
  }
}

}  // namespace

bool ParseSimpleRecordLine(absl::string_view text, const LineContext& context,
                           SimpleRecordLine* out) {
  if (context.origin.empty()) return false;
  RecordText line;
  if (!FindRecordText(text, &line)) return false;
  Tokens tokens(line.content);

  // Owner: a line starting with a blank keeps the previous one. Directives
  // ("$TTL", "$ORIGIN", ...) stop here: '$' is no label character.
  out->prev_owner.clear();
  if (IsBlank(line.content.front())) {
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
  const uint16_t type = SimpleTypeByName(token);
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
