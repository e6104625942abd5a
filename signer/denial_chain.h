// Authenticated denial of existence: the NSEC chain (RFC 4034 section 4) and
// the NSEC3 chain (RFC 5155 section 7.1), added to a Zone as RRsets.
//
// REQUIRES: the zone holds no NSEC/NSEC3 yet and its nodes are marked (as
// BuildZone leaves them). The signer-owned apex RRsets (DNSKEY, CDS, CDNSKEY)
// must be in place first so the apex bitmap lists them.
// Thread-safety: mutates the zone; call from one thread (the chains are
// built on all cores inside).
#ifndef ZONEKEEP_SIGNER_DENIAL_CHAIN_H_
#define ZONEKEEP_SIGNER_DENIAL_CHAIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "signer/zone_model.h"

namespace zonekeep {
namespace signer {

struct Nsec3Params {
  std::string salt;  // raw bytes, at most 255
  uint16_t iterations = 0;
  bool opt_out = false;
};

// The types an NSEC (nsec3 = false) or NSEC3 bitmap must list for `node`.
std::vector<uint16_t> ChainTypes(const Node& node, bool nsec3);

// Whether `node` needs an NSEC / NSEC3 record.
bool NeedsNsec(const Node& node);
bool NeedsNsec3(const Node& node, bool opt_out);

absl::Status AddNsecChain(Zone* zone, uint32_t ttl);

// Adds NSEC3PARAM at the apex and the NSEC3 records (as new nodes).
absl::Status AddNsec3Chain(Zone* zone, const Nsec3Params& params, uint32_t ttl);

// NSEC3 / NSEC3PARAM RDATA prefix: alg 1, flags, iterations, salt.
std::string Nsec3ParamRdata(const Nsec3Params& params, uint8_t flags);

// Keeps node.rrsets ordered by type after an insert.
void InsertRRset(Node* node, RRset rrset);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_DENIAL_CHAIN_H_
