#include "signer/dnssec_record_line.h"

#include <ldns/ldns.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "dnssec/base64.h"
#include "signer/nsec3_hash.h"
#include "signer/record.h"
#include "signer/type_bitmap.h"

namespace zonekeep {
namespace signer {
namespace {

// Longer tokens are no mnemonic ldns knows.
constexpr size_t kMaxMnemonic = 16;
// ldns refuses a longer NSEC3 salt (and a 256-octet one wraps its length).
constexpr size_t kMaxSaltHexDigits = 2 * 255;
constexpr size_t kMaxHashOctets = 255;

// ldns's type mnemonics, upper-cased, sorted, each with the type
// ldns_get_rr_type_by_name gives for it: taken from ldns itself, once, so the
// fast path knows exactly the names ldns knows.
class MnemonicTable {
 public:
  MnemonicTable() {
    for (uint32_t type = 0; type <= 0xffff; ++type) {
      const ldns_rr_descriptor* d =
          ldns_rr_descript(static_cast<uint16_t>(type));
      if (d == nullptr || d->_name == nullptr ||
          static_cast<uint32_t>(d->_type) != type) {
        continue;
      }
      const std::string name = absl::AsciiStrToUpper(d->_name);
      if (name.empty() || name.size() > kMaxMnemonic ||
          absl::StartsWith(name, "TYPE")) {
        continue;
      }
      entries_.emplace_back(
          name, static_cast<uint16_t>(ldns_get_rr_type_by_name(d->_name)));
    }
    std::sort(entries_.begin(), entries_.end());
    entries_.erase(std::unique(entries_.begin(), entries_.end(),
                               [](const auto& a, const auto& b) {
                                 return a.first == b.first;
                               }),
                   entries_.end());
  }

  // 0 when ldns knows no such mnemonic. REQUIRES: `upper` is upper case.
  uint16_t Find(absl::string_view upper) const {
    const auto it = std::lower_bound(
        entries_.begin(), entries_.end(), upper,
        [](const std::pair<std::string, uint16_t>& entry,
           absl::string_view key) { return entry.first < key; });
    if (it == entries_.end() || it->first != upper) return 0;
    return it->second;
  }

 private:
  std::vector<std::pair<std::string, uint16_t>> entries_;
};

const MnemonicTable& Mnemonics() {
  static const MnemonicTable* const table = new MnemonicTable();
  return *table;
}

// One or more types to the end of the line, as an NSEC/NSEC3 bitmap.
bool AppendTypeList(LineTokens* tokens, bool allow_empty, std::string* out) {
  std::vector<uint16_t> types;
  for (absl::string_view token = tokens->Next(); !token.empty();
       token = tokens->Next()) {
    const uint16_t type = TypeFromLineToken(token);
    if (type == 0) return false;
    types.push_back(type);
  }
  if (types.empty()) return allow_empty;
  AppendTypeBitmap(std::move(types), out);
  return true;
}

bool IsLeapYear(uint32_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

uint32_t DaysInMonth(uint32_t year, uint32_t month) {
  static constexpr uint8_t kDays[12] = {31, 28, 31, 30, 31, 30,
                                        31, 31, 30, 31, 30, 31};
  return kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
}

// Leap years in [1, year].
uint64_t LeapYearsThrough(uint64_t year) {
  return year / 4 - year / 100 + year / 400;
}

// YYYYMMDDHHmmSS (UTC) as seconds since 1970, as ldns_str2rdf_time reads a
// 14-digit time; declines dates that do not exist and times past 2^32-1.
bool AppendDnssecTime(absl::string_view token, std::string* out) {
  if (token.size() != 14) return false;
  uint32_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ParseDecimal(token.substr(0, 4), 9999, &year) ||
      !ParseDecimal(token.substr(4, 2), 12, &month) ||
      !ParseDecimal(token.substr(6, 2), 31, &day) ||
      !ParseDecimal(token.substr(8, 2), 23, &hour) ||
      !ParseDecimal(token.substr(10, 2), 59, &minute) ||
      !ParseDecimal(token.substr(12, 2), 59, &second)) {
    return false;
  }
  if (year < 1970 || month < 1 || day < 1 || day > DaysInMonth(year, month)) {
    return false;
  }
  uint64_t days = 365 * uint64_t{year - 1970} + LeapYearsThrough(year - 1) -
                  LeapYearsThrough(1969);
  for (uint32_t m = 1; m < month; ++m) days += DaysInMonth(year, m);
  days += day - 1;
  const uint64_t seconds = ((days * 24 + hour) * 60 + minute) * 60 + second;
  if (seconds > 0xffffffffu) return false;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((seconds >> shift) & 0xff));
  }
  return true;
}

// The rest of the line as strict base64, blanks between tokens ignored (ldns
// reads the last B64 field to the end of the line and skips blanks).
bool AppendBase64ToEnd(LineTokens* tokens, std::string* out) {
  uint32_t bits = 0;   // the current group's 6-bit values
  int chars = 0;       // characters of the current group read
  int pad = 0;         // '=' read in the current group
  bool ended = false;  // a padded group ended the data
  bool any = false;
  for (absl::string_view token = tokens->Next(); !token.empty();
       token = tokens->Next()) {
    for (const char c : token) {
      if (ended) return false;
      any = true;
      if (c == '=') {
        if (chars < 2) return false;
        ++pad;
      } else {
        const int value = dnssec::Base64DigitValue(c);
        if (value < 0 || pad > 0) return false;
        bits = bits << 6 | static_cast<uint32_t>(value);
      }
      if (++chars < 4) continue;
      if (pad == 0) {
        out->push_back(static_cast<char>(bits >> 16));
        out->push_back(static_cast<char>((bits >> 8) & 0xff));
        out->push_back(static_cast<char>(bits & 0xff));
      } else if (pad == 2) {  // 12 bits: one octet, 4 zero bits
        if ((bits & 0x0f) != 0) return false;
        out->push_back(static_cast<char>(bits >> 4));
        ended = true;
      } else {  // 18 bits: two octets, 2 zero bits
        if ((bits & 0x03) != 0) return false;
        out->push_back(static_cast<char>(bits >> 10));
        out->push_back(static_cast<char>((bits >> 2) & 0xff));
        ended = true;
      }
      bits = 0;
      chars = 0;
    }
  }
  return any && chars == 0;
}

// "-" (no salt) or an even number of hex digits, with its length octet.
bool AppendSalt(absl::string_view token, std::string* out) {
  if (token == "-") {
    out->push_back(0);
    return true;
  }
  if (token.empty() || token.size() % 2 != 0 ||
      token.size() > kMaxSaltHexDigits) {
    return false;
  }
  out->push_back(static_cast<char>(token.size() / 2));
  for (size_t i = 0; i < token.size(); i += 2) {
    const int high = HexDigitValue(token[i]);
    const int low = HexDigitValue(token[i + 1]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
  }
  return true;
}

// Base32hex in whole groups of 8 digits, with its length octet.
bool AppendHashedOwner(absl::string_view token, std::string* out) {
  if (token.empty() || token.size() % 8 != 0 ||
      token.size() / 8 * 5 > kMaxHashOctets) {
    return false;
  }
  std::string hash;
  if (!Base32HexDecode(token, &hash)) return false;
  out->push_back(static_cast<char>(hash.size()));
  out->append(hash);
  return true;
}

// Hash algorithm, flags, iterations and salt of NSEC3 and NSEC3PARAM.
bool AppendNsec3Parameters(LineTokens* tokens, std::string* out) {
  return AppendDecimal8(tokens->Next(), out) &&
         AppendDecimal8(tokens->Next(), out) &&
         AppendDecimal16(tokens->Next(), out) &&
         AppendSalt(tokens->Next(), out);
}

}  // namespace

uint16_t TypeFromLineToken(absl::string_view token) {
  if (token.size() > 4 && absl::StartsWithIgnoreCase(token, "TYPE")) {
    uint32_t type = 0;
    if (!ParseDecimal(token.substr(4), 0xffff, &type)) return 0;
    return static_cast<uint16_t>(type);
  }
  if (token.empty() || token.size() > kMaxMnemonic) return 0;
  char upper[kMaxMnemonic];
  for (size_t i = 0; i < token.size(); ++i) {
    upper[i] = absl::ascii_toupper(static_cast<unsigned char>(token[i]));
  }
  return Mnemonics().Find(absl::string_view(upper, token.size()));
}

bool IsDnssecLineType(uint16_t type) {
  return type == kTypeRrsig || type == kTypeNsec || type == kTypeNsec3 ||
         type == kTypeNsec3Param || type == kTypeDnskey;
}

bool AppendDnssecRdata(uint16_t type, absl::string_view origin,
                       LineTokens* tokens, std::string* rdata) {
  switch (type) {
    case kTypeRrsig: {
      const uint16_t covered = TypeFromLineToken(tokens->Next());
      if (covered == 0) return false;
      rdata->push_back(static_cast<char>(covered >> 8));
      rdata->push_back(static_cast<char>(covered & 0xff));
      return AppendDecimal8(tokens->Next(), rdata) &&           // algorithm
             AppendDecimal8(tokens->Next(), rdata) &&           // labels
             AppendDecimal32(tokens->Next(), rdata) &&          // original TTL
             AppendDnssecTime(tokens->Next(), rdata) &&         // expiration
             AppendDnssecTime(tokens->Next(), rdata) &&         // inception
             AppendDecimal16(tokens->Next(), rdata) &&          // key tag
             AppendLowerName(tokens->Next(), origin, rdata) &&  // signer
             AppendBase64ToEnd(tokens, rdata);
    }
    case kTypeNsec:
      return AppendName(tokens->Next(), origin, rdata) &&
             AppendTypeList(tokens, /*allow_empty=*/false, rdata);
    case kTypeNsec3:
      return AppendNsec3Parameters(tokens, rdata) &&
             AppendHashedOwner(tokens->Next(), rdata) &&
             AppendTypeList(tokens, /*allow_empty=*/true, rdata);
    case kTypeNsec3Param:
      return AppendNsec3Parameters(tokens, rdata) && tokens->AtEnd();
    case kTypeDnskey:
      return AppendDecimal16(tokens->Next(), rdata) &&  // flags
             AppendDecimal8(tokens->Next(), rdata) &&   // protocol
             AppendDecimal8(tokens->Next(), rdata) &&   // algorithm
             AppendBase64ToEnd(tokens, rdata);
    default:
      return false;
  }
}

}  // namespace signer
}  // namespace zonekeep
