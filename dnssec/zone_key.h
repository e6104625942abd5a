// What leaves the key store: a zone's keys as public metadata plus opaque
// signers. The signer engine and the daemon see keys only in this form.
//
// A SigningHandle signs bytes with a private key it never reveals; there is no
// getter for key material. ZoneKey is the safe-to-log description of one key in
// a zone's DNSKEY set, with a handle only when the key is active (it signs).
// Thread-safety: SigningHandle::Sign is const and safe to call from many
// threads at once (the signer engine calls it from every worker).
#ifndef ZONEKEEP_DNSSEC_ZONE_KEY_H_
#define ZONEKEEP_DNSSEC_ZONE_KEY_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "dnssec/algorithm.h"

namespace zonekeep {
namespace dnssec {

class SigningHandle {
 public:
  virtual ~SigningHandle() = default;
  // Signs `data` (RFC 4034 section 3.1.8.1 signed data: RRSIG RDATA without the
  // signature, then the canonical RRset) and returns the signature in DNSSEC
  // wire form (RFC 3110 for RSA, r||s per RFC 6605 for ECDSA, RFC 8080 for
  // EdDSA).
  virtual absl::StatusOr<std::vector<uint8_t>> Sign(
      absl::Span<const uint8_t> data) const = 0;
};

// A key's job in its zone, and where it is in its cycle (docs/ARCHITECTURE.md
// "Key model"): published keys are in the DNSKEY RRset, active keys also sign.
enum class KeyRole { kKsk, kZsk };
enum class KeyState { kPublished, kActive };

struct ZoneKey {
  Algorithm algorithm = Algorithm::kEcdsaP256Sha256;
  uint16_t key_tag = 0;
  uint16_t flags = 0;  // 257 for a KSK (SEP), 256 for a ZSK
  KeyRole role = KeyRole::kZsk;
  KeyState state = KeyState::kPublished;
  bool rollover = false;  // leaves at the next stage 2
  // KSKs: the parent should have its DS; CDS/CDNSKEY name it.
  bool cds = false;
  // DNSKEY RDATA in wire form: flags, protocol 3, algorithm, public key.
  std::vector<uint8_t> dnskey_rdata;
  // Set when state == kActive; null for published keys.
  std::shared_ptr<const SigningHandle> signer;
};

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_ZONE_KEY_H_
