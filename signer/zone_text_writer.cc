#include "signer/zone_text_writer.h"

#include <arpa/inet.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dnssec/ldns_ptr.h"
#include "dnssec/name.h"
#include "signer/nsec3_hash.h"
#include "signer/parallel.h"
#include "signer/rdata_text.h"
#include "signer/rrsig.h"
#include "signer/type_bitmap.h"

namespace zonekeep {
namespace signer {
namespace {

// Nodes per formatting block (about 0.5 MiB of text in a TLD-like zone) and
// blocks formatted per worker between two rounds of sink calls.
constexpr size_t kBlockNodes = 2048;
constexpr size_t kBlocksPerWorker = 4;

constexpr uint16_t kTypeNull = 10;
constexpr uint16_t kTypeSpf = 99;
constexpr uint16_t kTypeSvcb = 64;
constexpr uint16_t kTypeHttps = 65;
constexpr uint16_t kTypeCaa = 257;

void AppendHex(absl::string_view data, bool upper, std::string* out) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (unsigned char c : data) {
    out->push_back(digits[c >> 4]);
    out->push_back(digits[c & 15]);
  }
}

void AppendTypes(absl::string_view bitmap, std::string* out) {
  auto types = DecodeTypeBitmap(bitmap);
  if (!types.ok()) return;
  for (uint16_t t : *types) {
    out->push_back(' ');
    out->append(TypeName(t));
  }
}

// Formats RDATA for the common types; false to fall back to ldns.
bool AppendRdataFast(uint16_t type, absl::string_view rd, std::string* out) {
  size_t pos = 0;
  absl::string_view name;
  switch (type) {
    case kTypeA: {
      if (rd.size() != 4) return false;
      char buf[INET_ADDRSTRLEN];
      if (!inet_ntop(AF_INET, rd.data(), buf, sizeof(buf))) return false;
      out->append(buf);
      return true;
    }
    case kTypeAaaa: {
      if (rd.size() != 16) return false;
      char buf[INET6_ADDRSTRLEN];
      if (!inet_ntop(AF_INET6, rd.data(), buf, sizeof(buf))) return false;
      out->append(buf);
      return true;
    }
    case kTypeNs:
    case kTypeCname:
    case kTypeDname:
    case kTypePtr:
      if (!dnssec::TakeWireName(rd, &pos, &name) || pos != rd.size())
        return false;
      dnssec::AppendNameText(name, out);
      return true;
    case kTypeMx:
      if (rd.size() < 3) return false;
      pos = 2;
      if (!dnssec::TakeWireName(rd, &pos, &name) || pos != rd.size())
        return false;
      absl::StrAppend(out, ReadU16(rd, 0), " ");
      dnssec::AppendNameText(name, out);
      return true;
    case kTypeSoa: {
      absl::string_view rname;
      if (!dnssec::TakeWireName(rd, &pos, &name) ||
          !dnssec::TakeWireName(rd, &pos, &rname) || pos + 20 != rd.size()) {
        return false;
      }
      dnssec::AppendNameText(name, out);
      out->push_back(' ');
      dnssec::AppendNameText(rname, out);
      absl::StrAppend(out, " ", ReadU32(rd, pos), " ", ReadU32(rd, pos + 4),
                      " ", ReadU32(rd, pos + 8), " ", ReadU32(rd, pos + 12),
                      " ", ReadU32(rd, pos + 16));
      return true;
    }
    case kTypeDs:
    case kTypeCds:
      if (rd.size() < 5) return false;
      absl::StrAppend(out, ReadU16(rd, 0), " ", static_cast<uint8_t>(rd[2]),
                      " ", static_cast<uint8_t>(rd[3]), " ");
      AppendHex(rd.substr(4), true, out);
      return true;
    case kTypeDnskey:
    case kTypeCdnskey:
      if (rd.size() < 5) return false;
      absl::StrAppend(out, ReadU16(rd, 0), " ", static_cast<uint8_t>(rd[2]),
                      " ", static_cast<uint8_t>(rd[3]), " ");
      AppendBase64(rd.substr(4), out);
      return true;
    case kTypeRrsig: {
      auto f = ParseRrsig(rd);
      if (!f.ok() || f->signature.empty()) return false;
      absl::StrAppend(out, TypeName(f->type_covered), " ",
                      static_cast<int>(f->algorithm), " ", f->labels, " ",
                      f->original_ttl, " ", FormatDnssecTime(f->expiration),
                      " ", FormatDnssecTime(f->inception), " ", f->key_tag,
                      " ");
      dnssec::AppendNameText(f->signer_name, out);
      out->push_back(' ');
      AppendBase64(f->signature, out);
      return true;
    }
    case kTypeNsec:
      if (!dnssec::TakeWireName(rd, &pos, &name)) return false;
      dnssec::AppendNameText(name, out);
      AppendTypes(rd.substr(pos), out);
      return true;
    case kTypeNsec3:
    case kTypeNsec3Param: {
      if (rd.size() < 5) return false;
      const size_t salt_len = static_cast<uint8_t>(rd[4]);
      if (rd.size() < 5 + salt_len) return false;
      absl::StrAppend(out, static_cast<uint8_t>(rd[0]), " ",
                      static_cast<uint8_t>(rd[1]), " ", ReadU16(rd, 2), " ");
      if (salt_len == 0) {
        out->push_back('-');
      } else {
        AppendHex(rd.substr(5, salt_len), false, out);
      }
      pos = 5 + salt_len;
      if (type == kTypeNsec3Param) return pos == rd.size();
      if (pos >= rd.size()) return false;
      const size_t hash_len = static_cast<uint8_t>(rd[pos]);
      if (pos + 1 + hash_len > rd.size()) return false;
      out->push_back(' ');
      out->append(Base32HexEncode(rd.substr(pos + 1, hash_len)));
      AppendTypes(rd.substr(pos + 1 + hash_len), out);
      return true;
    }
    case kTypeTxt:
    case kTypeSpf:
      return AppendTxtRdata(rd, out);
    case kTypeSvcb:
    case kTypeHttps:
      AppendSvcbRdata(rd, out);
      return true;
    case kTypeCaa:
      AppendCaaRdata(rd, out);
      return true;
    default:
      return false;
  }
}

// The RDATA bytes ldns reads from `text` for `type`; false when it cannot.
bool LdnsReadsRdata(uint16_t type, absl::string_view text, std::string* rdata) {
  const std::string line = absl::StrCat(". 0 IN ", TypeName(type), " ", text);
  ldns_rr* raw = nullptr;
  if (ldns_rr_new_frm_str(&raw, line.c_str(), 0, nullptr, nullptr) !=
      LDNS_STATUS_OK) {
    return false;
  }
  dnssec::LdnsRrPtr rr(raw);
  rdata->clear();
  for (size_t i = 0; i < ldns_rr_rd_count(rr.get()); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr.get(), i);
    rdata->append(reinterpret_cast<const char*>(ldns_rdf_data(rdf)),
                  ldns_rdf_size(rdf));
  }
  return true;
}

// Formats one ldns field: names and character-strings with our escaping
// (signer/rdata_text.h), the rest with ldns's printer.
bool AppendLdnsField(const ldns_rdf* rdf, std::string* out) {
  const absl::string_view data(
      reinterpret_cast<const char*>(ldns_rdf_data(rdf)), ldns_rdf_size(rdf));
  switch (ldns_rdf_get_type(rdf)) {
    case LDNS_RDF_TYPE_DNAME:
      dnssec::AppendNameText(data, out);
      return true;
    case LDNS_RDF_TYPE_STR:
      if (data.empty() || static_cast<uint8_t>(data[0]) + 1u != data.size()) {
        return false;
      }
      AppendQuotedText(data.substr(1), out);
      return true;
    case LDNS_RDF_TYPE_LONG_STR:
      AppendQuotedText(data, out);
      return true;
    default: {
      dnssec::LdnsStringPtr text(ldns_rdf2str(rdf));
      if (text == nullptr) return false;
      out->append(text.get());
      return true;
    }
  }
}

absl::Status AppendRdataLdns(absl::string_view owner_wire, uint16_t type,
                             uint32_t ttl, absl::string_view rdata,
                             std::string* out) {
  std::string wire(owner_wire);
  AppendU16(type, &wire);
  AppendU16(1, &wire);
  AppendU32(ttl, &wire);
  AppendU16(static_cast<uint16_t>(rdata.size()), &wire);
  wire.append(rdata.data(), rdata.size());
  ldns_rr* raw = nullptr;
  size_t pos = 0;
  if (ldns_wire2rr(&raw, reinterpret_cast<const uint8_t*>(wire.data()),
                   wire.size(), &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) {
    return absl::InternalError(
        absl::StrCat("cannot decode RDATA of type ", TypeName(type)));
  }
  dnssec::LdnsRrPtr rr(raw);
  // Printed, then read again by ldns: a form that does not give back the same
  // bytes (a field ldns prints but cannot read, a missing empty field) is
  // written in the generic form instead.
  std::string text;
  bool ok = true;
  for (size_t i = 0; ok && i < ldns_rr_rd_count(rr.get()); ++i) {
    if (i > 0) text.push_back(' ');
    ok = AppendLdnsField(ldns_rr_rdf(rr.get(), i), &text);
  }
  std::string reread;
  if (ok && LdnsReadsRdata(type, text, &reread) && reread == rdata) {
    out->append(text);
  } else {
    AppendGenericRdata(rdata, out);
  }
  return absl::OkStatus();
}

}  // namespace

void AppendBase64(absl::string_view data, std::string* out) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];
    out->push_back(kTable[v >> 18]);
    out->push_back(kTable[(v >> 12) & 63]);
    out->push_back(kTable[(v >> 6) & 63]);
    out->push_back(kTable[v & 63]);
  }
  if (i + 1 == data.size()) {
    const uint32_t v = p[i] << 16;
    out->push_back(kTable[v >> 18]);
    out->push_back(kTable[(v >> 12) & 63]);
    out->append("==");
  } else if (i + 2 == data.size()) {
    const uint32_t v = p[i] << 16 | p[i + 1] << 8;
    out->push_back(kTable[v >> 18]);
    out->push_back(kTable[(v >> 12) & 63]);
    out->push_back(kTable[(v >> 6) & 63]);
    out->push_back('=');
  }
}

std::string FormatDnssecTime(uint32_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", &tm);
  return buf;
}

absl::Status AppendRecordLine(absl::string_view owner_text,
                              absl::string_view owner_wire, uint16_t type,
                              uint32_t ttl, absl::string_view rdata,
                              std::string* out) {
  absl::StrAppend(out, owner_text, "\t", ttl, "\tIN\t", TypeName(type), "\t");
  // Empty RDATA, NULL (no reader agrees on its mnemonic; RFC 1035 3.3.10
  // keeps it out of master files) and types without a mnemonic every reader
  // knows: the RFC 3597 generic form.
  if (rdata.empty() || type == kTypeNull || !HasPortableMnemonic(type)) {
    AppendGenericRdata(rdata, out);
  } else if (const size_t start = out->size();
             !AppendRdataFast(type, rdata, out)) {
    out->resize(start);
    if (absl::Status s = AppendRdataLdns(owner_wire, type, ttl, rdata, out);
        !s.ok()) {
      return s;
    }
  }
  out->push_back('\n');
  return absl::OkStatus();
}

namespace {

// Appends nodes [begin, end) of `zone` as master-file text to `*out`.
absl::Status FormatNodes(const Zone& zone, size_t begin, size_t end,
                         std::string* out) {
  std::string owner_text;
  for (size_t i = begin; i < end; ++i) {
    const Node& node = zone.nodes[i];
    if (node.rrsets.empty()) continue;
    owner_text.clear();
    dnssec::AppendNameText(node.name, &owner_text);
    // SOA first at the apex, then the rest in type order.
    const RRset* soa = node.apex ? node.Find(kTypeSoa) : nullptr;
    auto write_rrset = [&](const RRset& rrset) -> absl::Status {
      for (const absl::string_view rdata : rrset.rdatas) {
        if (absl::Status s = AppendRecordLine(owner_text, node.name, rrset.type,
                                              rrset.ttl, rdata, out);
            !s.ok()) {
          return s;
        }
      }
      for (const absl::string_view sig : rrset.sigs) {
        if (absl::Status s = AppendRecordLine(owner_text, node.name, kTypeRrsig,
                                              rrset.ttl, sig, out);
            !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    };
    if (soa != nullptr) {
      if (absl::Status s = write_rrset(*soa); !s.ok()) return s;
    }
    for (const RRset& rrset : node.rrsets) {
      if (&rrset == soa) continue;
      if (absl::Status s = write_rrset(rrset); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteZoneText(const Zone& zone, const ZoneSink& sink,
                           int threads) {
  // Blocks of nodes are formatted on all workers, one window of blocks at a
  // time, and handed to the sink in order: output stays canonical, memory
  // stays bounded by the window.
  const size_t n = zone.nodes.size();
  const size_t blocks = (n + kBlockNodes - 1) / kBlockNodes;
  const size_t workers = static_cast<size_t>(ResolveThreads(threads));
  const size_t window = std::max<size_t>(1, workers * kBlocksPerWorker);
  std::vector<std::string> texts(std::min(window, blocks));
  std::vector<absl::Status> statuses(texts.size());
  const std::atomic<bool> no_stop{false};
  for (size_t first = 0; first < blocks; first += window) {
    const size_t count = std::min(window, blocks - first);
    ParallelFor(count, threads, 1, no_stop, [&](size_t i) {
      texts[i].clear();
      const size_t begin = (first + i) * kBlockNodes;
      statuses[i] =
          FormatNodes(zone, begin, std::min(n, begin + kBlockNodes), &texts[i]);
    });
    for (size_t i = 0; i < count; ++i) {
      if (!statuses[i].ok()) return statuses[i];
      if (texts[i].empty()) continue;
      if (absl::Status s = sink(texts[i]); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace signer
}  // namespace zonekeep
