#include "signer/rdata_text.h"

#include <arpa/inet.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dnssec/name.h"

namespace zonekeep {
namespace signer {
namespace {

uint16_t U16(absl::string_view d, size_t pos) {
  return static_cast<uint16_t>(static_cast<uint8_t>(d[pos]) << 8 |
                               static_cast<uint8_t>(d[pos + 1]));
}

constexpr const char* kSvcKeyNames[] = {
    "mandatory", "alpn", "no-default-alpn", "port",
    "ipv4hint",  "ech",  "ipv6hint"};
constexpr uint16_t kMaxNamedSvcKey = 6;

// An alpn id every reader splits and unescapes alike inside `"..."`.
bool PortableAlpnId(absl::string_view id) {
  if (id.empty()) return false;
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e || c == ',' || c == '\\' || c == '"') {
      return false;
    }
  }
  return true;
}

bool AppendAddresses(int family, size_t size, absl::string_view value,
                     std::string* out) {
  if (value.empty() || value.size() % size != 0) return false;
  for (size_t i = 0; i < value.size(); i += size) {
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(family, value.data() + i, buf, sizeof(buf)) == nullptr) {
      return false;
    }
    if (i > 0) out->push_back(',');
    out->append(buf);
  }
  return true;
}

// One SvcParam as `key=value`; false when it has no portable form.
bool AppendSvcParam(uint16_t key, absl::string_view value, std::string* out) {
  if (key > kMaxNamedSvcKey) return false;
  out->append(kSvcKeyNames[key]);
  switch (key) {
    case 0:  // mandatory
      if (value.empty() || value.size() % 2 != 0) return false;
      for (size_t i = 0; i < value.size(); i += 2) {
        const uint16_t k = U16(value, i);
        if (k > kMaxNamedSvcKey) return false;
        out->push_back(i == 0 ? '=' : ',');
        out->append(kSvcKeyNames[k]);
      }
      return true;
    case 1: {  // alpn
      out->append("=\"");
      for (size_t i = 0; i < value.size();) {
        const size_t len = static_cast<uint8_t>(value[i]);
        if (i + 1 + len > value.size()) return false;
        const absl::string_view id = value.substr(i + 1, len);
        if (!PortableAlpnId(id)) return false;
        if (i > 0) out->push_back(',');
        out->append(id.data(), id.size());
        i += 1 + len;
      }
      out->push_back('"');
      return !value.empty();
    }
    case 2:  // no-default-alpn
      return value.empty();
    case 3:  // port
      if (value.size() != 2) return false;
      absl::StrAppend(out, "=", U16(value, 0));
      return true;
    case 4:  // ipv4hint
      out->push_back('=');
      return AppendAddresses(AF_INET, 4, value, out);
    case 5:  // ech
      if (value.empty()) return false;
      out->push_back('=');
      out->append(absl::Base64Escape(value));
      return true;
    case 6:  // ipv6hint
      out->push_back('=');
      return AppendAddresses(AF_INET6, 16, value, out);
  }
  return false;
}

// SVCB/HTTPS in presentation form; false (with `*out` unspecified) when one
// of the readers would read it differently.
bool AppendSvcbPresentation(absl::string_view rd, std::string* out) {
  if (rd.size() < 3) return false;
  size_t pos = 2;
  absl::string_view target;
  if (!dnssec::TakeWireName(rd, &pos, &target)) return false;
  absl::StrAppend(out, U16(rd, 0), " ");
  dnssec::AppendNameText(target, out);
  int last_key = -1;
  while (pos < rd.size()) {
    if (pos + 4 > rd.size()) return false;
    const uint16_t key = U16(rd, pos);
    const size_t len = U16(rd, pos + 2);
    if (static_cast<int>(key) <= last_key || pos + 4 + len > rd.size()) {
      return false;
    }
    last_key = key;
    out->push_back(' ');
    if (!AppendSvcParam(key, rd.substr(pos + 4, len), out)) return false;
    pos += 4 + len;
  }
  return true;
}

}  // namespace

bool HasPortableMnemonic(uint16_t type) {
  // ldns knows these mnemonics but Knot 3.2's zone scanner does not
  // (kzonecheck: "unsupported record type"): MD MF MB MG MR NULL ISDN NSAP
  // NSAP-PTR SIG PX NXT EID NIMLOC ATMA A6 SINK OPT HIP TALINK DLV, and the
  // meta types.
  switch (type) {
    case 3:
    case 4:
    case 7:
    case 8:
    case 9:
    case 10:
    case 20:
    case 22:
    case 23:
    case 24:
    case 26:
    case 30:
    case 31:
    case 32:
    case 34:
    case 38:
    case 40:
    case 41:
    case 55:
    case 58:
    case 32769:
      return false;
    default:
      return type < 128 || type > 255;
  }
}

void AppendQuotedText(absl::string_view octets, std::string* out) {
  out->push_back('"');
  for (unsigned char c : octets) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20 || c > 0x7e) {
      const char buf[4] = {'\\', static_cast<char>('0' + c / 100),
                           static_cast<char>('0' + (c / 10) % 10),
                           static_cast<char>('0' + c % 10)};
      out->append(buf, 4);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

void AppendGenericRdata(absl::string_view rdata, std::string* out) {
  absl::StrAppend(out, "\\# ", rdata.size());
  if (rdata.empty()) return;
  out->push_back(' ');
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char c : rdata) {
    out->push_back(kDigits[c >> 4]);
    out->push_back(kDigits[c & 15]);
  }
}

void AppendSvcbRdata(absl::string_view rdata, std::string* out) {
  const size_t start = out->size();
  if (AppendSvcbPresentation(rdata, out)) return;
  out->resize(start);
  AppendGenericRdata(rdata, out);
}

void AppendCaaRdata(absl::string_view rdata, std::string* out) {
  bool ok = rdata.size() >= 2;
  const size_t tag_len = ok ? static_cast<uint8_t>(rdata[1]) : 0;
  ok = ok && tag_len >= 1 && tag_len <= 15 && 2 + tag_len <= rdata.size();
  for (size_t i = 0; ok && i < tag_len; ++i) {
    const char c = rdata[2 + i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
  }
  if (!ok) {
    AppendGenericRdata(rdata, out);
    return;
  }
  absl::StrAppend(out, static_cast<uint8_t>(rdata[0]), " ",
                  rdata.substr(2, tag_len), " ");
  AppendQuotedText(rdata.substr(2 + tag_len), out);
}

bool AppendTxtRdata(absl::string_view rdata, std::string* out) {
  if (rdata.empty()) return false;
  for (size_t pos = 0; pos < rdata.size();) {
    const size_t len = static_cast<uint8_t>(rdata[pos]);
    if (pos + 1 + len > rdata.size()) return false;
    if (pos > 0) out->push_back(' ');
    AppendQuotedText(rdata.substr(pos + 1, len), out);
    pos += 1 + len;
  }
  return true;
}

}  // namespace signer
}  // namespace zonekeep
