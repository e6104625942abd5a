#include "keystore/crypto/dnskey.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "keystore/crypto/ldns_util.h"

namespace zonekeep {
namespace {

constexpr size_t kMaxNameWire = 255;
constexpr size_t kMaxLabel = 63;
constexpr size_t kDnskeyHeaderSize = 4;  // flags(2) protocol(1) algorithm(1)

// Parses `zone` with ldns into a canonical (lower-case, absolute) dname.
absl::StatusOr<LdnsRdfPtr> ParseCanonicalName(absl::string_view zone) {
  const std::string text(absl::StripAsciiWhitespace(zone));
  if (text.empty()) {
    return absl::InvalidArgumentError("empty domain name");
  }
  ldns_rdf* raw = nullptr;
  const ldns_status status = ldns_str2rdf_dname(&raw, text.c_str());
  LdnsRdfPtr rdf(raw);
  if (status != LDNS_STATUS_OK || rdf == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid domain name \"", absl::CHexEscape(text),
                     "\": ", ldns_get_errorstr_by_id(status)));
  }
  // Defence in depth: walk the wire form ourselves.
  const uint8_t* data = ldns_rdf_data(rdf.get());
  const size_t size = ldns_rdf_size(rdf.get());
  if (size == 0 || size > kMaxNameWire) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid domain name \"", absl::CHexEscape(text), "\": too long"));
  }
  size_t pos = 0;
  while (pos < size && data[pos] != 0) {
    if (data[pos] > kMaxLabel) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid domain name \"", absl::CHexEscape(text), "\": bad label"));
    }
    pos += data[pos] + 1;
  }
  if (pos + 1 != size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid domain name \"", absl::CHexEscape(text), "\": malformed"));
  }
  ldns_dname2canonical(rdf.get());
  return rdf;
}

absl::Status CheckRdata(absl::Span<const uint8_t> rdata) {
  if (rdata.size() <= kDnskeyHeaderSize) {
    return absl::InvalidArgumentError("DNSKEY RDATA is too short");
  }
  if (rdata[2] != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("DNSKEY protocol is ", rdata[2], ", expected 3"));
  }
  return absl::OkStatus();
}

std::string Base64(absl::Span<const uint8_t> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                bytes.data(), static_cast<int>(bytes.size()));
  out.resize(n);
  return out;
}

}  // namespace

std::vector<uint8_t> BuildDnskeyRdata(uint16_t flags, Algorithm algorithm,
                                      absl::Span<const uint8_t> public_key) {
  std::vector<uint8_t> rdata;
  rdata.reserve(kDnskeyHeaderSize + public_key.size());
  rdata.push_back(static_cast<uint8_t>(flags >> 8));
  rdata.push_back(static_cast<uint8_t>(flags & 0xff));
  rdata.push_back(3);
  rdata.push_back(static_cast<uint8_t>(algorithm));
  rdata.insert(rdata.end(), public_key.begin(), public_key.end());
  return rdata;
}

uint16_t ComputeKeyTag(absl::Span<const uint8_t> dnskey_rdata) {
  uint32_t ac = 0;
  for (size_t i = 0; i < dnskey_rdata.size(); ++i) {
    ac +=
        (i & 1) ? dnskey_rdata[i] : static_cast<uint32_t>(dnskey_rdata[i]) << 8;
  }
  ac += (ac >> 16) & 0xffff;
  return static_cast<uint16_t>(ac & 0xffff);
}

absl::StatusOr<DigestType> ParseDigestType(absl::string_view name) {
  const std::string upper =
      absl::AsciiStrToUpper(absl::StripAsciiWhitespace(name));
  if (upper == "SHA-1" || upper == "SHA1" || upper == "1") {
    return DigestType::kSha1;
  }
  if (upper == "SHA-256" || upper == "SHA256" || upper == "2") {
    return DigestType::kSha256;
  }
  if (upper == "SHA-384" || upper == "SHA384" || upper == "4") {
    return DigestType::kSha384;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown DS digest type \"", absl::CHexEscape(name),
                   "\"; accepted: SHA-1 (1), SHA-256 (2), SHA-384 (4)"));
}

absl::StatusOr<std::vector<uint8_t>> CanonicalNameWire(absl::string_view zone) {
  absl::StatusOr<LdnsRdfPtr> rdf = ParseCanonicalName(zone);
  if (!rdf.ok()) return rdf.status();
  const uint8_t* data = ldns_rdf_data(rdf->get());
  return std::vector<uint8_t>(data, data + ldns_rdf_size(rdf->get()));
}

absl::StatusOr<std::string> NormalizeZoneName(absl::string_view zone) {
  absl::StatusOr<LdnsRdfPtr> rdf = ParseCanonicalName(zone);
  if (!rdf.ok()) return rdf.status();
  LdnsStringPtr text(ldns_rdf2str(rdf->get()));
  if (text == nullptr) {
    return absl::InternalError("cannot print domain name");
  }
  return std::string(text.get());
}

absl::StatusOr<std::vector<uint8_t>> ComputeDsDigest(
    absl::string_view zone, absl::Span<const uint8_t> dnskey_rdata,
    DigestType digest_type) {
  if (absl::Status s = CheckRdata(dnskey_rdata); !s.ok()) return s;
  absl::StatusOr<std::vector<uint8_t>> input = CanonicalNameWire(zone);
  if (!input.ok()) return input.status();
  input->insert(input->end(), dnskey_rdata.begin(), dnskey_rdata.end());
  const EVP_MD* md = nullptr;
  switch (digest_type) {
    case DigestType::kSha1:
      md = EVP_sha1();
      break;
    case DigestType::kSha256:
      md = EVP_sha256();
      break;
    case DigestType::kSha384:
      md = EVP_sha384();
      break;
  }
  if (md == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported DS digest type ", static_cast<int>(digest_type)));
  }
  std::vector<uint8_t> digest(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(input->data(), input->size(), digest.data(), &len, md,
                 nullptr) != 1) {
    return absl::InternalError("DS digest computation failed");
  }
  digest.resize(len);
  return digest;
}

absl::StatusOr<std::string> FormatDnskeyRecord(
    absl::string_view zone, uint32_t ttl,
    absl::Span<const uint8_t> dnskey_rdata) {
  if (absl::Status s = CheckRdata(dnskey_rdata); !s.ok()) return s;
  absl::StatusOr<std::string> owner = NormalizeZoneName(zone);
  if (!owner.ok()) return owner.status();
  const uint16_t flags = (dnskey_rdata[0] << 8) | dnskey_rdata[1];
  return absl::StrCat(*owner, " ", ttl, " IN DNSKEY ", flags, " ",
                      dnskey_rdata[2], " ", dnskey_rdata[3], " ",
                      Base64(dnskey_rdata.subspan(kDnskeyHeaderSize)));
}

absl::StatusOr<std::string> FormatDsRecord(
    absl::string_view zone, uint32_t ttl,
    absl::Span<const uint8_t> dnskey_rdata, DigestType digest_type) {
  absl::StatusOr<std::vector<uint8_t>> digest =
      ComputeDsDigest(zone, dnskey_rdata, digest_type);
  if (!digest.ok()) return digest.status();
  absl::StatusOr<std::string> owner = NormalizeZoneName(zone);
  if (!owner.ok()) return owner.status();
  const absl::string_view digest_bytes(
      reinterpret_cast<const char*>(digest->data()), digest->size());
  return absl::StrCat(
      *owner, " ", ttl, " IN DS ", ComputeKeyTag(dnskey_rdata), " ",
      dnskey_rdata[3], " ", static_cast<int>(digest_type), " ",
      absl::AsciiStrToUpper(absl::BytesToHexString(digest_bytes)));
}

}  // namespace zonekeep
