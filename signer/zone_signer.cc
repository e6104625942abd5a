#include "signer/zone_signer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dnssec/digest_type.h"
#include "dnssec/ds.h"
#include "dnssec/name.h"
#include "dnssec/zone_key.h"
#include "signer/busy_time.h"
#include "signer/checked_text_output.h"
#include "signer/denial_chain.h"
#include "signer/key_set.h"
#include "signer/nsec3_hash.h"
#include "signer/output_readback.h"
#include "signer/parallel.h"
#include "signer/rrsig.h"
#include "signer/signature_record.h"
#include "signer/signature_reuse.h"
#include "signer/validity_window.h"
#include "signer/zone_model.h"
#include "signer/zone_parser.h"
#include "signer/zone_verifier.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr int64_t kDefaultValidity = 30 * 24 * 3600;

// The validity window by CheckValidityWindow (serial-number arithmetic,
// signer/validity_window.h), then jitter, refresh and NSEC3 parameters.
absl::Status CheckOptions(const SignOptions& o, int64_t inception,
                          int64_t expiration, int64_t now) {
  if (absl::Status s = CheckValidityWindow(inception, expiration, now);
      !s.ok()) {
    return s;
  }
  if (o.jitter < 0 || o.jitter >= expiration - inception) {
    return absl::InvalidArgumentError(
        "jitter must be >= 0 and shorter than the validity period");
  }
  if (o.refresh < 0) {
    return absl::InvalidArgumentError("refresh interval must be >= 0");
  }
  if (o.nsec3.enabled) {
    if (o.nsec3.iterations > kMaxNsec3Iterations) {
      return absl::InvalidArgumentError(absl::StrCat(
          "NSEC3 iterations ", o.nsec3.iterations, " above ",
          kMaxNsec3Iterations,
          ": validators treat the zone as insecure (CVE-2023-50868)"));
    }
    if (o.nsec3.iterations > 0 && !o.nsec3.allow_iterations) {
      return absl::InvalidArgumentError(
          "NSEC3 iterations above 0 need an explicit override (RFC 9276 "
          "recommends 0)");
    }
    if (o.nsec3.salt.size() > 255) {
      return absl::InvalidArgumentError("NSEC3 salt longer than 255 octets");
    }
  }
  return absl::OkStatus();
}

// DNSKEY (all keys) and, if asked, CDS + CDNSKEY for the KSKs at the apex.
absl::Status AddKeyRRsets(Zone* zone, const KeySet& keys,
                          const SignOptions& options) {
  const uint32_t ttl = options.dnskey_ttl.value_or(zone->soa_ttl);
  RRset dnskey;
  dnskey.type = kTypeDnskey;
  dnskey.ttl = ttl;
  std::vector<absl::string_view> dnskeys;
  for (const dnssec::ZoneKey* key : keys.all) {
    dnskeys.emplace_back(
        reinterpret_cast<const char*>(key->dnskey_rdata.data()),
        key->dnskey_rdata.size());
  }
  zone->SetRdatas(&dnskey, std::move(dnskeys));  // sorted, no duplicates
  InsertRRset(&zone->apex(), std::move(dnskey));
  if (!options.add_cds && !options.cds_delete) return absl::OkStatus();
  RRset cds, cdnskey;
  cds.type = kTypeCds;
  cdnskey.type = kTypeCdnskey;
  cds.ttl = cdnskey.ttl = ttl;
  std::vector<std::string> cds_rdatas, cdnskey_rdatas;
  if (options.cds_delete) {
    // RFC 8078 section 4: CDS 0 0 0 00 and CDNSKEY 0 3 0 AA==.
    cds_rdatas.push_back(std::string("\0\0\0\0\0", 5));
    cdnskey_rdatas.push_back(std::string("\0\0\3\0\0", 5));
  }
  for (const dnssec::ZoneKey* key : options.cds_delete
                                        ? std::vector<const dnssec::ZoneKey*>()
                                        : keys.cds_ksks) {
    const std::string rdata(key->dnskey_rdata.begin(), key->dnskey_rdata.end());
    absl::StatusOr<std::string> ds =
        dnssec::BuildDsRdata(zone->origin, rdata, dnssec::DigestType::kSha256);
    if (!ds.ok()) return ds.status();
    cds_rdatas.push_back(*std::move(ds));
    cdnskey_rdatas.push_back(rdata);
  }
  // Sorted, no duplicates.
  zone->SetRdatas(&cds, {cds_rdatas.begin(), cds_rdatas.end()});
  zone->SetRdatas(&cdnskey, {cdnskey_rdatas.begin(), cdnskey_rdatas.end()});
  InsertRRset(&zone->apex(), std::move(cds));
  InsertRRset(&zone->apex(), std::move(cdnskey));
  return absl::OkStatus();
}

bool IsKeyType(uint16_t type) {
  return type == kTypeDnskey || type == kTypeCds || type == kTypeCdnskey;
}

// Per-RRset deterministic jitter in [0, jitter].
uint32_t JitterFor(size_t index, int64_t jitter) {
  if (jitter <= 0) return 0;
  uint64_t z = index + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<uint32_t>(z % static_cast<uint64_t>(jitter + 1));
}

// True once the caller has cancelled (SignOptions::cancelled).
bool Cancelled(const SignOptions& options) {
  return options.cancelled && options.cancelled();
}

// Asks SignOptions::cancelled from the sign workers at most once per
// kInterval in all (the first ask at once). Asking every 32 RRsets cost 4% of
// the sign step through keystored: a sync gRPC server's IsCancelled polls its
// completion queue (about 27 us a call). Thread-safe.
class ThrottledCancelCheck {
 public:
  static constexpr std::chrono::milliseconds kInterval{10};

  explicit ThrottledCancelCheck(const SignOptions& options)
      : options_(options) {}

  // True if the caller has cancelled; false without asking when another
  // worker asked less than kInterval ago.
  bool Cancelled() {
    if (!options_.cancelled) return false;
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    int64_t due = next_due_.load(std::memory_order_relaxed);
    if (now < due || !next_due_.compare_exchange_strong(
                         due, now + std::chrono::nanoseconds(kInterval).count(),
                         std::memory_order_relaxed)) {
      return false;
    }
    return options_.cancelled();
  }

 private:
  const SignOptions& options_;
  std::atomic<int64_t> next_due_{INT64_MIN};
};

absl::Status CancelledStatus(const char* phase) {
  return absl::CancelledError(
      absl::StrCat("signing cancelled by the caller (", phase, ")"));
}

// The engine's steps, in report order.
enum Step {
  kParse,
  kBuild,
  kDenial,
  kSign,
  kVerify,
  kWrite,
  kReadback,
  kSteps
};
constexpr const char* kStepNames[kSteps] = {
    "parse", "build", "denial", "sign", "verify", "write", "readback"};

// Busy time per step (signer/busy_time.h) and the run's wall time.
class StepTimes {
 public:
  BusyCounter* operator[](Step step) { return &busy_[step]; }
  // Each step's busy seconds (verify and readback only with self-verify),
  // then ("wall", seconds since construction).
  void Report(bool self_verify, SignReport* report) const {
    for (int step = 0; step < kSteps; ++step) {
      if (!self_verify && (step == kVerify || step == kReadback)) continue;
      report->phase_seconds.emplace_back(kStepNames[step],
                                         busy_[step].Seconds());
    }
    report->phase_seconds.emplace_back(
        "wall", absl::ToDoubleSeconds(absl::Now() - start_));
  }

 private:
  const absl::Time start_ = absl::Now();
  BusyCounter busy_[kSteps];
};

// What a run can hand over instead of freeing (SignReport::working_memory).
void HandOver(const SignOptions& options, Zone* zone, SignReport* report) {
  if (!options.hand_over_working_memory) return;
  report->working_memory = std::make_shared<Zone>(std::move(*zone));
}

absl::Status SelfVerifyError(absl::string_view message) {
  return absl::InternalError(
      absl::StrCat("self-verify failed, zone not returned: ", message));
}

// SignZone's body; `owned_text`, when given, holds `zone_text` and is freed
// right after parsing.
absl::StatusOr<SignReport> SignZoneImpl(
    absl::string_view zone_text, std::string* owned_text,
    absl::string_view display_name, const std::vector<dnssec::ZoneKey>& keys,
    const SignOptions& options, const ZoneSink& sink) {
  const int64_t now = options.now.value_or(static_cast<int64_t>(time(nullptr)));
  const int64_t inception = options.inception.value_or(now - 3600);
  const int64_t expiration =
      options.expiration.value_or(now + kDefaultValidity);
  if (absl::Status s = CheckOptions(options, inception, expiration, now);
      !s.ok()) {
    return s;
  }
  auto key_set = CheckKeySet(keys, options.origin.empty()
                                       ? display_name
                                       : absl::string_view(options.origin));
  if (!key_set.ok()) return key_set.status();

  SignReport report;
  report.inception = inception;
  report.expiration = expiration;
  StepTimes steps;
  BusyScope step(steps[kParse]);
  auto parsed = ParseZoneText(zone_text, display_name, options.origin);
  if (!parsed.ok()) return parsed.status();
  if (owned_text != nullptr) std::string().swap(*owned_text);
  if (absl::Status s =
          CheckRecordLimits(parsed->records, parsed->dnssec_records_dropped,
                            display_name, options.limits);
      !s.ok()) {
    return s;
  }
  step.Charge(steps[kBuild]);
  if (Cancelled(options)) return CancelledStatus("after parse");
  report.records_in = parsed->records.size() + parsed->dnssec_records_dropped;
  report.dnssec_records_dropped = parsed->dnssec_records_dropped;
  auto built = BuildZone(std::move(parsed->origin), std::move(parsed->records),
                         display_name);
  if (!built.ok()) return built.status();
  Zone& zone = *built;
  step.Charge(steps[kDenial]);
  if (Cancelled(options)) return CancelledStatus("after build");
  if (options.limits.max_signatures > 0) {
    int zsks = 0;
    int ksks = 0;
    for (const dnssec::ZoneKey& key : keys) {
      if (key.signer == nullptr) continue;
      (key.role == dnssec::KeyRole::kKsk ? ksks : zsks) += 1;
    }
    const int64_t estimated =
        EstimateSignatures(zone, options.nsec3.enabled, options.nsec3.opt_out,
                           options.add_cds, zsks, ksks);
    if (absl::Status s =
            CheckSignatureLimit(estimated, display_name, options.limits);
        !s.ok()) {
      return s;
    }
  }

  // SOA serial.
  RRset* const soa_rrset = zone.apex().Find(kTypeSoa);
  std::string soa(soa_rrset->rdatas.front());
  auto serial = SoaSerial(soa);
  if (!serial.ok()) return serial.status();
  report.serial = NextSerial(*serial, options.serial_mode, now);
  if (absl::Status s = SetSoaSerial(report.serial, &soa); !s.ok()) return s;
  zone.SetRdatas(soa_rrset, {soa});

  if (absl::Status s = AddKeyRRsets(&zone, *key_set, options); !s.ok()) {
    return s;
  }
  for (const Node& node : zone.nodes) {
    if (!node.ent) ++report.names;
  }
  const uint32_t denial_ttl = std::min(zone.soa_minimum, zone.soa_ttl);
  if (options.nsec3.enabled) {
    Nsec3Params params;
    params.salt = options.nsec3.salt;
    params.iterations = options.nsec3.iterations;
    params.opt_out = options.nsec3.opt_out;
    if (absl::Status s = AddNsec3Chain(&zone, params, denial_ttl); !s.ok()) {
      return s;
    }
  } else if (absl::Status s = AddNsecChain(&zone, denial_ttl); !s.ok()) {
    return s;
  }

  step.Charge(steps[kSign]);
  if (Cancelled(options)) return CancelledStatus("after denial");

  // One job per RRset to sign.
  std::vector<RRset*> jobs;
  std::vector<const Node*> owners;
  for (Node& node : zone.nodes) {
    for (RRset& rrset : node.rrsets) {
      if (rrset.type == kTypeNsec) ++report.nsec_records;
      if (rrset.type == kTypeNsec3) ++report.nsec3_records;
      report.records_out += rrset.rdatas.size();
      if (!IsSignedRRset(node, rrset)) continue;
      jobs.push_back(&rrset);
      owners.push_back(&node);
    }
  }
  // Incremental signing: each signature's record key, per job and signer.
  const bool digests_wanted =
      options.reuse != nullptr ||
      (options.record_signatures && options.self_verify);
  const size_t max_signers =
      std::max(key_set->active_zsks.size(), key_set->active_ksks.size());
  std::vector<SignatureDigest> digests(
      digests_wanted ? jobs.size() * max_signers : 0);
  std::vector<SignatureDigest> zsk_ids, ksk_ids;
  if (digests_wanted) {
    for (const dnssec::ZoneKey* key : key_set->active_zsks) {
      zsk_ids.push_back(KeyIdentity(absl::string_view(
          reinterpret_cast<const char*>(key->dnskey_rdata.data()),
          key->dnskey_rdata.size())));
    }
    for (const dnssec::ZoneKey* key : key_set->active_ksks) {
      ksk_ids.push_back(KeyIdentity(absl::string_view(
          reinterpret_cast<const char*>(key->dnskey_rdata.data()),
          key->dnskey_rdata.size())));
    }
  }
  std::atomic<bool> stop{false};
  std::mutex error_mu;
  absl::Status error;
  std::atomic<size_t> signatures{0};
  std::atomic<size_t> reused{0};
  std::atomic<int64_t> earliest_made{INT64_MAX};
  std::atomic<bool> cancelled{false};
  ThrottledCancelCheck cancel_check(options);
  ParallelFor(jobs.size(), options.threads, 32, stop, [&](size_t i) {
    if (i % 32 == 0 && cancel_check.Cancelled()) {
      cancelled.store(true);
      stop.store(true);
      return;
    }
    thread_local std::string data;
    thread_local std::string rrset_wire;
    RRset& rrset = *jobs[i];
    const Node& node = *owners[i];
    const bool key_type = IsKeyType(rrset.type);
    const std::vector<const dnssec::ZoneKey*>& signers =
        key_type ? key_set->active_ksks : key_set->active_zsks;
    RrsigFields fields;
    fields.type_covered = rrset.type;
    fields.labels =
        static_cast<uint8_t>(dnssec::LabelCount(node.name) -
                             (dnssec::IsWildcard(node.name) ? 1 : 0));
    fields.original_ttl = rrset.ttl;
    fields.inception = static_cast<uint32_t>(inception);
    const int64_t new_expiration = expiration - JitterFor(i, options.jitter);
    fields.expiration = static_cast<uint32_t>(new_expiration);
    fields.signer_name = zone.origin;
    rrset_wire.clear();
    AppendSignedRRset(node.name, rrset.type, rrset.ttl, rrset.rdatas,
                      &rrset_wire);
    rrset.sigs.reserve(signers.size());
    int64_t earliest = INT64_MAX;
    for (size_t k = 0; k < signers.size(); ++k) {
      const dnssec::ZoneKey* key = signers[k];
      fields.algorithm = key->algorithm;
      fields.key_tag = key->key_tag;
      if (digests_wanted) {
        SignatureDigest& digest = digests[i * max_signers + k];
        digest = SignatureEntryDigest(key_type ? ksk_ids[k] : zsk_ids[k],
                                      fields, rrset_wire);
        if (options.reuse != nullptr) {
          std::optional<absl::string_view> old = options.reuse->Find(digest);
          int64_t old_expiration = 0;
          if (old.has_value() &&
              MayReuseSignature(*old, fields, now, options.refresh, expiration,
                                &old_expiration)) {
            zone.AddSig(&rrset, *old);
            earliest = std::min(earliest, old_expiration);
            reused.fetch_add(1, std::memory_order_relaxed);
            signatures.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
        }
      }
      data.clear();
      AppendRrsigPrefix(fields, &data);
      const size_t prefix_size = data.size();
      data.append(rrset_wire);
      auto sig = key->signer->Sign(absl::MakeConstSpan(
          reinterpret_cast<const uint8_t*>(data.data()), data.size()));
      if (!sig.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (error.ok()) {
          error = absl::Status(
              sig.status().code(),
              absl::StrCat("signing ", dnssec::NameToText(node.name),
                           " with key ", key->key_tag, ": ",
                           sig.status().message()));
        }
        stop.store(true);
        return;
      }
      // The RRSIG RDATA is the prefix and the signature: reuse the buffer.
      data.resize(prefix_size);
      data.append(reinterpret_cast<const char*>(sig->data()), sig->size());
      zone.AddSig(&rrset, data);
      earliest = std::min(earliest, new_expiration);
      signatures.fetch_add(1, std::memory_order_relaxed);
    }
    int64_t seen = earliest_made.load(std::memory_order_relaxed);
    while (earliest < seen && !earliest_made.compare_exchange_weak(
                                  seen, earliest, std::memory_order_relaxed)) {
    }
  });
  if (cancelled.load()) return CancelledStatus("while signing");
  if (!error.ok()) return error;
  step.Charge(nullptr);
  if (Cancelled(options)) return CancelledStatus("after sign");
  report.rrsets_signed = jobs.size();
  report.signatures = signatures.load();
  report.signatures_reused = reused.load();
  report.signatures_new = report.signatures - report.signatures_reused;
  report.records_out += report.signatures;
  report.max_ttl = 0;
  for (const Node& node : zone.nodes) {
    for (const RRset& r : node.rrsets) {
      report.max_ttl = std::max(report.max_ttl, r.ttl);
    }
  }
  for (const dnssec::ZoneKey* k : key_set->active_zsks) {
    report.zsk_tags.push_back(k->key_tag);
  }
  for (const dnssec::ZoneKey* k : key_set->active_ksks) {
    report.ksk_tags.push_back(k->key_tag);
  }
  report.earliest_expiration = jobs.empty() ? expiration : earliest_made.load();
  const ZoneTextWriterFn write_text = options.text_writer_for_testing
                                          ? options.text_writer_for_testing
                                          : WriteZoneText;
  if (!options.self_verify) {
    step.Charge(steps[kWrite]);
    if (absl::Status s = write_text(zone, sink, options.threads); !s.ok()) {
      return s;
    }
    step.Charge(nullptr);
    steps.Report(/*self_verify=*/false, &report);
    HandOver(options, &zone, &report);
    return report;
  }
  // Self-verify: the signed records (VerifyZone) and the output text, read
  // back window by window as it is formatted (FormatAndReadBack, pass 1 of
  // signer/checked_text_output.h). Both only read `zone`; in the pipelined
  // mode they run at the same time, the verify on a thread of its own with
  // all of options.threads, the text side beside it with half of them (more
  // threads than cores: the kernel shares the cores). The verify is most of
  // the checks' work (at 100k delegations 2.6 busy seconds against the text
  // side's 0.75), so it keeps every core busy while the text side runs and
  // has them all once that is done; with half each, one core idled for the
  // last ~2 s of the verify. The text side keeps its half because its memory
  // grows with its workers. Either way nothing reaches the sink before both
  // have passed (pass 2 formats again and sends only pieces identical to
  // those read back), and a failed verify is the error reported first, as
  // in the sequential order.
  absl::StatusOr<VerifyReport> verified =
      absl::UnknownError("self-verify did not run");
  // With one thread there is nothing to overlap on.
  const int all_threads = ResolveThreads(options.threads);
  const bool overlap = !options.sequential && all_threads >= 2;
  const int text_threads =
      overlap ? all_threads - all_threads / 2 : all_threads;
  auto verify = [&]() {
    BusyScope scope(steps[kVerify]);
    verified =
        VerifyZone(zone, now, all_threads,
                   options.reuse_verified_before ? options.reuse : nullptr);
  };
  std::thread verifier;
  if (!overlap) {
    verify();
    if (!verified.ok()) return SelfVerifyError(verified.status().message());
    if (Cancelled(options)) return CancelledStatus("after verify");
  } else {
    verifier = std::thread(verify);
  }
  step.Charge(steps[kWrite]);
  absl::StatusOr<ReadBackPieces> read_back = FormatAndReadBack(
      write_text, zone, text_threads, options.readback_window_bytes_for_testing,
      steps[kReadback]);
  step.Charge(nullptr);
  if (verifier.joinable()) verifier.join();
  if (!verified.ok()) return SelfVerifyError(verified.status().message());
  if (!read_back.ok()) {
    // The writer's own failure as it is; a read-back difference is
    // self-verify's.
    if (absl::IsInternal(read_back.status())) {
      return SelfVerifyError(read_back.status().message());
    }
    return read_back.status();
  }
  report.earliest_expiration = verified->earliest_expiration;
  report.signatures_verified_before = verified->signatures_verified_before;
  report.verified = true;
  if (Cancelled(options)) return CancelledStatus("after read-back");
  step.Charge(steps[kWrite]);
  if (options.record_signatures) {
    // Verified twice now: these signatures may be reused by a later run.
    SignatureRecordBuilder record;
    for (size_t i = 0; i < jobs.size(); ++i) {
      const std::vector<absl::string_view>& sigs = jobs[i]->sigs;
      for (size_t k = 0; k < sigs.size() && k < max_signers; ++k) {
        record.Add(digests[i * max_signers + k], sigs[k]);
      }
    }
    report.signature_record = record.Finish(zone.origin);
  }
  if (absl::Status s =
          SendReadBackText(write_text, zone, *read_back, sink, all_threads);
      !s.ok()) {
    return s;
  }
  step.Charge(nullptr);
  steps.Report(/*self_verify=*/true, &report);
  HandOver(options, &zone, &report);
  return report;
}

}  // namespace

absl::StatusOr<SignReport> SignZone(absl::string_view zone_text,
                                    absl::string_view display_name,
                                    const std::vector<dnssec::ZoneKey>& keys,
                                    const SignOptions& options,
                                    const ZoneSink& sink) {
  return SignZoneImpl(zone_text, nullptr, display_name, keys, options, sink);
}

absl::StatusOr<SignReport> SignZoneReleasingText(
    std::string zone_text, absl::string_view display_name,
    const std::vector<dnssec::ZoneKey>& keys, const SignOptions& options,
    const ZoneSink& sink) {
  const absl::string_view view = zone_text;
  return SignZoneImpl(view, &zone_text, display_name, keys, options, sink);
}

absl::StatusOr<SignReport> SignZone(absl::string_view zone_text,
                                    absl::string_view display_name,
                                    const std::vector<dnssec::ZoneKey>& keys,
                                    const SignOptions& options,
                                    std::string* out) {
  out->clear();
  std::string result;
  auto report = SignZone(zone_text, display_name, keys, options,
                         [&result](absl::string_view chunk) {
                           result.append(chunk.data(), chunk.size());
                           return absl::OkStatus();
                         });
  if (report.ok()) *out = std::move(result);
  return report;
}

}  // namespace signer
}  // namespace zonekeep
