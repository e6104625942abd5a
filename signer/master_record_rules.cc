#include "signer/master_record_rules.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dnssec/ldns_ptr.h"
#include "dnssec/name.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr uint16_t kTypeIpseckey = 45;
constexpr uint16_t kTypeSvcb = 64;
constexpr uint16_t kTypeHttps = 65;
constexpr uint16_t kTypeAmtrelay = 260;
constexpr uint16_t kTypeNull = 10;

absl::Status LineError(absl::string_view display_name, int line,
                       absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(display_name, ":", line, ": ", reason));
}

std::string Wire(const ldns_rdf* rdf) {
  return std::string(reinterpret_cast<const char*>(ldns_rdf_data(rdf)),
                     ldns_rdf_size(rdf));
}

// RDATA of `rr` in wire form.
bool RdataWire(const ldns_rr* rr, std::string* out) {
  dnssec::LdnsBufferPtr buffer(ldns_buffer_new(512));
  if (buffer == nullptr ||
      ldns_rr_rdata2buffer_wire(buffer.get(), rr) != LDNS_STATUS_OK) {
    return false;
  }
  out->assign(reinterpret_cast<const char*>(ldns_buffer_begin(buffer.get())),
              ldns_buffer_position(buffer.get()));
  return true;
}

// Base64 as the DNS presentation format writes it (RFC 4648 section 4, as
// BIND reads it): whole 4-character groups, '=' padding only at the end, the
// bits the padding leaves unused zero. Blanks between groups are allowed.
bool IsStrictBase64(absl::string_view text) {
  std::string digits;
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) digits += c;
  }
  if (digits.empty() || digits.size() % 4 != 0) return false;
  const size_t pad = digits.size() - digits.find_last_not_of('=') - 1;
  if (pad > 2) return false;
  int last = 0;
  for (size_t i = 0; i < digits.size() - pad; ++i) {
    const char c = digits[i];
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      last = c <= '9' ? c - '0' + 52 : c <= 'Z' ? c - 'A' : c - 'a' + 26;
    } else if (c == '+' || c == '/') {
      last = c == '+' ? 62 : 63;
    } else {
      return false;
    }
  }
  const int unused_bits_mask = pad == 2 ? 0x0f : pad == 1 ? 0x03 : 0;
  return (last & unused_bits_mask) == 0;
}

std::string TypeName(uint16_t type) {
  if (type == kTypeAmtrelay) return "AMTRELAY";
  dnssec::LdnsStringPtr name(ldns_rr_type2str(static_cast<ldns_rr_type>(type)));
  return name == nullptr ? absl::StrCat("TYPE", type) : std::string(name.get());
}

// Fields ldns 1.8.3 reads as one token each (a quoted string is one token).
bool IsOneTokenField(ldns_rdf_type field) {
  switch (field) {
    case LDNS_RDF_TYPE_DNAME:
    case LDNS_RDF_TYPE_A:
    case LDNS_RDF_TYPE_AAAA:
    case LDNS_RDF_TYPE_STR:
    case LDNS_RDF_TYPE_TYPE:
    case LDNS_RDF_TYPE_CLASS:
    case LDNS_RDF_TYPE_TIME:
    case LDNS_RDF_TYPE_PERIOD:
    case LDNS_RDF_TYPE_NSEC3_SALT:
    case LDNS_RDF_TYPE_NSEC3_NEXT_OWNER:
    case LDNS_RDF_TYPE_ILNP64:
    case LDNS_RDF_TYPE_EUI48:
    case LDNS_RDF_TYPE_EUI64:
    case LDNS_RDF_TYPE_TAG:
      return true;
    default:
      return false;
  }
}

// The largest value of a numeric field (0: not one), and the least.
uint32_t NumericFieldMax(ldns_rdf_type field, uint32_t* least) {
  *least = 0;
  switch (field) {
    case LDNS_RDF_TYPE_INT8:
    case LDNS_RDF_TYPE_ALG:
    case LDNS_RDF_TYPE_CERTIFICATE_USAGE:
    case LDNS_RDF_TYPE_SELECTOR:
    case LDNS_RDF_TYPE_MATCHING_TYPE:
      return 255;
    case LDNS_RDF_TYPE_INT16:
      return 65535;
    case LDNS_RDF_TYPE_CERT_ALG:
      *least = 1;  // ldns refuses 0, and leaks the field it made
      return 65535;
    case LDNS_RDF_TYPE_INT32:
      return 4294967295u;
    default:
      return 0;
  }
}

// Numeric RDATA fields, checked before ldns 1.8.3 reads them: it converts
// with strtol and no range check, so MX 65537 became MX 1 and MX -1 MX 65535
// (BIND refuses both). A field written as a number (it starts with a digit or
// a sign) must be decimal digits within the field's range; a mnemonic (an
// algorithm or CERT type name) is left to ldns. Checked up to the first field
// that may take several tokens. Returns why the RDATA is refused, or "".
std::string CheckNumericFields(uint16_t type,
                               const std::vector<absl::string_view>& rdata) {
  const ldns_rr_descriptor* d = ldns_rr_descript(type);
  if (d == nullptr || d->_type != type) return "";
  const size_t fields = std::min(rdata.size(), ldns_rr_descriptor_maximum(d));
  for (size_t i = 0; i < fields; ++i) {
    const ldns_rdf_type field = ldns_rr_descriptor_field_type(d, i);
    uint32_t least = 0;
    const uint32_t most = NumericFieldMax(field, &least);
    if (field == LDNS_RDF_TYPE_PERIOD) {
      // ldns wraps these too (SOA refresh 4294967296 was 0).
      uint32_t seconds = 0;
      if (!ParseTimeValue(rdata[i], &seconds)) {
        return absl::StrCat("field ", i + 1, " of ", TypeName(type), " ('",
                            rdata[i],
                            "') must be seconds from 0 to 4294967295 or "
                            "a duration like 1w2d3h4m5s");
      }
      continue;
    }
    if (field == LDNS_RDF_TYPE_HEX && i + 1 == ldns_rr_descriptor_maximum(d)) {
      // The last field, split or not: ldns pads an odd digit count with a
      // zero nibble (SSHFP 1 1 abc was abc0); BIND and Knot refuse it.
      size_t digits = 0;
      for (size_t j = i; j < rdata.size(); ++j) digits += rdata[j].size();
      if (digits % 2 != 0) {
        return absl::StrCat("hex data of ", TypeName(type),
                            " has an odd number of digits");
      }
      break;
    }
    if (most == 0) {
      if (IsOneTokenField(field)) continue;
      break;
    }
    const absl::string_view token = rdata[i];
    const char first = token.front();
    if (!absl::ascii_isdigit(first) && first != '-' && first != '+') continue;
    uint32_t value = 0;
    if (!std::all_of(token.begin(), token.end(), absl::ascii_isdigit) ||
        !absl::SimpleAtoi(token, &value) || value < least || value > most) {
      return absl::StrCat("field ", i + 1, " of ", TypeName(type), " ('", token,
                          "') must be a number from ", least, " to ", most);
    }
  }
  return "";
}

// IPSECKEY RDATA fields made safe for ldns 1.8.3: a relative gateway name
// gets the origin (ldns leaves it relative), and the public key, which may be
// split by blanks, becomes one field that must be valid base64. ldns would
// refuse a bad key only after it has allocated the gateway, and then leaks
// the gateway's data (ldns_str2rdf_ipseckey frees it with ldns_rdf_free);
// with more than five fields it leaks the copies of both. ldns also splits
// every field again at blanks, quotes or not, so `"a b"` would reach it as
// more fields than were read. Returns why the RDATA is refused, or "".
absl::string_view PrepareIpseckey(const ldns_rdf* origin,
                                  std::deque<std::string>* owned,
                                  std::vector<absl::string_view>* rdata) {
  // No IPSECKEY field holds a blank or a quote; ldns would split it again.
  for (absl::string_view field : *rdata) {
    if (field.find_first_of(" \t\"") != absl::string_view::npos) {
      return "IPSECKEY field holds a blank or a quote";
    }
  }
  if (rdata->size() < 4) return "";  // ldns refuses it without allocating
  if ((*rdata)[1] == "3") {
    (*rdata)[3] = owned->emplace_back(AbsoluteNameText((*rdata)[3], origin));
  }
  if (rdata->size() < 5) return "";
  const std::string key = absl::StrJoin(rdata->begin() + 4, rdata->end(), "");
  if (!IsStrictBase64(key)) return "IPSECKEY public key is not valid base64";
  rdata->resize(4);
  rdata->push_back(owned->emplace_back(key));
  return "";
}

std::string OriginText(const ldns_rdf* origin) {
  dnssec::LdnsStringPtr text(ldns_rdf2str(origin));
  return text == nullptr ? std::string(".") : std::string(text.get());
}

// Wire form of a name field, made absolute against `origin`.
bool NameWire(absl::string_view name, const ldns_rdf* origin,
              std::string* wire) {
  dnssec::LdnsRdfPtr rdf(
      ldns_dname_new_frm_str(AbsoluteNameText(name, origin).c_str()));
  if (rdf == nullptr || ldns_rdf_size(rdf.get()) > 255) return false;
  *wire = Wire(rdf.get());
  return true;
}

// Decodes RFC 1035 character-string escapes ("\X", "\DDD").
bool UnescapeText(absl::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out->push_back(in[i]);
      continue;
    }
    if (++i == in.size()) return false;
    if (i + 2 < in.size() && absl::ascii_isdigit(in[i]) &&
        absl::ascii_isdigit(in[i + 1]) && absl::ascii_isdigit(in[i + 2])) {
      const int value =
          (in[i] - '0') * 100 + (in[i + 1] - '0') * 10 + (in[i + 2] - '0');
      if (value > 255) return false;
      out->push_back(static_cast<char>(value));
      i += 2;
    } else {
      out->push_back(in[i]);
    }
  }
  return true;
}

std::string Hex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out.push_back(kDigits[(static_cast<unsigned char>(c) >> 4) & 0xf]);
    out.push_back(kDigits[static_cast<unsigned char>(c) & 0xf]);
  }
  return out;
}

// RFC 9460 alpn value as BIND and Knot read it: character-string escapes
// first, then a comma list in which "\," and "\\" are literal. Rewritten in
// ldns 1.8's one-level form, where "\," is a literal comma.
bool RewriteAlpn(absl::string_view field, std::string* out) {
  absl::string_view value = field.substr(5);  // after "alpn="
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  std::string text;
  if (!UnescapeText(value, &text)) return false;
  std::vector<std::string> ids(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      ids.back().push_back(text[++i]);
    } else if (text[i] == ',') {
      ids.emplace_back();
    } else {
      ids.back().push_back(text[i]);
    }
  }
  *out = "alpn=";
  for (size_t k = 0; k < ids.size(); ++k) {
    if (ids[k].empty() || ids[k].size() > 255) return false;
    if (k > 0) out->push_back(',');
    for (const char c : ids[k]) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (c == ',' || c == '\\') {
        absl::StrAppend(out, "\\", std::string(1, c));
      } else if (u > 0x20 && u < 0x7f && c != '"' && c != ';' && c != '(' &&
                 c != ')') {
        out->push_back(c);
      } else {
        absl::StrAppend(out, "\\", u / 100, (u / 10) % 10, u % 10);
      }
    }
  }
  return true;
}

// RFC 8777 AMTRELAY presentation form to "\# len hex" fields.
bool EncodeAmtrelay(const std::vector<absl::string_view>& rdata,
                    const ldns_rdf* origin, std::deque<std::string>* owned,
                    std::vector<absl::string_view>* out) {
  uint32_t precedence = 0;
  uint32_t discovery = 0;
  uint32_t relay_type = 0;
  if (rdata.size() < 3 || !absl::SimpleAtoi(rdata[0], &precedence) ||
      precedence > 255 || !absl::SimpleAtoi(rdata[1], &discovery) ||
      discovery > 1 || !absl::SimpleAtoi(rdata[2], &relay_type) ||
      relay_type > 3) {
    return false;
  }
  std::string wire;
  wire.push_back(static_cast<char>(precedence));
  wire.push_back(static_cast<char>((discovery << 7) | relay_type));
  if (relay_type == 0) {
    if (rdata.size() > 4 || (rdata.size() == 4 && rdata[3] != ".")) {
      return false;
    }
  } else {
    if (rdata.size() != 4) return false;
    const std::string relay(rdata[3]);
    if (relay_type == 1 || relay_type == 2) {
      unsigned char address[16];
      if (inet_pton(relay_type == 1 ? AF_INET : AF_INET6, relay.c_str(),
                    address) != 1) {
        return false;
      }
      wire.append(reinterpret_cast<const char*>(address),
                  relay_type == 1 ? 4 : 16);
    } else {
      std::string name;
      if (!NameWire(relay, origin, &name)) return false;
      wire += name;
    }
  }
  out->clear();
  out->push_back("\\#");
  out->push_back(owned->emplace_back(absl::StrCat(wire.size())));
  out->push_back(owned->emplace_back(Hex(wire)));
  return true;
}

// The bytes of "\# len hex..." fields, or false when malformed.
bool GenericBytes(const std::vector<absl::string_view>& rdata,
                  std::string* bytes) {
  uint32_t length = 0;
  if (rdata.size() < 2 || !absl::SimpleAtoi(rdata[1], &length)) return false;
  std::string hex;
  for (size_t i = 2; i < rdata.size(); ++i) absl::StrAppend(&hex, rdata[i]);
  if (hex.size() != 2 * size_t{length}) return false;
  bytes->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int value = 0;
    for (size_t k = i; k < i + 2; ++k) {
      const char c = absl::ascii_tolower(hex[k]);
      if (!absl::ascii_isxdigit(c)) return false;
      value = value * 16 + (absl::ascii_isdigit(c) ? c - '0' : c - 'a' + 10);
    }
    bytes->push_back(static_cast<char>(value));
  }
  return true;
}

// True when ldns knows the RDATA layout of `type` (not only its number).
bool LdnsKnowsLayout(uint16_t type) {
  if (type == kTypeNull) return false;
  const ldns_rr_descriptor* d = ldns_rr_descript(type);
  if (d == nullptr || d->_type != type || d->_name == nullptr) return false;
  for (size_t i = 0; i < ldns_rr_descriptor_maximum(d); ++i) {
    if (ldns_rr_descriptor_field_type(d, i) == LDNS_RDF_TYPE_UNKNOWN) {
      return false;
    }
    if (ldns_rr_descriptor_maximum(d) > 64) break;  // variable-length lists
  }
  return true;
}

// Types whose RDATA ldns 1.8.3 prints in a form that does not read back
// (SVCB/HTTPS values with ';' unquoted, CAA with an empty value as nothing):
// for these, "\#" input is checked by decoding alone.
bool LdnsTextRoundTrips(uint16_t type) {
  return type != LDNS_RR_TYPE_SVCB && type != LDNS_RR_TYPE_HTTPS &&
         type != LDNS_RR_TYPE_CAA;
}

// SVCB/HTTPS RDATA (RFC 9460 2.2): priority, an uncompressed target name,
// then SvcParams with strictly increasing keys (65535 reserved), each length
// inside the RDATA. ldns decodes the params as one blob, so this is checked
// here.
bool WellFormedSvcb(absl::string_view rd) {
  size_t pos = 2;
  absl::string_view target;
  if (rd.size() < 3 || !dnssec::TakeWireName(rd, &pos, &target)) return false;
  int previous_key = -1;
  while (pos < rd.size()) {
    if (rd.size() - pos < 4) return false;
    const int key =
        static_cast<uint8_t>(rd[pos]) << 8 | static_cast<uint8_t>(rd[pos + 1]);
    const size_t len = static_cast<uint8_t>(rd[pos + 2]) << 8 |
                       static_cast<uint8_t>(rd[pos + 3]);
    if (key <= previous_key || key == 65535 || rd.size() - pos - 4 < len) {
      return false;
    }
    previous_key = key;
    pos += 4 + len;
  }
  return true;
}

// RDATA given as "\#" for a type ldns knows: must be exactly what ldns
// decoded, and (where ldns's text round-trips) print and read back to the
// same canonical bytes, which refuses encodings BIND refuses as FORMERR
// (APL with trailing zero octets).
// `type` is the record's type as read (ldns's own field of `rr` may hold a
// value outside its enum for some generic input, which is undefined to load).
bool CanonicalGenericRdata(const ldns_rr* rr, uint16_t type,
                           absl::string_view given, std::string* canonical) {
  std::string decoded;
  if (!RdataWire(rr, &decoded) || decoded != given) return false;
  dnssec::LdnsRrPtr copy(ldns_rr_clone(rr));
  if (copy == nullptr) return false;
  ldns_rr2canonical(copy.get());
  if (!RdataWire(copy.get(), canonical)) return false;
  if (type == LDNS_RR_TYPE_SVCB || type == LDNS_RR_TYPE_HTTPS) {
    return WellFormedSvcb(given);
  }
  if (!LdnsTextRoundTrips(type)) return true;
  // Printed with the root as owner: only the RDATA is compared, and a long
  // owner's text (set after ldns read the line) would not read back.
  ldns_rdf* root = ldns_dname_new_frm_str(".");
  if (root == nullptr) return false;
  ldns_rdf_deep_free(ldns_rr_owner(copy.get()));
  ldns_rr_set_owner(copy.get(), root);
  dnssec::LdnsStringPtr printed(ldns_rr2str(copy.get()));
  if (printed == nullptr) return false;
  // Without ldns's line end: it reads that as one more field of a type with
  // an optional last field (ISDN with a subaddress was "superfluous text").
  std::string text(printed.get());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  ldns_rr* raw = nullptr;
  if (ldns_rr_new_frm_str(&raw, text.c_str(), ldns_rr_ttl(rr), nullptr,
                          nullptr) != LDNS_STATUS_OK) {
    return false;
  }
  dnssec::LdnsRrPtr again(raw);
  ldns_rr2canonical(again.get());
  std::string reread;
  return RdataWire(again.get(), &reread) && reread == *canonical;
}

// ldns 1.8.3 reads a name only from text shorter than 255 characters, though
// "\DDD" escapes make the text of a valid name (at most 255 octets) up to
// four times longer, and our writer prints such names (rdata_text). A long
// unquoted field gets each escape of a byte that ldns takes as it is (not a
// blank, control, special or NUL byte) written as that byte: ldns reads the
// same name from the shorter text (a long owner goes to dnssec::ParseName
// instead). Found by fuzz_zone_ingest.
bool IsPlainNameByte(int value) {
  if (value < 0x21 || value == 0x7f) return false;
  return absl::string_view(".\\\"();@$").find(static_cast<char>(value)) ==
         absl::string_view::npos;
}

std::string CompactEscapes(absl::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out.push_back(field[i]);
      continue;
    }
    if (i + 3 < field.size() && absl::ascii_isdigit(field[i + 1]) &&
        absl::ascii_isdigit(field[i + 2]) &&
        absl::ascii_isdigit(field[i + 3])) {
      const int value = (field[i + 1] - '0') * 100 + (field[i + 2] - '0') * 10 +
                        (field[i + 3] - '0');
      if (value <= 255 && IsPlainNameByte(value)) {
        out.push_back(static_cast<char>(value));
      } else {
        out.append(field.data() + i, 4);
      }
      i += 3;
      continue;
    }
    out.append(field.data() + i, 2);  // "\X": X stays escaped
    ++i;
  }
  return out;
}

bool IsMetaType(uint16_t type) {
  return type == 0 || type == 41 || (type >= 128 && type <= 255);
}

}  // namespace

// A name field ends in an unescaped '.'.
bool IsAbsoluteName(absl::string_view name) {
  if (name.empty() || name.back() != '.') return false;
  size_t backslashes = 0;
  for (size_t i = name.size() - 1; i > 0 && name[i - 1] == '\\'; --i) {
    ++backslashes;
  }
  return backslashes % 2 == 0;
}

// `name` made absolute against `origin` ("@" is the origin), as text.
std::string AbsoluteNameText(absl::string_view name, const ldns_rdf* origin) {
  if (IsAbsoluteName(name) || origin == nullptr) return std::string(name);
  const std::string origin_text = OriginText(origin);
  if (name == "@") return origin_text;
  if (origin_text == ".") return absl::StrCat(name, ".");
  return absl::StrCat(name, ".", origin_text);
}

bool ParseTimeValue(absl::string_view text, uint32_t* seconds) {
  if (text.empty()) return false;
  uint64_t total = 0;
  uint64_t number = 0;
  bool digits = false;
  bool units = false;
  for (const char c : text) {
    if (absl::ascii_isdigit(c)) {
      number = number * 10 + static_cast<uint64_t>(c - '0');
      if (number > 0xffffffffu) return false;
      digits = true;
      continue;
    }
    uint64_t scale = 0;
    switch (absl::ascii_tolower(c)) {
      case 's':
        scale = 1;
        break;
      case 'm':
        scale = 60;
        break;
      case 'h':
        scale = 3600;
        break;
      case 'd':
        scale = 86400;
        break;
      case 'w':
        scale = 604800;
        break;
      default:
        return false;
    }
    if (!digits) return false;
    total += number * scale;
    if (total > 0xffffffffu) return false;
    number = 0;
    digits = false;
    units = true;
  }
  if (digits) {
    total += number;
  } else if (!units) {
    return false;
  }
  if (total > 0xffffffffu) return false;
  *seconds = static_cast<uint32_t>(total);
  return true;
}

absl::Status ReadRecordData(const RecordText& text,
                            absl::string_view display_name,
                            const ldns_rdf* origin, ldns_rdf** prev,
                            Record* record) {
  const int line = text.line;
  const absl::string_view type_field = text.type;
  uint16_t type = 0;
  if (absl::EqualsIgnoreCase(type_field, "AMTRELAY")) {
    type = kTypeAmtrelay;
  } else if (absl::StartsWithIgnoreCase(type_field, "TYPE") &&
             type_field.size() > 4) {
    // RFC 3597 TYPEnnn, strictly: ldns reads the number with atoi, so
    // TYPE-65534 or TYPE65538 would become NS (2).
    const absl::string_view digits = type_field.substr(4);
    uint32_t value = 0;
    if (std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) &&
        absl::SimpleAtoi(digits, &value) && value <= 65535) {
      type = static_cast<uint16_t>(value);
    }
  } else {
    type = static_cast<uint16_t>(
        ldns_get_rr_type_by_name(std::string(type_field).c_str()));
  }
  if (type == 0) {
    return LineError(display_name, line,
                     absl::StrCat("unknown RR type '", type_field, "'"));
  }
  if (IsMetaType(type)) {
    return LineError(
        display_name, line,
        absl::StrCat("meta type ", TypeName(type), " cannot appear in a zone"));
  }
  std::vector<absl::string_view> rdata = text.rdata;
  std::deque<std::string> owned;
  const bool generic = !rdata.empty() && rdata[0] == "\\#";
  if (type == kTypeAmtrelay && !generic &&
      !EncodeAmtrelay(rdata, origin, &owned, &rdata)) {
    return LineError(display_name, line, "invalid AMTRELAY RDATA");
  }
  if (!generic) {
    const std::string refused = CheckNumericFields(type, rdata);
    if (!refused.empty()) return LineError(display_name, line, refused);
  }
  if (type == kTypeIpseckey && !generic) {
    const absl::string_view refused = PrepareIpseckey(origin, &owned, &rdata);
    if (!refused.empty()) return LineError(display_name, line, refused);
  }
  if ((type == kTypeSvcb || type == kTypeHttps) && !generic) {
    for (absl::string_view& field : rdata) {
      if (!absl::StartsWith(field, "alpn=")) continue;
      std::string rewritten;
      if (!RewriteAlpn(field, &rewritten)) {
        return LineError(display_name, line,
                         absl::StrCat("invalid alpn value '", field, "'"));
      }
      field = owned.emplace_back(std::move(rewritten));
    }
  }
  // ldns 1.8.3 fails already on 255 characters; leave room.
  constexpr size_t kLdnsMaxNameText = 200;
  for (absl::string_view& field : rdata) {
    if (field.size() > kLdnsMaxNameText && field.front() != '"') {
      field = owned.emplace_back(CompactEscapes(field));
    }
  }
  // A long owner is read by our own name parser and set after ldns has read
  // the rest with the origin ("@", or the root) in its place.
  std::string long_owner;
  if (text.owner.size() > kLdnsMaxNameText) {
    absl::StatusOr<std::string> wire = dnssec::ParseName(
        text.owner, origin == nullptr ? std::string() : Wire(origin));
    if (!wire.ok()) {
      return LineError(display_name, line, wire.status().message());
    }
    long_owner = *std::move(wire);
  }
  std::string line_text;
  if (text.owner.empty()) {
    line_text = " ";
  } else if (!long_owner.empty()) {
    line_text = origin == nullptr ? "." : "@";
  } else {
    line_text = std::string(text.owner);
  }
  absl::StrAppend(&line_text, " ", text.ttl, " IN ",
                  type == kTypeAmtrelay ? "TYPE260" : type_field, " ",
                  absl::StrJoin(rdata, " "));
  ldns_rr* raw = nullptr;
  const ldns_status s =
      ldns_rr_new_frm_str(&raw, line_text.c_str(), text.ttl, origin, prev);
  dnssec::LdnsRrPtr rr(raw);
  if (s != LDNS_STATUS_OK) {
    return LineError(display_name, line, ldns_get_errorstr_by_id(s));
  }
  if (!long_owner.empty()) {
    ldns_rdf* owner = ldns_rdf_new_frm_data(
        LDNS_RDF_TYPE_DNAME, long_owner.size(), long_owner.data());
    if (owner == nullptr) return LineError(display_name, line, "out of memory");
    ldns_rdf_deep_free(ldns_rr_owner(rr.get()));
    ldns_rr_set_owner(rr.get(), owner);
    if (prev != nullptr) {
      ldns_rdf_deep_free(*prev);
      *prev = ldns_rdf_clone(owner);
    }
  }
  if (ldns_rdf_size(ldns_rr_owner(rr.get())) > 255) {
    return LineError(display_name, line, "owner name longer than 255 octets");
  }
  ldns_rr_set_ttl(rr.get(), text.ttl);
  if (generic && LdnsKnowsLayout(type)) {
    std::string given;
    if (!GenericBytes(rdata, &given) ||
        !CanonicalGenericRdata(rr.get(), type, given, &record->rdata)) {
      return LineError(display_name, line,
                       absl::StrCat("RDATA in \\# form is not valid ",
                                    TypeName(type), " data"));
    }
    ldns_rr2canonical(rr.get());
  } else {
    ldns_rr2canonical(rr.get());
    if (!RdataWire(rr.get(), &record->rdata)) {
      return LineError(display_name, line, "cannot encode RDATA");
    }
    // ldns encodes a repeated SvcParam key (alpn=h2 ... alpn=h3) twice;
    // RFC 9460 2.2 forbids it, and BIND refuses it.
    if ((type == kTypeSvcb || type == kTypeHttps) &&
        !WellFormedSvcb(record->rdata)) {
      return LineError(display_name, line,
                       absl::StrCat(TypeName(type),
                                    " repeats a SvcParam key or has one out "
                                    "of order"));
    }
  }
  record->owner = Wire(ldns_rr_owner(rr.get()));
  record->type = type;
  record->rrclass = kClassIn;
  record->ttl = text.ttl;
  record->line = line;
  return absl::OkStatus();
}

absl::Status CheckRecordRules(const Record& record,
                              absl::string_view display_name) {
  if (record.type == kTypeNs && record.owner.size() > 2 &&
      record.owner[0] == 1 && record.owner[1] == '*') {
    return LineError(display_name, record.line,
                     absl::StrCat("NS at the wildcard owner ",
                                  dnssec::NameToText(record.owner),
                                  " is not allowed (RFC 4592 section 4.2)"));
  }
  return absl::OkStatus();
}

absl::Status CheckRrsetSizes(const std::vector<Record>& records,
                             absl::string_view display_name) {
  // Header, then the first owner in full and compression pointers after it,
  // type, class, TTL and RDATA length.
  constexpr size_t kHeader = 12;
  constexpr size_t kPerRecord = 2 + 10;
  constexpr size_t kMaxMessage = 65535;
  size_t total = kHeader;
  for (const Record& r : records) {
    total += r.owner.size() + 10 + r.rdata.size();
  }
  if (total <= kMaxMessage) return absl::OkStatus();
  // Sums per hash bucket first: a bucket holds at least the bytes of every
  // RRset in it, so when none is too big no RRset is (the usual case; exact
  // per-RRset sums cost three times as much).
  // About 16 records a bucket, hashed on the owner's first 8 octets, its
  // length and the type (owners mostly differ at the front).
  size_t buckets = 64;
  while (buckets * 16 < records.size()) buckets <<= 1;
  std::vector<uint32_t> bucket_bytes(buckets);
  bool maybe_too_big = false;
  for (const Record& r : records) {
    uint64_t front = 0;
    std::memcpy(&front, r.owner.data(), std::min<size_t>(8, r.owner.size()));
    const uint64_t hash = (front ^ (uint64_t{r.type} << 48) ^ r.owner.size()) *
                          0x9e3779b97f4a7c15u;
    uint32_t& sum = bucket_bytes[(hash >> 32) & (buckets - 1)];
    sum += static_cast<uint32_t>(r.owner.size() + kPerRecord + r.rdata.size());
    if (sum > kMaxMessage - kHeader) maybe_too_big = true;
  }
  if (!maybe_too_big) return absl::OkStatus();
  struct Key {
    absl::string_view owner;
    uint16_t type;
    bool operator==(const Key& o) const {
      return type == o.type && owner == o.owner;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string_view>()(
                 std::string_view(k.owner.data(), k.owner.size())) ^
             k.type;
    }
  };
  std::unordered_map<Key, std::pair<size_t, int>, KeyHash> sizes;
  sizes.reserve(records.size());
  for (const Record& r : records) {
    auto it = sizes
                  .try_emplace(Key{r.owner, r.type},
                               kHeader + r.owner.size() - 2, r.line)
                  .first;
    it->second.first += kPerRecord + r.rdata.size();
    if (it->second.first > kMaxMessage) {
      return LineError(
          display_name, it->second.second,
          absl::StrCat("the ", dnssec::NameToText(r.owner), " ",
                       TypeName(r.type),
                       " RRset does not fit a DNS message (65535 octets)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace signer
}  // namespace zonekeep
