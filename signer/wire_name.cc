#include "signer/wire_name.h"

#include <algorithm>
#include <cstring>

namespace zonekeep {
namespace signer {
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

bool IsValidWireName(absl::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t pos = 0;
  while (pos < name.size()) {
    const uint8_t len = static_cast<uint8_t>(name[pos]);
    if (len == 0) return pos + 1 == name.size();
    if (len > 63) return false;
    pos += 1 + len;
  }
  return false;
}

}  // namespace signer
}  // namespace zonekeep
