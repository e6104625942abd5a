// One resource record as the signer holds it: canonical (lower-case) owner
// name in wire form, type, class, TTL and RDATA in canonical wire form
// (RFC 4034 section 6.2). Plain value type.
#ifndef ZONEKEEP_SIGNER_RECORD_H_
#define ZONEKEEP_SIGNER_RECORD_H_

#include <cstdint>
#include <string>

namespace zonekeep {
namespace signer {

// RR type numbers the signer treats specially.
enum RrType : uint16_t {
  kTypeA = 1,
  kTypeNs = 2,
  kTypeCname = 5,
  kTypeSoa = 6,
  kTypePtr = 12,
  kTypeMx = 15,
  kTypeTxt = 16,
  kTypeAaaa = 28,
  kTypeDname = 39,
  kTypeDs = 43,
  kTypeRrsig = 46,
  kTypeNsec = 47,
  kTypeDnskey = 48,
  kTypeNsec3 = 50,
  kTypeNsec3Param = 51,
  kTypeCds = 59,
  kTypeCdnskey = 60,
};

inline constexpr uint16_t kClassIn = 1;

struct Record {
  std::string owner;  // canonical wire name
  uint16_t type = 0;
  uint16_t rrclass = kClassIn;
  uint32_t ttl = 0;
  std::string rdata;  // canonical wire RDATA
  int line = 0;       // source line, 0 when generated
};

// True for the types the signer replaces (RRSIG, NSEC, NSEC3, NSEC3PARAM,
// DNSKEY, CDS, CDNSKEY).
inline bool IsSignerOwnedType(uint16_t type) {
  return type == kTypeRrsig || type == kTypeNsec || type == kTypeNsec3 ||
         type == kTypeNsec3Param || type == kTypeDnskey || type == kTypeCds ||
         type == kTypeCdnskey;
}

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_RECORD_H_
