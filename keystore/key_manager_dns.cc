// The DNS facts behind stage 2 (docs/ARCHITECTURE.md, issue 15): what the
// zone servers and parent agents serve, when keystored first saw the new
// version everywhere, and the verdict a stage 2 gets from them.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dnssec/algorithm.h"
#include "dnssec/digest_type.h"
#include "dnssec/ds.h"
#include "dnssec/name.h"
#include "keystore/key_manager_impl.h"

namespace zonekeep {
namespace keystore {
namespace key_manager_internal {
namespace {

std::string Left(absl::Duration left) {
  return absl::FormatDuration(absl::Ceil(left, absl::Seconds(1)));
}

// Active KSKs of `algorithm` not marked (R): the ones a new DS must match.
std::vector<const KeyRow*> NewKsks(const std::vector<KeyRow>& keys,
                                   dnssec::Algorithm algorithm) {
  std::vector<const KeyRow*> out;
  for (const KeyRow& key : keys) {
    if (!key.deleted && key.role == dnssec::KeyRole::kKsk &&
        key.algorithm == algorithm && key.state == dnssec::KeyState::kActive &&
        !key.rollover) {
      out.push_back(&key);
    }
  }
  return out;
}

// Whether a DS RDATA (tag, algorithm, digest type, digest) is that of `key`.
bool DsMatches(const std::string& zone_wire, const std::string& ds,
               const KeyRow& key) {
  if (ds.size() < 5) return false;
  const dnssec::DigestType type =
      static_cast<dnssec::DigestType>(static_cast<uint8_t>(ds[3]));
  absl::StatusOr<std::string> want = dnssec::BuildDsRdata(
      zone_wire,
      absl::string_view(reinterpret_cast<const char*>(key.dnskey_rdata.data()),
                        key.dnskey_rdata.size()),
      type);
  return want.ok() && *want == ds;
}

uint16_t DsTag(const std::string& ds) {
  return ds.size() < 2
             ? 0
             : static_cast<uint16_t>((static_cast<uint8_t>(ds[0]) << 8) |
                                     static_cast<uint8_t>(ds[1]));
}

// Whether `seen` (one parent agent) serves a DS of one of `ksks`.
bool ServesNewDs(const std::string& zone_wire, const ServerSeen& seen,
                 const std::vector<const KeyRow*>& ksks) {
  if (!seen.answered) return false;
  for (const std::string& ds : seen.rdata) {
    for (const KeyRow* key : ksks) {
      if (DsMatches(zone_wire, ds, *key)) return true;
    }
  }
  return false;
}

bool AllServeNewDs(const std::string& zone_wire,
                   const std::vector<ServerSeen>& agents,
                   const std::vector<const KeyRow*>& ksks) {
  if (agents.empty() || ksks.empty()) return false;
  for (const ServerSeen& seen : agents) {
    if (!ServesNewDs(zone_wire, seen, ksks)) return false;
  }
  return true;
}

bool AllServeSerial(const std::vector<ServerSeen>& servers, uint32_t serial) {
  if (servers.empty()) return false;
  for (const ServerSeen& seen : servers) {
    if (!seen.answered || !seen.serial.has_value() ||
        !SerialAtLeast(*seen.serial, serial)) {
      return false;
    }
  }
  return true;
}

std::string DsTags(const ServerSeen& seen) {
  std::vector<uint16_t> tags;
  for (const std::string& ds : seen.rdata) tags.push_back(DsTag(ds));
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags.empty() ? "no DS" : absl::StrCat("DS ", absl::StrJoin(tags, ","));
}

bool HasRolloverKey(const std::vector<KeyRow>& keys, dnssec::KeyRole role,
                    dnssec::Algorithm algorithm) {
  for (const KeyRow& key : keys) {
    if (!key.deleted && key.rollover && key.role == role &&
        key.algorithm == algorithm) {
      return true;
    }
  }
  return false;
}

// Whether `seen` (one zone server) serves the DNSKEY of `key`.
bool ServesDnskey(const ServerSeen& seen, const KeyRow& key) {
  if (!seen.answered) return false;
  const std::string want(key.dnskey_rdata.begin(), key.dnskey_rdata.end());
  return std::find(seen.rdata.begin(), seen.rdata.end(), want) !=
         seen.rdata.end();
}

bool AllServeDnskey(const std::vector<ServerSeen>& servers, const KeyRow& key) {
  if (servers.empty()) return false;
  for (const ServerSeen& seen : servers) {
    if (!ServesDnskey(seen, key)) return false;
  }
  return true;
}

}  // namespace

uint32_t DnskeyWaitTtl(const ZoneRow& zone) {
  return zone.dnskey_ttl > 0 ? zone.dnskey_ttl : zone.max_ttl;
}

std::set<int64_t> ParentKskIds(const ZoneRow& zone,
                               const std::vector<KeyRow>& live,
                               absl::Duration propagation_delay,
                               absl::Time now) {
  const absl::Duration wait =
      propagation_delay + absl::Seconds(DnskeyWaitTtl(zone));
  std::set<int64_t> ids, active;
  for (const KeyRow& key : live) {
    if (key.deleted || key.role != dnssec::KeyRole::kKsk ||
        key.state != dnssec::KeyState::kActive) {
      continue;
    }
    active.insert(key.id);
    if (key.rollover || (key.dnskey_served_at.has_value() &&
                         now >= *key.dnskey_served_at + wait)) {
      ids.insert(key.id);
    }
  }
  return ids.empty() ? active : ids;
}

std::string DnsSeen::Summary() const {
  std::vector<std::string> parts;
  for (const ServerSeen& s : serials) {
    parts.push_back(absl::StrCat(
        "zone server ", s.server, " ",
        s.answered && s.serial ? absl::StrCat("serial ", *s.serial) : s.error));
  }
  for (const ServerSeen& s : ds) {
    parts.push_back(absl::StrCat(
        "parent agent ", s.server, " ",
        s.answered ? absl::StrCat(DsTags(s), " TTL ", s.ttl) : s.error));
  }
  for (const ServerSeen& s : dnskeys) {
    parts.push_back(absl::StrCat(
        "zone server ", s.server, " ",
        s.answered ? absl::StrCat(s.rdata.size(), " DNSKEY TTL ", s.ttl)
                   : s.error));
  }
  return parts.empty() ? "DNS not asked" : absl::StrJoin(parts, "; ");
}

DnsSeen KeyManagerImpl::Observe(const std::string& zone,
                                dnssec::KeyRole role) const {
  DnsSeen seen;
  if (observer_ == nullptr) return seen;
  seen.asked = true;
  if (role == dnssec::KeyRole::kZsk) {
    seen.serials = observer_->ZoneSerials(zone);
  } else {
    seen.ds = observer_->ParentDs(zone);
  }
  seen.dnskeys = observer_->ZoneDnskeys(zone);
  return seen;
}

absl::Status KeyManagerImpl::RecordSeen(const std::string& zone,
                                        dnssec::KeyRole role,
                                        dnssec::Algorithm algorithm,
                                        const DnsSeen& seen) {
  if (!seen.asked) return absl::OkStatus();
  if (absl::Status s = RecordDnskeysServed(zone, seen.dnskeys); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> zone_wire = dnssec::CanonicalNameWire(zone);
  if (!zone_wire.ok()) return zone_wire.status();
  AuditInfo audit{"keystored", "", zone, {}};
  absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginWrite();
  if (!tx.ok()) return tx.status();
  const absl::Time now = clock_->Now();
  absl::StatusOr<std::optional<ZoneRow>> row = (*tx)->GetZone(zone);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return absl::OkStatus();
  ZoneRow updated = **row;
  absl::StatusOr<std::vector<KeyRow>> keys = (*tx)->KeysOfZone(zone, false);
  if (!keys.ok()) return keys.status();
  if (!HasRolloverKey(*keys, role, algorithm)) return absl::OkStatus();
  for (const ServerSeen& s : seen.dnskeys) {
    if (s.answered && !s.rdata.empty()) {
      updated.dnskey_ttl = std::max(updated.dnskey_ttl, s.ttl);
    }
  }
  if (role == dnssec::KeyRole::kZsk) {
    if (updated.zsk_first_serial.has_value() &&
        !updated.zsk_served_at.has_value() &&
        AllServeSerial(seen.serials, *updated.zsk_first_serial)) {
      updated.zsk_served_at = now;
      audit.command =
          absl::StrCat("observed: every zone server serves serial >= ",
                       *updated.zsk_first_serial, " (", seen.Summary(), ")");
    }
  } else {
    for (const ServerSeen& s : seen.ds) {
      if (s.answered && !s.rdata.empty()) {
        updated.ds_ttl = std::max(updated.ds_ttl, s.ttl);
      }
    }
    if (!updated.ds_seen_at.has_value() &&
        AllServeNewDs(*zone_wire, seen.ds, NewKsks(*keys, algorithm))) {
      updated.ds_seen_at = now;
      audit.command = absl::StrCat(
          "observed: every parent agent serves a DS of the new KSK (",
          seen.Summary(), ")");
    }
  }
  if (updated.dnskey_ttl == (*row)->dnskey_ttl &&
      updated.ds_ttl == (*row)->ds_ttl &&
      updated.zsk_served_at == (*row)->zsk_served_at &&
      updated.ds_seen_at == (*row)->ds_seen_at) {
    return absl::OkStatus();
  }
  absl::Status s = (*tx)->UpsertZone(updated);
  if (s.ok() && !audit.command.empty()) {
    s = WriteAudit(**tx, audit, now, absl::OkStatus());
  }
  if (s.ok()) s = (*tx)->Commit();
  return s;
}

absl::Status KeyManagerImpl::RecordDnskeysServed(
    const std::string& zone, const std::vector<ServerSeen>& dnskeys) {
  if (dnskeys.empty()) return absl::OkStatus();
  AuditInfo audit{"keystored", "", zone, {}};
  absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginWrite();
  if (!tx.ok()) return tx.status();
  const absl::Time now = clock_->Now();
  absl::StatusOr<std::optional<ZoneRow>> row = (*tx)->GetZone(zone);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return absl::OkStatus();
  ZoneRow updated = **row;
  for (const ServerSeen& s : dnskeys) {
    if (s.answered && !s.rdata.empty()) {
      updated.dnskey_ttl = std::max(updated.dnskey_ttl, s.ttl);
    }
  }
  absl::StatusOr<std::vector<KeyRow>> keys = (*tx)->KeysOfZone(zone, false);
  if (!keys.ok()) return keys.status();
  for (const KeyRow& key : *keys) {
    if (key.dnskey_served_at.has_value() || !AllServeDnskey(dnskeys, key)) {
      continue;
    }
    absl::Status s = (*tx)->SetKeyServedAt(key.id, now);
    if (!s.ok()) return s;
    audit.tags.push_back(key.key_tag);
  }
  if (audit.tags.empty() && updated.dnskey_ttl == (*row)->dnskey_ttl) {
    return absl::OkStatus();
  }
  absl::Status s = (*tx)->UpsertZone(updated);
  if (s.ok() && !audit.tags.empty()) {
    std::vector<std::string> servers;
    for (const ServerSeen& seen : dnskeys) servers.push_back(seen.server);
    audit.command = absl::StrCat(
        "observed: every zone server serves the DNSKEY of ",
        TagList(audit.tags), " (", absl::StrJoin(servers, ", "), ")");
    s = WriteAudit(**tx, audit, now, absl::OkStatus());
  }
  if (s.ok()) s = (*tx)->Commit();
  return s;
}

absl::Status KeyManagerImpl::Stage1Gate(const ZoneRow& zone, const KeyRow& next,
                                        const std::vector<ServerSeen>& dnskeys,
                                        absl::Time now) const {
  const uint32_t ttl = DnskeyWaitTtl(zone);
  const absl::Duration wait = propagation_delay_ + absl::Seconds(ttl);
  const bool all = AllServeDnskey(dnskeys, next);
  std::optional<absl::Time> ready;
  if (all && next.dnskey_served_at.has_value()) {
    ready = *next.dnskey_served_at + wait;
  }
  if (ready.has_value() && now >= *ready) return absl::OkStatus();
  std::vector<std::string> lines;
  for (const ServerSeen& s : dnskeys) {
    std::string line = absl::StrCat("  ", s.server, ": ");
    if (!s.answered) {
      absl::StrAppend(&line, s.error, "; not yet");
    } else if (!ServesDnskey(s, next)) {
      absl::StrAppend(&line, "serves ", s.rdata.size(), " DNSKEY, not that of ",
                      next.key_tag, " (TTL ", s.ttl, "); not yet");
    } else if (!ready.has_value()) {
      absl::StrAppend(&line, "serves the DNSKEY of ", next.key_tag, " (TTL ",
                      s.ttl, "); waiting for the other servers");
    } else {
      absl::StrAppend(&line, "serves the DNSKEY of ", next.key_tag, " (TTL ",
                      s.ttl, "); ", Left(*ready - now), " left");
    }
    lines.push_back(line);
  }
  const std::string prop = absl::FormatDuration(propagation_delay_);
  if (!all) {
    return absl::FailedPreconditionError(absl::StrCat(
        "not every zone server of ", zone.name, " serves the DNSKEY of ",
        KeyName(next), " yet: sign and publish the zone, then wait ",
        "propagation-delay ", prop, " + DNSKEY TTL ", ttl, "s\n",
        absl::StrJoin(lines, "\n")));
  }
  const absl::Duration left = ready.has_value() ? *ready - now : wait;
  return absl::FailedPreconditionError(absl::StrCat(
      "wait ", Left(left), " more: every zone server of ", zone.name,
      " serves the DNSKEY of ", KeyName(next), " since ",
      FormatWhen(next.dnskey_served_at.value_or(now)), "; propagation-delay ",
      prop, " + DNSKEY TTL ", ttl, "s\n", absl::StrJoin(lines, "\n")));
}

absl::Status KeyManagerImpl::Stage2Gate(
    const ZoneRow& zone, const std::vector<KeyRow>& keys, dnssec::KeyRole role,
    dnssec::Algorithm algorithm, const DnsSeen& seen, absl::Time now) const {
  // With an observer, zsk-stage2 rests on what the zone servers serve
  // (which needs a signing after stage 1, and waits at least as long);
  // ksk-stage2 also waits for the signing, then for the parent's DS.
  if (!seen.asked || role == dnssec::KeyRole::kKsk) {
    absl::Status wait = CheckStage2Wait(zone, role, now);
    if (!wait.ok()) return wait;
  }
  if (seen.asked) return DnsGate(zone, keys, role, algorithm, seen, now);
  return absl::OkStatus();
}

absl::Status KeyManagerImpl::DnsGate(
    const ZoneRow& zone, const std::vector<KeyRow>& keys, dnssec::KeyRole role,
    dnssec::Algorithm algorithm, const DnsSeen& seen, absl::Time now) const {
  const std::string prop = absl::FormatDuration(propagation_delay_);
  std::vector<std::string> lines;
  if (role == dnssec::KeyRole::kZsk) {
    if (!zone.zsk_first_serial.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          zone.name,
          " has not been signed since zsk-stage1: sign it, publish it, then "
          "wait until every zone server serves it and propagation-delay ",
          prop, " + its max TTL have passed"));
    }
    const uint32_t want = *zone.zsk_first_serial;
    const absl::Duration wait =
        propagation_delay_ + absl::Seconds(zone.zsk_wait_ttl);
    const bool all = AllServeSerial(seen.serials, want);
    std::optional<absl::Time> ready;
    if (all && zone.zsk_served_at.has_value()) {
      ready = *zone.zsk_served_at + wait;
    }
    for (const ServerSeen& s : seen.serials) {
      std::string line = absl::StrCat("  ", s.server, ": ");
      if (!s.answered || !s.serial.has_value()) {
        absl::StrAppend(&line, s.error, "; not yet");
      } else if (!SerialAtLeast(*s.serial, want)) {
        absl::StrAppend(&line, "serves serial ", *s.serial, " (needs >= ", want,
                        "); not yet");
      } else if (!ready.has_value()) {
        absl::StrAppend(&line, "serves serial ", *s.serial,
                        "; waiting for the other servers");
      } else {
        absl::StrAppend(&line, "serves serial ", *s.serial, "; ",
                        now < *ready ? Left(*ready - now) : "0s", " left");
      }
      lines.push_back(line);
    }
    if (!all) {
      return absl::FailedPreconditionError(absl::StrCat(
          "not every zone server of ", zone.name, " serves serial >= ", want,
          " (the first signed since zsk-stage1) yet; then wait ",
          "propagation-delay ", prop, " + max TTL ", zone.zsk_wait_ttl, "s\n",
          absl::StrJoin(lines, "\n")));
    }
    if (!ready.has_value() || now < *ready) {
      const absl::Duration left = ready.has_value() ? *ready - now : wait;
      return absl::FailedPreconditionError(absl::StrCat(
          "wait ", Left(left), " more: every zone server of ", zone.name,
          " serves serial >= ", want, " since ",
          FormatWhen(zone.zsk_served_at.value_or(now)), "; propagation-delay ",
          prop, " + max TTL ", zone.zsk_wait_ttl,
          "s (the largest since zsk-stage1)\n", absl::StrJoin(lines, "\n")));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> zone_wire = dnssec::CanonicalNameWire(zone.name);
  if (!zone_wire.ok()) return zone_wire.status();
  const std::vector<const KeyRow*> ksks = NewKsks(keys, algorithm);
  std::vector<std::string> new_tags;
  for (const KeyRow* key : ksks) new_tags.push_back(absl::StrCat(key->key_tag));
  const std::string tags = absl::StrJoin(new_tags, ",");
  const bool all = AllServeNewDs(*zone_wire, seen.ds, ksks);
  const absl::Duration wait = propagation_delay_ + absl::Seconds(zone.ds_ttl);
  std::optional<absl::Time> ready;
  if (all && zone.ds_seen_at.has_value()) ready = *zone.ds_seen_at + wait;
  for (const ServerSeen& s : seen.ds) {
    std::string line = absl::StrCat("  ", s.server, ": ");
    if (!s.answered) {
      absl::StrAppend(&line, s.error, "; not yet");
    } else if (!ServesNewDs(*zone_wire, s, ksks)) {
      absl::StrAppend(&line, "serves ", DsTags(s), " (TTL ", s.ttl,
                      "), none for KSK ", tags, "; not yet");
    } else if (!ready.has_value()) {
      absl::StrAppend(&line, "serves ", DsTags(s), " (TTL ", s.ttl,
                      "); waiting for the other parent agents");
    } else {
      absl::StrAppend(&line, "serves ", DsTags(s), " (TTL ", s.ttl, "); ",
                      now < *ready ? Left(*ready - now) : "0s", " left");
    }
    lines.push_back(line);
  }
  if (!all) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the parent of ", zone.name, " does not serve a DS for the new KSK ",
        tags.empty() ? "(none active)" : tags,
        " at every parent agent yet; publish it (maintkeydb parentdata ds ",
        zone.name, "), then wait propagation-delay ", prop,
        " + the old DS TTL\n", absl::StrJoin(lines, "\n")));
  }
  if (!ready.has_value() || now < *ready) {
    const absl::Duration left = ready.has_value() ? *ready - now : wait;
    return absl::FailedPreconditionError(absl::StrCat(
        "wait ", Left(left), " more: every parent agent of ", zone.name,
        " serves a DS for KSK ", tags, " since ",
        FormatWhen(zone.ds_seen_at.value_or(now)), "; propagation-delay ", prop,
        " + DS TTL ", zone.ds_ttl, "s (as the parent served it; DNSKEY TTL ",
        zone.dnskey_ttl, "s, max TTL ", zone.ksk_wait_ttl, "s)\n",
        absl::StrJoin(lines, "\n")));
  }
  return absl::OkStatus();
}

absl::Status KeyManagerImpl::CheckPendingRollovers() {
  if (observer_ == nullptr) return absl::OkStatus();
  absl::StatusOr<std::vector<KeyView>> keys = ListKeys("", false);
  if (!keys.ok()) return keys.status();
  struct Pending {
    std::string zone;
    dnssec::KeyRole role;
    dnssec::Algorithm algorithm;
    bool operator==(const Pending& o) const {
      return zone == o.zone && role == o.role && algorithm == o.algorithm;
    }
  };
  std::vector<Pending> pending;
  // Zones with a key whose DNSKEY was not yet seen served everywhere (the
  // stage-1 wait and the CDS rule start from that).
  std::vector<std::string> unseen;
  for (const KeyView& key : *keys) {
    if (!key.dnskey_served_at.has_value() &&
        std::find(unseen.begin(), unseen.end(), key.zone) == unseen.end()) {
      unseen.push_back(key.zone);
    }
  }
  absl::Status first = absl::OkStatus();
  for (const std::string& zone : unseen) {
    absl::Status s = RecordDnskeysServed(zone, observer_->ZoneDnskeys(zone));
    if (first.ok()) first = s;
  }
  for (const KeyView& key : *keys) {
    if (!key.rollover) continue;
    Pending p{key.zone, key.role, key.algorithm};
    if (std::find(pending.begin(), pending.end(), p) == pending.end()) {
      pending.push_back(p);
    }
  }
  for (const Pending& p : pending) {
    absl::Status s =
        RecordSeen(p.zone, p.role, p.algorithm, Observe(p.zone, p.role));
    if (first.ok()) first = s;
  }
  return first;
}

}  // namespace key_manager_internal
}  // namespace keystore
}  // namespace zonekeep
