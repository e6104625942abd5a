// The signer engine's public face: signs one zone given as master-file text
// with the zone's keys from the key store, and hands back the signed zone as
// master-file text in canonical order plus a SignReport.
//
// Contract:
//  - The engine sees only dnssec::ZoneKey metadata and opaque SigningHandles;
//  it never
//    touches the key store's database or private key bytes.
//  - Old DNSSEC records in the input (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY,
//    CDS, CDNSKEY) are dropped; the DNSKEY RRset is built from `keys` (all
//    published, active and rollover keys).
//  - Active ZSKs sign authoritative RRsets; active KSKs (rollover ones too)
//    sign DNSKEY, CDS and CDNSKEY. No RRSIG over delegation NS or glue.
//  - KeyTrap limits (CVE-2023-50387): two keys with the same (algorithm, key
//    tag) are refused; at most 2 active ZSKs and 2 active KSKs.
//  - With self_verify (the default) the zone is checked twice before any
//    byte reaches the sink, and a zone that fails either check is never
//    written: the signed records independently (VerifyZone), and the output
//    text itself (both at once unless SignOptions::sequential), which is
//    formatted and parsed again window by window and must read back as
//    exactly the signed records (signer/output_readback.h). The text is then
//    formatted a second time and each piece reaches the sink only if it is
//    byte for byte (size, SHA-256) a piece that read back
//    (signer/checked_text_output.h), so the whole text is never held.
//    Without self_verify, output is streamed as formatted, still only after
//    signing ends.
//  - Incremental signing (SignOptions::reuse): the output is the same zone a
//    full sign would give, except that some RRSIGs are earlier ones that
//    still pass the reuse rule; report.signatures_reused/new count them.
//  - The validity window must be expressible as RRSIG serial times
//    (CheckValidityWindow in signer/validity_window.h), else InvalidArgument.
//  - options.limits (records, name labels, signatures) are checked before
//    the work they bound: ResourceExhausted naming the limit.
//  - Errors: InvalidArgument for bad input or options ("name:line: reason"),
//    FailedPrecondition for key-set problems (no keys, KeyTrap limits),
//    Internal for a failed self-verify or read-back ("...: output line N:
//    OWNER TYPE: the written text reads back differently (...)"; nothing is
//    written then), the sink's
//    own status if it fails (output may then be partial: callers write to a
//    temp file and rename).
// Thread-safety: SignZone may run concurrently for different zones; it starts
// up to options.threads worker threads and calls the keys' Sign from them
// (the pipelined self-verify runs its two checks at once: the verify on all
// of them, the text side on half of them beside it).
#ifndef ZONEKEEP_SIGNER_ZONE_SIGNER_H_
#define ZONEKEEP_SIGNER_ZONE_SIGNER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dnssec/zone_key.h"
#include "signer/output_readback.h"
#include "signer/signature_record.h"
#include "signer/soa_serial.h"
#include "signer/zone_limits.h"
#include "signer/zone_model.h"
#include "signer/zone_text_writer.h"

namespace zonekeep {
namespace signer {

struct Nsec3Options {
  bool enabled = false;
  std::string salt;  // raw bytes; empty (RFC 9276) by default
  uint16_t iterations = 0;
  bool opt_out = false;
  // Iterations above 0 need this explicit override (RFC 9276); above 50 is
  // always refused.
  bool allow_iterations = false;
};

struct SignOptions {
  std::string origin;  // zone name; empty: the SOA owner (first record)
  // Absolute unix times; defaults now - 1h and now + 30 days. Checked in
  // serial-number arithmetic against `now` (CheckValidityWindow).
  std::optional<int64_t> inception;
  std::optional<int64_t> expiration;
  int64_t jitter = 0;  // seconds subtracted at random per RRset from expiry
  // dnssec-signzone -i: a signature from `reuse` is kept only if it
  // expires later than now + refresh (signer/signature_reuse.h).
  int64_t refresh = 0;
  // Incremental signing: signatures an earlier run recorded
  // (signer/signature_record.h). For each RRset and each key that signs it
  // now, an entry for the same digest (RRset bytes, key, fixed RRSIG fields)
  // that passes MayReuseSignature is used instead of a new signature; every
  // other one is made afresh. Null: everything is signed. RRSIGs in the
  // input are dropped by the parser and never reused. Self-verify checks
  // reused signatures like new ones.
  const SignatureRecord* reuse = nullptr;
  // The caller vouches that every entry of `reuse` is a signature an earlier
  // self-verify accepted and that the record is authentic (keystored checks
  // an HMAC under its master key): self-verify then skips the signature
  // arithmetic of an RRSIG byte-identical to its entry, and only that
  // (VerifyZone's `verified_before`). False: every signature is verified.
  bool reuse_verified_before = false;
  // Fill SignReport::signature_record with this run's signatures (reused and
  // new). Only a self-verified zone is recorded: without self_verify the
  // report's record stays empty.
  bool record_signatures = false;
  SerialMode serial_mode = SerialMode::kKeep;
  Nsec3Options nsec3;
  std::optional<uint32_t> dnskey_ttl;  // default: the SOA TTL
  // CDS (SHA-256) + CDNSKEY for the KSKs the parent should have (the keys
  // marked ZoneKey::cds; all active KSKs when none is).
  bool add_cds = false;
  // RFC 8078 delete form instead (CDS 0 0 0 00, CDNSKEY 0 3 0 AA==): the
  // parent may remove the DS. Implies add_cds.
  bool cds_delete = false;
  bool self_verify = true;
  // The pipelined full sign (the default) runs the self-verify of the signed
  // records at the same time as the formatting and read-back of the output
  // text: the verify, the larger part, on all of `threads`, the text side on
  // half of them beside it (more threads than cores; with one thread: in
  // sequence); sequential runs them one after another, as before. Same
  // checks, same output bytes, same errors (a failed verify is reported
  // first).
  bool sequential = false;
  int threads = 0;  // 0: all cores
  // What the zone may cost (signer/zone_limits.h): records and name depth
  // checked right after parsing, signatures from the model's counts before
  // the denial chain is built. Refusals are ResourceExhausted naming the
  // limit. Zeros (the default): no limit; keystored sets them from config.
  ZoneLimits limits;
  std::optional<int64_t> now;  // default: the clock
  // Cancellation: when set, called between the phases and, from the worker
  // threads, at most once per 10 ms while signing; once it returns true
  // SignZone stops, frees the zone and returns CANCELLED without calling the
  // sink again. Must be thread-safe (e.g. ServerContext::IsCancelled).
  std::function<bool()> cancelled;
  // Test seam: the text writer (empty: WriteZoneText). Tests put a broken one
  // here to show that self-verify's read-back refuses what it writes.
  ZoneTextWriterFn text_writer_for_testing;
  // When set, the run's zone model is not freed before
  // SignZone returns but handed over in SignReport::working_memory, so that a
  // server can answer its client first and free them afterwards (keystored
  // frees them on a thread of its own). Off: freed before SignZone returns.
  bool hand_over_working_memory = false;
  // Tests only: how much output text the read-back parses at a time.
  size_t readback_window_bytes_for_testing = kReadBackWindowBytes;
};

struct SignReport {
  size_t records_in = 0;
  size_t dnssec_records_dropped = 0;
  size_t names = 0;  // owner names with data (ENTs not counted)
  size_t rrsets_signed = 0;
  size_t signatures = 0;
  size_t signatures_reused = 0;  // taken from SignOptions::reuse
  size_t signatures_new = 0;     // made by this run
  // Of the signatures self-verify checked, those accepted as byte-identical
  // to an entry of a verified-before record (SignOptions::
  // reuse_verified_before); the rest were verified by their arithmetic.
  size_t signatures_verified_before = 0;
  size_t nsec_records = 0;
  size_t nsec3_records = 0;
  size_t records_out = 0;
  uint32_t serial = 0;
  uint32_t max_ttl = 0;
  // The validity window every RRSIG got (unix seconds); jitter moves single
  // expirations earlier than `expiration`.
  int64_t inception = 0;
  int64_t expiration = 0;
  int64_t earliest_expiration = 0;  // over all RRSIGs (self-verify or made)
  bool verified = false;
  std::vector<uint16_t> zsk_tags;  // active ZSKs that signed
  std::vector<uint16_t> ksk_tags;  // active KSKs that signed the DNSKEY set
  // Busy time of each step (CPU seconds of the threads working for it,
  // signer/busy_time.h), in order: parse, build, denial, sign, verify,
  // write (formatting and handing to the sink), readback (verify and readback
  // absent without self-verify); then "wall", the whole run's wall time.
  // Steps may overlap (SignOptions::sequential), so the busy times do not
  // add up to the wall time. For operators and the benchmark.
  std::vector<std::pair<std::string, double>> phase_seconds;
  // With SignOptions::record_signatures and a passing self-verify: the
  // signature record file (SignatureRecordBuilder::Finish) for this zone.
  std::string signature_record;
  // With SignOptions::hand_over_working_memory, on success: the run's zone
  // model; dropping the last reference frees it.
  std::shared_ptr<void> working_memory;
};

absl::StatusOr<SignReport> SignZone(absl::string_view zone_text,
                                    absl::string_view display_name,
                                    const std::vector<dnssec::ZoneKey>& keys,
                                    const SignOptions& options,
                                    const ZoneSink& sink);

// As above, but takes the zone text and frees it once it is parsed, so the
// text and the zone model are never held together (keystored's peak memory).
absl::StatusOr<SignReport> SignZoneReleasingText(
    std::string zone_text, absl::string_view display_name,
    const std::vector<dnssec::ZoneKey>& keys, const SignOptions& options,
    const ZoneSink& sink);

// Convenience: appends the signed zone to `*out` (cleared first).
absl::StatusOr<SignReport> SignZone(absl::string_view zone_text,
                                    absl::string_view display_name,
                                    const std::vector<dnssec::ZoneKey>& keys,
                                    const SignOptions& options,
                                    std::string* out);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ZONE_SIGNER_H_
