// SignZoneWithKeyStore: signs one zone for a client with the key store's keys.
//
// Contract: loads the zone's DNSKEY set and signers from the key manager, runs
// the signer engine (self-verify on unless the options switch it off), records
// the signing (key set, max TTL) for the rollover waits, and audits the call
// with the caller's identity. The client never learns which keys are active
// beyond what the signed zone itself shows. A zone that fails is never
// returned. Thread-safety: safe from many threads (each call is independent).
#ifndef ZONEKEEP_KEYSTORE_ZONE_SIGNING_H_
#define ZONEKEEP_KEYSTORE_ZONE_SIGNING_H_

#include <string>

#include "absl/status/statusor.h"
#include "keystore/key_manager.h"
#include "proto/keystore.pb.h"

namespace zonekeep {

struct SignedZone {
  std::string text;  // master file, canonical order
  v1::SignSummary summary;
};

absl::StatusOr<SignedZone> SignZoneWithKeyStore(KeyManager* keys,
                                                const std::string& identity,
                                                const v1::SignOptions& options,
                                                const std::string& zone_text);

}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_ZONE_SIGNING_H_
