#include "keystore/daemon/zone_signing.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "dnssec/name.h"
#include "dnssec/zone_key.h"
#include "keystore/daemon/engine_options.h"
#include "keystore/daemon/signature_record_file.h"
#include "signer/signature_record.h"
#include "signer/zone_signer.h"

namespace zonekeep {
namespace keystored {

absl::StatusOr<v1::SignSummary> SignZoneWithKeyStore(
    keystore::KeyManager* keys, const std::string& identity,
    const v1::SignOptions& options, std::string zone_text,
    const SignedZoneSink& sink, std::function<bool()> cancelled,
    const signer::ZoneLimits& limits, const std::string& signature_dir,
    std::shared_ptr<void>* working_memory) {
  std::string tags_text;
  auto fail = [&](absl::Status status) {
    // The call has failed already; a failing audit write cannot add to that.
    keys->RecordAudit(identity, "sign", options.origin(), tags_text, status)
        .IgnoreError();
    return status;
  };
  absl::StatusOr<signer::SignOptions> engine_options = ToEngineOptions(options);
  if (!engine_options.ok()) return fail(engine_options.status());
  engine_options->cancelled = std::move(cancelled);
  engine_options->limits = limits;
  engine_options->hand_over_working_memory = working_memory != nullptr;
  absl::StatusOr<std::vector<dnssec::ZoneKey>> zone_keys =
      keys->LoadZoneKeys(options.origin());
  if (!zone_keys.ok()) return fail(zone_keys.status());
  // The zone's own CDS choices (config zones[].cds, maintkeydb cds-delete).
  absl::StatusOr<keystore::CdsChoice> cds = keys->CdsOf(options.origin());
  if (!cds.ok()) return fail(cds.status());
  engine_options->add_cds = engine_options->add_cds || cds->publish;
  engine_options->cds_delete = cds->delete_form;
  std::vector<uint16_t> key_tags;
  keystore::SignedZone signed_zone;
  for (const dnssec::ZoneKey& key : *zone_keys) {
    key_tags.push_back(key.key_tag);
    // The key set as loaded now, not as it is when the signing ends.
    if (key.signer != nullptr) signed_zone.active_tags.push_back(key.key_tag);
  }
  std::sort(key_tags.begin(), key_tags.end());
  tags_text = absl::StrJoin(key_tags, ",");

  // The signature records carry a tag under the master key: a record that
  // loads is one this key store wrote after a passing self-verify.
  const RecordTagger tag = [keys](absl::string_view bytes) {
    return keys->StateTag(kSignatureRecordTagPurpose, bytes);
  };
  // Incremental signing: the record of earlier runs, if -i asks for it.
  std::optional<signer::SignatureRecord> record;
  std::string full_sign_reason;
  const std::string record_path =
      signature_dir.empty()
          ? std::string()
          : SignatureRecordPath(signature_dir, options.origin());
  const absl::Time load_started = absl::Now();
  if (!record_path.empty()) {
    engine_options->record_signatures = true;
    if (options.refresh_seconds() > 0) {
      absl::StatusOr<std::string> origin_wire =
          dnssec::CanonicalNameWire(options.origin());
      absl::StatusOr<signer::SignatureRecord> loaded =
          origin_wire.ok()
              ? LoadSignatureRecord(record_path, *origin_wire, tag)
              : absl::StatusOr<signer::SignatureRecord>(origin_wire.status());
      if (loaded.ok()) {
        record.emplace(*std::move(loaded));
        engine_options->reuse = &*record;
        engine_options->reuse_verified_before = true;
      } else {
        full_sign_reason = std::string(loaded.status().message());
      }
    }
  }

  const double load_seconds = absl::ToDoubleSeconds(absl::Now() - load_started);

  const std::string display_name = options.display_name().empty()
                                       ? options.origin()
                                       : options.display_name();
  absl::StatusOr<signer::SignReport> report = signer::SignZoneReleasingText(
      std::move(zone_text), display_name, *zone_keys, *engine_options, sink);
  record.reset();  // the engine is done with it
  if (!report.ok()) return fail(report.status());
  // The whole zone is with the client before the signing counts.
  if (absl::Status s = sink(absl::string_view()); !s.ok()) {
    return fail(s);
  }

  // The key set is now out in a signed zone: that starts the stage-2 wait.
  // RecordZoneSigned writes the audit row of a successful signing.
  signed_zone.key_tags = key_tags;
  signed_zone.max_ttl = report->max_ttl;
  signed_zone.serial = report->serial;
  if (absl::Status s =
          keys->RecordZoneSigned(identity, options.origin(), signed_zone);
      !s.ok()) {
    return fail(s);
  }
  v1::SignSummary summary;
  const absl::Time save_started = absl::Now();
  const bool saving = !report->signature_record.empty();
  if (saving) {
    if (absl::Status s = WriteSignatureRecord(signature_dir, record_path,
                                              report->signature_record, tag);
        !s.ok()) {
      summary.set_record_error(std::string(s.message()));
    }
    std::string().swap(report->signature_record);
  }
  summary.set_signatures_reused(report->signatures_reused);
  summary.set_signatures_new(report->signatures_new);
  summary.set_signatures_verified_before(report->signatures_verified_before);
  summary.set_full_sign_reason(full_sign_reason);
  summary.set_records_in(report->records_in);
  summary.set_records_out(report->records_out);
  summary.set_signatures(report->signatures);
  summary.set_earliest_expiration_unix(report->earliest_expiration);
  summary.set_inception_unix(report->inception);
  summary.set_expiration_unix(report->expiration);
  summary.set_max_ttl(report->max_ttl);
  summary.set_self_verified(report->verified);
  const double save_seconds = absl::ToDoubleSeconds(absl::Now() - save_started);
  auto add_phase = [&summary](const std::string& name, double seconds) {
    v1::PhaseTime* phase = summary.add_phases();
    phase->set_name(name);
    phase->set_seconds(seconds);
  };
  // The signature record's load and save (incremental signing), when kept.
  if (!record_path.empty() && options.refresh_seconds() > 0) {
    add_phase("record-load", load_seconds);
  }
  for (const auto& [name, seconds] : report->phase_seconds) {
    add_phase(name, seconds);
  }
  if (saving) add_phase("record-save", save_seconds);
  if (working_memory != nullptr) {
    *working_memory = std::move(report->working_memory);
  }
  return summary;
}

}  // namespace keystored
}  // namespace zonekeep
