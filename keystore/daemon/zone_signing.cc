#include "keystore/daemon/zone_signing.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dnssec/zone_key.h"
#include "keystore/daemon/engine_options.h"
#include "signer/zone_signer.h"

namespace zonekeep {
namespace keystored {

absl::StatusOr<v1::SignSummary> SignZoneWithKeyStore(
    keystore::KeyManager* keys, const std::string& identity,
    const v1::SignOptions& options, std::string zone_text,
    const SignedZoneSink& sink, std::function<bool()> cancelled,
    const signer::ZoneLimits& limits) {
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

  const std::string display_name = options.display_name().empty()
                                       ? options.origin()
                                       : options.display_name();
  absl::StatusOr<signer::SignReport> report = signer::SignZoneReleasingText(
      std::move(zone_text), display_name, *zone_keys, *engine_options, sink);
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
  summary.set_records_in(report->records_in);
  summary.set_records_out(report->records_out);
  summary.set_signatures(report->signatures);
  summary.set_earliest_expiration_unix(report->earliest_expiration);
  summary.set_inception_unix(report->inception);
  summary.set_expiration_unix(report->expiration);
  summary.set_max_ttl(report->max_ttl);
  summary.set_self_verified(report->verified);
  for (const auto& [name, seconds] : report->phase_seconds) {
    v1::PhaseTime* phase = summary.add_phases();
    phase->set_name(name);
    phase->set_seconds(seconds);
  }
  return summary;
}

}  // namespace keystored
}  // namespace zonekeep
