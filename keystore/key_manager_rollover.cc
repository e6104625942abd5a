// The two-stage rollovers of docs/ARCHITECTURE.md: each stage is one
// transaction that re-reads the keys it changes; stage 2 waits for a signing
// with the new key set plus propagation-delay + the zone's max TTL.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/digest_type.h"
#include "dnssec/ds.h"
#include "dnssec/key_actions.h"
#include "dnssec/name.h"
#include "dnssec/zone_key.h"
#include "keystore/key_manager_impl.h"

namespace zonekeep {
namespace keystore {
namespace key_manager_internal {

absl::Status KeyManagerImpl::CheckStage2Wait(const ZoneRow& zone,
                                             dnssec::KeyRole role,
                                             absl::Time now) const {
  const std::optional<absl::Time>& stage1 =
      role == dnssec::KeyRole::kKsk ? zone.ksk_stage1_at : zone.zsk_stage1_at;
  const char* stage1_name = dnssec::RolloverStageName(
      role == dnssec::KeyRole::kKsk ? dnssec::RolloverStage::kKskStage1
                                    : dnssec::RolloverStage::kZskStage1);
  if (!zone.keyset_signed_at.has_value() ||
      (stage1.has_value() && *zone.keyset_signed_at < *stage1)) {
    return absl::FailedPreconditionError(absl::StrCat(
        zone.name, " has not been signed since ", stage1_name,
        ": sign it, then wait propagation-delay ",
        absl::FormatDuration(propagation_delay_), " + its max TTL"));
  }
  // The largest max TTL the zone was signed with since the stage 1, not the
  // latest: caches may still hold data of the larger one.
  const uint32_t ttl =
      std::max(zone.max_ttl, role == dnssec::KeyRole::kKsk ? zone.ksk_wait_ttl
                                                           : zone.zsk_wait_ttl);
  const absl::Duration max_ttl = absl::Seconds(ttl);
  const absl::Time ready =
      *zone.keyset_signed_at + propagation_delay_ + max_ttl;
  if (now < ready) {
    const absl::Duration left = absl::Ceil(ready - now, absl::Seconds(1));
    return absl::FailedPreconditionError(absl::StrCat(
        "wait ", absl::FormatDuration(left), " more (propagation-delay ",
        absl::FormatDuration(propagation_delay_), " + max TTL ", ttl,
        "s since ", zone.name, " was signed at ",
        FormatWhen(*zone.keyset_signed_at), ")"));
  }
  return absl::OkStatus();
}

namespace {

dnssec::KeyRole RoleOf(dnssec::RolloverStage stage) {
  switch (stage) {
    case dnssec::RolloverStage::kKskStage1:
    case dnssec::RolloverStage::kKskStage2:
    case dnssec::RolloverStage::kKskUndo:
      return dnssec::KeyRole::kKsk;
    default:
      return dnssec::KeyRole::kZsk;
  }
}

// The published key a stage 1 activates: the one every zone server was seen
// serving first, else the one published longest (never the lowest tag).
const KeyRow& Successor(const std::vector<KeyRow>& published) {
  return *std::min_element(
      published.begin(), published.end(), [](const KeyRow& a, const KeyRow& b) {
        const absl::Time sa =
            a.dnskey_served_at.value_or(absl::InfiniteFuture());
        const absl::Time sb =
            b.dnskey_served_at.value_or(absl::InfiniteFuture());
        if (sa != sb) return sa < sb;
        return a.state_changed_at != b.state_changed_at
                   ? a.state_changed_at < b.state_changed_at
                   : a.id < b.id;
      });
}

}  // namespace

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::Rollover(
    const std::string& identity, dnssec::RolloverStage stage,
    dnssec::Algorithm algorithm, const std::string& zone_arg, bool force) {
  const bool stage2 = stage == dnssec::RolloverStage::kZskStage2 ||
                      stage == dnssec::RolloverStage::kKskStage2;
  const dnssec::KeyRole role = RoleOf(stage);
  AuditInfo audit{
      identity,
      absl::StrCat("rollover ", dnssec::RolloverStageName(stage), " ",
                   dnssec::AlgorithmName(algorithm), force ? " --force" : ""),
      zone_arg,
      {}};
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(zone_arg);
  if (!zone.ok()) return Refuse(audit, zone.status());
  audit.zone = *zone;
  // The parent DS check is a network query: ask it before taking the write
  // lock, about the KSKs that stay; the transaction re-checks the key states.
  std::optional<ParentDsResult> parent;
  if (stage == dnssec::RolloverStage::kKskStage2 && !force) {
    absl::StatusOr<std::vector<KeyView>> keys = ListKeys(*zone, false);
    if (keys.ok()) {
      std::vector<KeyView> staying;
      for (const KeyView& key : *keys) {
        if (key.role == dnssec::KeyRole::kKsk && key.algorithm == algorithm &&
            key.state == dnssec::KeyState::kActive && !key.rollover) {
          staying.push_back(key);
        }
      }
      parent = parent_ds_->Check(*zone, staying);
    }
  }
  // What the DNS serves, asked without a lock; "first seen" is recorded in a
  // transaction of its own, so a refused stage still keeps it.
  DnsSeen seen;
  if (stage2) {
    seen = Observe(*zone, role);
    if (absl::Status s = RecordSeen(*zone, role, algorithm, seen); !s.ok()) {
      return Refuse(audit, s);
    }
  } else if (observer_ != nullptr) {
    // Stage 1: the DNSKEY set at the zone servers; undo of a KSK: the
    // parent's DS (it must still have the old KSK's).
    seen.asked = true;
    seen.dnskeys = observer_->ZoneDnskeys(*zone);
    if (stage == dnssec::RolloverStage::kKskUndo) {
      seen.ds = observer_->ParentDs(*zone);
    }
    if (absl::Status s = RecordDnskeysServed(*zone, seen.dnskeys); !s.ok()) {
      return Refuse(audit, s);
    }
  }
  if (force && seen.asked) {
    audit.command += absl::StrCat(" (seen: ", seen.Summary(), ")");
  }
  return Mutate<std::vector<KeyView>>(
      audit,
      [&](Transaction& tx,
          absl::Time now) -> absl::StatusOr<std::vector<KeyView>> {
        return RolloverInTx(tx, stage, algorithm, *zone, force, parent, seen,
                            now, audit);
      });
}

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::RolloverInTx(
    Transaction& tx, dnssec::RolloverStage stage, dnssec::Algorithm algorithm,
    const std::string& zone, bool force,
    const std::optional<ParentDsResult>& parent, const DnsSeen& seen,
    absl::Time now, AuditInfo& audit) {
  absl::StatusOr<ZoneRow> zone_row = LoadZone(tx, zone, now, false);
  if (!zone_row.ok()) return zone_row.status();
  absl::StatusOr<std::vector<KeyRow>> all = tx.KeysOfZone(zone, true);
  if (!all.ok()) return all.status();
  const dnssec::KeyRole role = RoleOf(stage);
  const std::string alg_name = dnssec::AlgorithmName(algorithm);
  const char* role_name = RoleName(role);
  std::vector<KeyRow> in_rollover, active, published, live;
  // A rollover of this role under way in any algorithm: the zone keeps one
  // set of stage-1 facts per role.
  std::optional<KeyRow> rolling;
  for (const KeyRow& row : *all) {
    if (row.deleted) continue;
    live.push_back(row);
    if (row.rollover && row.role == role && !rolling.has_value()) {
      rolling = row;
    }
  }
  for (const KeyRow& row : *all) {
    if (row.deleted || row.role != role || row.algorithm != algorithm) {
      continue;
    }
    if (row.rollover) {
      in_rollover.push_back(row);
    } else if (row.state == dnssec::KeyState::kActive) {
      active.push_back(row);
    } else {
      published.push_back(row);
    }
  }
  std::set<uint16_t> used = TagsOf(*all);
  ZoneRow updated = *zone_row;

  switch (stage) {
    case dnssec::RolloverStage::kZskStage1: {
      if (rolling.has_value()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "a ZSK rollover is already under way in ", zone, " (",
            KeyName(*rolling), " is marked (R)): finish it with zsk-stage2 ",
            dnssec::AlgorithmName(rolling->algorithm),
            " or take it back with zsk-undo"));
      }
      if (active.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "no active ZSK of ", alg_name, " in ", zone,
            " to roll over: create one with maintkeydb create zsk ", alg_name,
            " BITS ", zone));
      }
      if (published.empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("no published ZSK of ", alg_name, " in ", zone,
                         " to roll to: create zsk first"));
      }
      // The successor is the ZSK served (else published) longest, so the one
      // most likely in every cache's DNSKEY set, not the lowest tag.
      const KeyRow& next = Successor(published);
      if (seen.asked && !force) {
        absl::Status gate = Stage1Gate(*zone_row, next, seen.dnskeys, now);
        if (!gate.ok()) return gate;
      }
      for (const KeyRow& key : active) {
        absl::Status s =
            tx.UpdateKeyState(key.id, dnssec::KeyState::kPublished, true, now);
        if (!s.ok()) return s;
        audit.tags.push_back(key.key_tag);
      }
      absl::Status s =
          tx.UpdateKeyState(next.id, dnssec::KeyState::kActive, false, now);
      if (!s.ok()) return s;
      audit.tags.push_back(next.key_tag);
      updated.zsk_stage1_at = now;
      updated.zsk_first_serial.reset();
      updated.zsk_served_at.reset();
      updated.zsk_wait_ttl = updated.max_ttl;
      break;
    }
    case dnssec::RolloverStage::kKskStage1: {
      if (rolling.has_value()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "a KSK rollover is already under way in ", zone, " (",
            KeyName(*rolling), " is marked (R)): finish it with ksk-stage2 ",
            dnssec::AlgorithmName(rolling->algorithm),
            " or take it back with ksk-undo"));
      }
      if (active.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "no active KSK of ", alg_name, " in ", zone,
            " to roll over: create one with maintkeydb create ksk ", alg_name,
            " BITS ", zone));
      }
      // A published KSK (imported or pre-published) becomes the new one,
      // once its DNSKEY has been served long enough; else a new one.
      std::optional<KeyRow> next;
      if (!published.empty()) {
        next = Successor(published);
        if (seen.asked && !force) {
          absl::Status gate = Stage1Gate(*zone_row, *next, seen.dnskeys, now);
          if (!gate.ok()) return gate;
        }
      }
      for (const KeyRow& key : active) {
        absl::Status s =
            tx.UpdateKeyState(key.id, dnssec::KeyState::kActive, true, now);
        if (!s.ok()) return s;
        audit.tags.push_back(key.key_tag);
      }
      if (next.has_value()) {
        absl::Status s =
            tx.UpdateKeyState(next->id, dnssec::KeyState::kActive, false, now);
        if (!s.ok()) return s;
        audit.tags.push_back(next->key_tag);
      } else {
        absl::StatusOr<KeyRow> fresh =
            AddKey(tx, zone, nullptr, algorithm, active.front().bits,
                   dnssec::KeyRole::kKsk, dnssec::KeyState::kActive, now, used);
        if (!fresh.ok()) return fresh.status();
        audit.tags.push_back(fresh->key_tag);
      }
      updated.ksk_stage1_at = now;
      updated.ds_seen_at.reset();
      updated.ds_ttl = 0;
      updated.ksk_wait_ttl = updated.max_ttl;
      break;
    }
    case dnssec::RolloverStage::kZskUndo:
    case dnssec::RolloverStage::kKskUndo: {
      if (in_rollover.empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("no ", role_name, " of ", alg_name,
                         " in rollover for ", zone, ": nothing to undo"));
      }
      if (role == dnssec::KeyRole::kKsk && seen.asked && !force) {
        // The (R) KSK alone will sign the DNSKEY set again: every parent
        // agent must still serve its DS.
        absl::StatusOr<std::string> zone_wire = dnssec::CanonicalNameWire(zone);
        if (!zone_wire.ok()) return zone_wire.status();
        for (const ServerSeen& agent : seen.ds) {
          bool has = false;
          for (const std::string& ds : agent.rdata) {
            for (const KeyRow& key : in_rollover) {
              absl::StatusOr<std::string> want = dnssec::BuildDsRdata(
                  *zone_wire,
                  std::string(key.dnskey_rdata.begin(), key.dnskey_rdata.end()),
                  static_cast<dnssec::DigestType>(
                      ds.size() > 3 ? static_cast<uint8_t>(ds[3]) : 0));
              has = has || (want.ok() && *want == ds);
            }
          }
          if (agent.answered && !has) {
            return absl::FailedPreconditionError(absl::StrCat(
                "parent agent ", agent.server, " no longer serves a DS for ",
                KeyName(in_rollover.front()), " of ", zone,
                ": with it alone signing the DNSKEY set the zone would not "
                "validate; add --force to undo anyway"));
          }
        }
      }
      // The keys stage 1 activated go back to published (their DNSKEY stays;
      // a later stage 1 can activate them without a new wait).
      for (const KeyRow& key : active) {
        absl::Status s =
            tx.UpdateKeyState(key.id, dnssec::KeyState::kPublished, false, now);
        if (!s.ok()) return s;
        audit.tags.push_back(key.key_tag);
      }
      for (const KeyRow& key : in_rollover) {
        absl::Status s =
            tx.UpdateKeyState(key.id, dnssec::KeyState::kActive, false, now);
        if (!s.ok()) return s;
        audit.tags.push_back(key.key_tag);
      }
      if (role == dnssec::KeyRole::kZsk) {
        updated.zsk_stage1_at.reset();
        updated.zsk_first_serial.reset();
        updated.zsk_served_at.reset();
      } else {
        updated.ksk_stage1_at.reset();
        updated.ds_seen_at.reset();
      }
      break;
    }
    case dnssec::RolloverStage::kZskStage2:
    case dnssec::RolloverStage::kKskStage2: {
      if (in_rollover.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "no ", role_name, " of ", alg_name, " in rollover for ", zone,
            ": run ", role == dnssec::KeyRole::kKsk ? "ksk" : "zsk",
            "-stage1 first"));
      }
      if (active.empty() && !force) {
        std::set<int64_t> leaving;
        for (const KeyRow& key : in_rollover) leaving.insert(key.id);
        std::vector<KeyRow> live;
        for (const KeyRow& row : *all) {
          if (!row.deleted) live.push_back(row);
        }
        absl::Status last = CheckNotLastActive(
            zone, live, leaving,
            absl::StrCat("rolling it away (", dnssec::RolloverStageName(stage),
                         ")"));
        if (!last.ok()) return last;
        return absl::FailedPreconditionError(
            absl::StrCat(zone, ": no active ", role_name, " (", alg_name,
                         ") would remain "
                         "after ",
                         dnssec::RolloverStageName(stage),
                         ", which leaves the "
                         "zone unsigned: create ",
                         role == dnssec::KeyRole::kKsk ? "ksk" : "zsk",
                         " and roll again, or add --force to do it anyway"));
      }
      if (!force) {
        absl::Status gate =
            Stage2Gate(*zone_row, *all, role, algorithm, seen, now);
        if (!gate.ok()) return gate;
      }
      if (role == dnssec::KeyRole::kKsk) {
        const ParentDsResult result =
            parent.value_or(ParentDsResult{ParentDsResult::Kind::kNotChecked,
                                           "parent DS not checked (forced)"});
        if (result.kind == ParentDsResult::Kind::kNotServed) {
          return absl::FailedPreconditionError(
              absl::StrCat("the parent of ", zone,
                           " does not serve the new DS yet: ", result.detail));
        }
        if (result.kind == ParentDsResult::Kind::kNotChecked) {
          audit.command += absl::StrCat(" (", result.detail, ")");
        }
      }
      for (const KeyRow& key : in_rollover) {
        absl::Status s = tx.SetKeyDeleted(key.id, true, now);
        if (!s.ok()) return s;
        audit.tags.push_back(key.key_tag);
      }
      if (role == dnssec::KeyRole::kZsk) {
        absl::StatusOr<KeyRow> fresh = AddKey(
            tx, zone, nullptr, algorithm, in_rollover.front().bits,
            dnssec::KeyRole::kZsk, dnssec::KeyState::kPublished, now, used);
        if (!fresh.ok()) return fresh.status();
        audit.tags.push_back(fresh->key_tag);
      }
      break;
    }
  }
  absl::Status s = tx.UpsertZone(updated);
  if (!s.ok()) return s;
  absl::StatusOr<std::vector<KeyRow>> after = tx.KeysOfZone(zone, false);
  if (!after.ok()) return after.status();
  const bool stage2 = stage == dnssec::RolloverStage::kZskStage2 ||
                      stage == dnssec::RolloverStage::kKskStage2;
  if (!force || !stage2) {
    absl::Status accepts = CheckSignerAccepts(zone, live, *after);
    if (!accepts.ok()) return accepts;
  }
  return ViewsOfZone(updated, *after, now);
}

}  // namespace key_manager_internal
}  // namespace keystore
}  // namespace zonekeep
