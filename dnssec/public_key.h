// A DNSKEY's public key field (RFC 3110 RSA, RFC 6605 ECDSA x||y, RFC 8080
// EdDSA) to and from an OpenSSL EVP_PKEY: the one place zonekeep converts
// between the two. Public data only. Thread-safety: pure function; the returned
// key is owned by the caller.
#ifndef ZONEKEEP_DNSSEC_PUBLIC_KEY_H_
#define ZONEKEEP_DNSSEC_PUBLIC_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dnssec/algorithm.h"
#include "dnssec/openssl_ptr.h"

namespace zonekeep {
namespace dnssec {

// From the public key field of a DNSKEY (the RDATA after its 4-octet header).
// Unimplemented for algorithms zonekeep does not know; InvalidArgument when
// the bytes are not a valid key of that algorithm.
absl::StatusOr<EvpPkeyPtr> PublicKeyFromDnskey(Algorithm algorithm,
                                               absl::string_view public_key);

// The DNSKEY public key field of `pkey` (either half of a key pair will do:
// only public components are read). InvalidArgument when `pkey` is not a key
// of `algorithm`'s type.
absl::StatusOr<std::string> DnskeyPublicKeyOf(const EVP_PKEY* pkey,
                                              Algorithm algorithm);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_PUBLIC_KEY_H_
