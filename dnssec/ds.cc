#include "dnssec/ds.h"

#include <openssl/evp.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dnssec/dnskey.h"
#include "dnssec/key_tag.h"
#include "dnssec/name.h"

namespace zonekeep {
namespace dnssec {

absl::StatusOr<std::string> ComputeDsDigest(absl::string_view owner_wire,
                                            absl::string_view dnskey_rdata,
                                            DigestType digest_type) {
  if (absl::StatusOr<DnskeyFields> f = ParseDnskeyRdata(dnskey_rdata);
      !f.ok()) {
    return f.status();
  }
  if (!IsValidWireName(owner_wire)) {
    return absl::InvalidArgumentError("DS owner is not a valid wire name");
  }
  std::string input(owner_wire);
  LowercaseName(&input);
  input.append(dnskey_rdata.data(), dnskey_rdata.size());
  const EVP_MD* md = EVP_get_digestbyname(DigestName(digest_type));
  if (md == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported DS digest type ", static_cast<int>(digest_type)));
  }
  std::string digest(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(),
                 reinterpret_cast<unsigned char*>(digest.data()), &len, md,
                 nullptr) != 1) {
    return absl::InternalError("DS digest computation failed");
  }
  digest.resize(len);
  return digest;
}

absl::StatusOr<std::string> BuildDsRdata(absl::string_view owner_wire,
                                         absl::string_view dnskey_rdata,
                                         DigestType digest_type) {
  absl::StatusOr<std::string> digest =
      ComputeDsDigest(owner_wire, dnskey_rdata, digest_type);
  if (!digest.ok()) return digest.status();
  const uint16_t tag = KeyTag(dnskey_rdata);
  std::string rdata;
  rdata.push_back(static_cast<char>(tag >> 8));
  rdata.push_back(static_cast<char>(tag & 0xff));
  rdata.push_back(dnskey_rdata[3]);
  rdata.push_back(static_cast<char>(digest_type));
  rdata += *digest;
  return rdata;
}

absl::StatusOr<std::string> FormatDsRecord(
    absl::string_view zone, uint32_t ttl,
    absl::Span<const uint8_t> dnskey_rdata, DigestType digest_type) {
  absl::StatusOr<std::string> owner_wire = CanonicalNameWire(zone);
  if (!owner_wire.ok()) return owner_wire.status();
  const absl::string_view rdata(
      reinterpret_cast<const char*>(dnskey_rdata.data()), dnskey_rdata.size());
  absl::StatusOr<std::string> digest =
      ComputeDsDigest(*owner_wire, rdata, digest_type);
  if (!digest.ok()) return digest.status();
  return absl::StrCat(NameToText(*owner_wire), " ", ttl, " IN DS ",
                      KeyTag(rdata), " ", static_cast<uint8_t>(rdata[3]), " ",
                      static_cast<int>(digest_type), " ",
                      absl::AsciiStrToUpper(absl::BytesToHexString(*digest)));
}

}  // namespace dnssec
}  // namespace zonekeep
