// SignZoneWithKeyStore: signs one zone for a client with the key store's keys.
//
// Contract: loads the zone's DNSKEY set and signers from the key manager, runs
// the signer engine (self-verify on unless the options switch it off), records
// the signing (key set, max TTL) for the rollover waits, and audits the call
// with the caller's identity. The client never learns which keys are active
// beyond what the signed zone itself shows.
// The signed zone goes to `sink` in pieces, in order, and only once it has
// passed self-verify (unless that is switched off): a zone that fails is never
// handed out, and keystored never holds a second copy of it. After the last
// piece the sink is called once with an empty piece (flush what you buffer);
// only then is the signing recorded. A sink error ends the call with that
// error, and the signing is then not recorded for the rollover waits.
// `zone_text` is freed as soon as it is parsed. `cancelled` (may be empty) is
// the engine's cancel hook (signer::SignOptions::cancelled): once it returns
// true the engine stops between phases or within the signing loop, frees the
// zone and the call returns CANCELLED. `limits` go to the engine
// (records, name labels, signatures): RESOURCE_EXHAUSTED naming the limit.
// Incremental signing, when `signature_dir` is set (STATE/signatures,
// keystore/daemon/signature_record_file.h): with options.refresh_seconds > 0
// (dnssigner -i) the zone's record is loaded and its signatures reused where
// the engine's rule allows (signer::SignOptions::reuse); a missing or damaged
// record only means a full sign, and the summary's full_sign_reason says
// why. After every self-verified signing that reached the client, the
// signatures of this run (reused and new) replace the record; failing to
// write it fails nothing (summary.record_error). Without -i the zone is
// signed in full (0 is "not given" on the wire) but still recorded.
// `working_memory` (may be null): on success it receives the engine's zone
// model and output text (signer::SignReport::working_memory) instead of their
// being freed before the call returns, so the caller can answer its client
// first and free them afterwards; null: freed before the call returns.
// Thread-safety: safe from many threads (each call is independent).
#ifndef ZONEKEEP_KEYSTORE_DAEMON_ZONE_SIGNING_H_
#define ZONEKEEP_KEYSTORE_DAEMON_ZONE_SIGNING_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "keystore/key_manager.h"
#include "proto/keystore.pb.h"
#include "signer/zone_limits.h"

namespace zonekeep {
namespace keystored {

// Receives the signed master file (canonical order) in pieces; an empty piece
// marks the end.
using SignedZoneSink = std::function<absl::Status(absl::string_view)>;

absl::StatusOr<v1::SignSummary> SignZoneWithKeyStore(
    keystore::KeyManager* keys, const std::string& identity,
    const v1::SignOptions& options, std::string zone_text,
    const SignedZoneSink& sink, std::function<bool()> cancelled = nullptr,
    const signer::ZoneLimits& limits = {},
    const std::string& signature_dir = "",
    std::shared_ptr<void>* working_memory = nullptr);

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_ZONE_SIGNING_H_
