#include "signer/zone_parser.h"

#include <ldns/ldns.h>
#include <stdio.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "signer/wire_name.h"

namespace zonekeep {
namespace signer {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { fclose(f); }
};
struct RdfFree {
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
struct RrFree {
  void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};
struct BufferFree {
  void operator()(ldns_buffer* b) const { ldns_buffer_free(b); }
};

std::string RdfWire(const ldns_rdf* rdf) {
  return std::string(reinterpret_cast<const char*>(ldns_rdf_data(rdf)),
                     ldns_rdf_size(rdf));
}

absl::Status LineError(absl::string_view display_name, int line,
                       absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(display_name, ":", line, ": ", reason));
}

}  // namespace

absl::StatusOr<ParsedZone> ParseZoneText(absl::string_view text,
                                         absl::string_view display_name,
                                         absl::string_view origin,
                                         const ParseOptions& options) {
  ParsedZone zone;
  // ldns holds the current $ORIGIN and previous owner as rdfs it replaces in
  // place; we own whatever they point at when parsing ends.
  ldns_rdf* origin_rdf = nullptr;
  ldns_rdf* prev_rdf = nullptr;
  if (!origin.empty()) {
    std::string absolute(origin);
    if (absolute.back() != '.') absolute.push_back('.');
    origin_rdf = ldns_dname_new_frm_str(absolute.c_str());
    if (origin_rdf == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid zone origin '", origin, "'"));
    }
    ldns_dname2canonical(origin_rdf);
    zone.origin = RdfWire(origin_rdf);
    prev_rdf = ldns_rdf_clone(origin_rdf);
  }
  if (text.empty()) {
    ldns_rdf_deep_free(origin_rdf);
    ldns_rdf_deep_free(prev_rdf);
    return absl::InvalidArgumentError(
        absl::StrCat(display_name, ": empty zone (no SOA record)"));
  }
  std::unique_ptr<FILE, FileCloser> fp(
      fmemopen(const_cast<char*>(text.data()), text.size(), "r"));
  std::unique_ptr<ldns_buffer, BufferFree> buffer(ldns_buffer_new(512));
  if (fp == nullptr || buffer == nullptr) {
    ldns_rdf_deep_free(origin_rdf);
    ldns_rdf_deep_free(prev_rdf);
    return absl::ResourceExhaustedError("cannot open zone text buffer");
  }
  uint32_t default_ttl = 3600;
  int line = 0;
  absl::Status status;
  while (status.ok()) {
    // Skip to the next record; ldns reports EOF through feof.
    ldns_rr* raw = nullptr;
    const ldns_status s = ldns_rr_new_frm_fp_l(&raw, fp.get(), &default_ttl,
                                               &origin_rdf, &prev_rdf, &line);
    std::unique_ptr<ldns_rr, RrFree> rr(raw);
    if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL ||
        s == LDNS_STATUS_SYNTAX_ORIGIN) {
      if (feof(fp.get())) break;
      continue;
    }
    if (s == LDNS_STATUS_SYNTAX_INCLUDE) {
      status = LineError(display_name, line,
                         "$INCLUDE is not allowed (zone text may come from "
                         "the network)");
      break;
    }
    if (s != LDNS_STATUS_OK) {
      if (feof(fp.get()) && s == LDNS_STATUS_SYNTAX_ERR && rr == nullptr) {
        break;  // trailing whitespace or comment at end of input
      }
      status = LineError(display_name, line, ldns_get_errorstr_by_id(s));
      break;
    }
    if (ldns_rr_get_class(rr.get()) != LDNS_RR_CLASS_IN) {
      status = LineError(display_name, line, "only class IN is supported");
      break;
    }
    Record rec;
    rec.type = static_cast<uint16_t>(ldns_rr_get_type(rr.get()));
    if (!options.keep_dnssec && IsSignerOwnedType(rec.type)) {
      ++zone.dnssec_records_dropped;
      if (feof(fp.get())) break;
      continue;
    }
    ldns_rr2canonical(rr.get());
    rec.owner = RdfWire(ldns_rr_owner(rr.get()));
    if (zone.origin.empty()) {
      if (rec.type != kTypeSoa) {
        status = LineError(display_name, line,
                           "no origin given and the first record is not "
                           "the SOA");
        break;
      }
      zone.origin = rec.owner;
    }
    if (!IsSubdomainOf(rec.owner, zone.origin)) {
      status = LineError(
          display_name, line,
          absl::StrCat("owner ", NameToText(rec.owner), " is outside the zone ",
                       NameToText(zone.origin)));
      break;
    }
    rec.ttl = ldns_rr_ttl(rr.get());
    rec.line = line;
    ldns_buffer_clear(buffer.get());
    if (ldns_rr_rdata2buffer_wire(buffer.get(), rr.get()) != LDNS_STATUS_OK) {
      status = LineError(display_name, line, "cannot encode RDATA");
      break;
    }
    rec.rdata.assign(
        reinterpret_cast<const char*>(ldns_buffer_begin(buffer.get())),
        ldns_buffer_position(buffer.get()));
    if (rec.rdata.size() > 65535) {
      status = LineError(display_name, line, "RDATA longer than 65535 octets");
      break;
    }
    zone.records.push_back(std::move(rec));
    if (feof(fp.get())) break;
  }
  ldns_rdf_deep_free(origin_rdf);
  ldns_rdf_deep_free(prev_rdf);
  if (!status.ok()) return status;
  if (zone.origin.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(display_name, ": empty zone (no SOA record)"));
  }
  return zone;
}

}  // namespace signer
}  // namespace zonekeep
