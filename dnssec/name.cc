#include "dnssec/name.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zonekeep {
namespace dnssec {
namespace {

// Offsets of the length octet of each label (root excluded). A wire name has
// at most 127 labels.
int LabelOffsets(absl::string_view name, uint8_t offsets[128]) {
  int count = 0;
  size_t pos = 0;
  while (pos < name.size()) {
    const uint8_t len = static_cast<uint8_t>(name[pos]);
    if (len == 0 || count >= 128) break;
    offsets[count++] = static_cast<uint8_t>(pos);
    pos += 1 + len;
  }
  return count;
}

absl::Status NameError(absl::string_view text, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid domain name \"", absl::CHexEscape(text), "\": ", reason));
}

}  // namespace

int CompareCanonical(absl::string_view a, absl::string_view b) {
  uint8_t oa[128], ob[128];
  int na = LabelOffsets(a, oa);
  int nb = LabelOffsets(b, ob);
  while (na > 0 && nb > 0) {
    --na;
    --nb;
    const uint8_t la = static_cast<uint8_t>(a[oa[na]]);
    const uint8_t lb = static_cast<uint8_t>(b[ob[nb]]);
    const int c = std::memcmp(a.data() + oa[na] + 1, b.data() + ob[nb] + 1,
                              std::min(la, lb));
    if (c != 0) return c;
    if (la != lb) return la < lb ? -1 : 1;
  }
  if (na == nb) return 0;
  return na < nb ? -1 : 1;
}

void AppendCanonicalKey(absl::string_view name, std::string* key) {
  uint8_t offsets[128];
  int n = LabelOffsets(name, offsets);
  while (n > 0) {
    --n;
    const size_t start = offsets[n] + 1;
    const size_t len = static_cast<uint8_t>(name[offsets[n]]);
    for (size_t i = start; i < start + len && i < name.size(); ++i) {
      const uint8_t c = static_cast<uint8_t>(name[i]);
      if (c <= 1) {
        key->push_back(1);
        key->push_back(static_cast<char>(c + 1));
      } else {
        key->push_back(static_cast<char>(c));
      }
    }
    key->push_back(0);
  }
}

int LabelCount(absl::string_view name) {
  uint8_t offsets[128];
  return LabelOffsets(name, offsets);
}

bool IsWildcard(absl::string_view name) {
  return name.size() >= 2 && name[0] == 1 && name[1] == '*';
}

bool IsSubdomainOf(absl::string_view name, absl::string_view ancestor) {
  if (ancestor.size() > name.size()) return false;
  size_t pos = 0;
  const size_t want = name.size() - ancestor.size();
  while (pos < want) pos += 1 + static_cast<uint8_t>(name[pos]);
  return pos == want && name.substr(pos) == ancestor;
}

absl::string_view ParentName(absl::string_view name) {
  return name.substr(1 + static_cast<uint8_t>(name[0]));
}

void LowercaseName(std::string* name) {
  for (char& c : *name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
}

void AppendNameText(absl::string_view name, std::string* out) {
  size_t pos = 0;
  if (name.size() <= 1) {
    out->push_back('.');
    return;
  }
  while (pos < name.size()) {
    const uint8_t len = static_cast<uint8_t>(name[pos]);
    if (len == 0) break;
    for (size_t i = pos + 1; i <= pos + len; ++i) {
      const uint8_t c = static_cast<uint8_t>(name[i]);
      if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' ||
          c == ';' || c == '@' || c == '$') {
        out->push_back('\\');
        out->push_back(static_cast<char>(c));
      } else if (c <= 0x20 || c >= 0x7f) {
        char buf[5] = {'\\', static_cast<char>('0' + c / 100),
                       static_cast<char>('0' + (c / 10) % 10),
                       static_cast<char>('0' + c % 10), 0};
        out->append(buf, 4);
      } else {
        out->push_back(static_cast<char>(c));
      }
    }
    out->push_back('.');
    pos += 1 + len;
  }
}

std::string NameToText(absl::string_view name) {
  std::string out;
  AppendNameText(name, &out);
  return out;
}

absl::StatusOr<std::string> ParseName(absl::string_view text,
                                      absl::string_view origin) {
  if (text.empty()) return NameError(text, "empty");
  if (text == "@") {
    if (origin.empty()) return NameError(text, "no origin for \"@\"");
    return std::string(origin);
  }
  if (text == ".") return std::string(1, '\0');
  std::string wire;
  wire.reserve(text.size() + 2 + origin.size());
  size_t label_start = 0;  // offset of the current label's length octet
  wire.push_back(0);
  bool absolute = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      const size_t len = wire.size() - label_start - 1;
      if (len == 0) return NameError(text, "empty label");
      if (len > kMaxLabelSize) {
        return NameError(text, "label longer than 63 octets");
      }
      wire[label_start] = static_cast<char>(len);
      if (i + 1 == text.size()) {
        absolute = true;
        break;
      }
      label_start = wire.size();
      wire.push_back(0);
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return NameError(text, "trailing backslash");
      if (absl::ascii_isdigit(text[i + 1])) {
        if (i + 3 >= text.size() || !absl::ascii_isdigit(text[i + 2]) ||
            !absl::ascii_isdigit(text[i + 3])) {
          return NameError(text, "\\DDD escape needs three digits");
        }
        const int value = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 +
                          (text[i + 3] - '0');
        if (value > 255) return NameError(text, "\\DDD escape above 255");
        c = static_cast<char>(value);
        i += 3;
      } else {
        c = text[++i];
      }
    }
    wire.push_back(c);
  }
  if (!absolute) {
    const size_t len = wire.size() - label_start - 1;
    if (len == 0) return NameError(text, "empty label");
    if (len > kMaxLabelSize) {
      return NameError(text, "label longer than 63 octets");
    }
    wire[label_start] = static_cast<char>(len);
    if (origin.empty()) return NameError(text, "relative name without origin");
    wire.append(origin.data(), origin.size());
  } else {
    wire.push_back(0);
  }
  if (wire.size() > kMaxNameWireSize) {
    return NameError(text, "longer than 255 octets");
  }
  return wire;
}

absl::StatusOr<std::string> CanonicalNameWire(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed.empty()) return NameError(text, "empty");
  absl::StatusOr<std::string> wire =
      ParseName(trimmed, absl::string_view("\0", 1));
  if (!wire.ok()) return wire.status();
  LowercaseName(&*wire);
  return wire;
}

absl::StatusOr<std::string> NormalizeZoneName(absl::string_view text) {
  absl::StatusOr<std::string> wire = CanonicalNameWire(text);
  if (!wire.ok()) return wire.status();
  return NameToText(*wire);
}

namespace {

bool IsDelegatableOctet(uint8_t c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '/';
}

// One octet as the operator can read it: 'a', ';', or \001 for the rest.
std::string OctetText(uint8_t c) {
  if (c > 0x20 && c < 0x7f) return absl::StrCat("'", std::string(1, c), "'");
  return absl::StrFormat("\\%03d", c);
}

}  // namespace

absl::StatusOr<std::string> CheckDelegatableZoneName(absl::string_view text) {
  absl::StatusOr<std::string> wire = CanonicalNameWire(text);
  if (!wire.ok()) return wire.status();
  const std::string shown = NameToText(*wire);
  auto refuse = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "zone name \"", shown, "\" cannot be delegated: ", why,
        " (a label may hold letters, digits, '-', '_', and '/' for RFC 2317 "
        "classless reverse zones)"));
  };
  if (wire->size() <= 1) return refuse("it is the root");
  if (wire->size() - 2 > 253) return refuse("it is longer than 253 octets");
  size_t pos = 0;
  while (pos < wire->size()) {
    const uint8_t len = static_cast<uint8_t>((*wire)[pos]);
    if (len == 0) break;
    const absl::string_view label(wire->data() + pos + 1, len);
    if (len > kMaxLabelSize) return refuse("a label is longer than 63 octets");
    for (char ch : label) {
      const uint8_t c = static_cast<uint8_t>(ch);
      if (!IsDelegatableOctet(c)) {
        std::string label_text =
            NameToText(std::string(1, static_cast<char>(len)) +
                       std::string(label) + std::string(1, '\0'));
        label_text.pop_back();  // the trailing dot
        return refuse(
            absl::StrCat("label \"", label_text, "\" holds ", OctetText(c)));
      }
    }
    pos += 1 + len;
  }
  return shown;
}

bool TakeWireName(absl::string_view data, size_t* pos,
                  absl::string_view* name) {
  size_t p = *pos;
  while (p < data.size()) {
    const uint8_t len = static_cast<uint8_t>(data[p]);
    if (len == 0) {
      if (p + 1 - *pos > kMaxNameWireSize) return false;
      *name = data.substr(*pos, p + 1 - *pos);
      *pos = p + 1;
      return true;
    }
    if (len > kMaxLabelSize) return false;
    p += 1 + len;
  }
  return false;
}

bool IsValidWireName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameWireSize) return false;
  size_t pos = 0;
  while (pos < name.size()) {
    const uint8_t len = static_cast<uint8_t>(name[pos]);
    if (len == 0) return pos + 1 == name.size();
    if (len > 63) return false;
    pos += 1 + len;
  }
  return false;
}

}  // namespace dnssec
}  // namespace zonekeep
