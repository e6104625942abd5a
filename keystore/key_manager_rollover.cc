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

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::Rollover(
    const std::string& identity, dnssec::RolloverStage stage,
    dnssec::Algorithm algorithm, const std::string& zone_arg, bool force) {
  const bool stage2 = stage == dnssec::RolloverStage::kZskStage2 ||
                      stage == dnssec::RolloverStage::kKskStage2;
  // Stage 1 never takes a zone's last active key away; only stage 2 can.
  AuditInfo audit{identity,
                  absl::StrCat("rollover ", dnssec::RolloverStageName(stage),
                               " ", dnssec::AlgorithmName(algorithm),
                               stage2 && force ? " --force" : ""),
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
  // transaction of its own, so a refused stage 2 still keeps it.
  DnsSeen seen;
  if (stage2) {
    const dnssec::KeyRole role = stage == dnssec::RolloverStage::kKskStage2
                                     ? dnssec::KeyRole::kKsk
                                     : dnssec::KeyRole::kZsk;
    seen = Observe(*zone, role);
    if (absl::Status s = RecordSeen(*zone, role, algorithm, seen); !s.ok()) {
      return Refuse(audit, s);
    }
    if (force && seen.asked) {
      audit.command += absl::StrCat(" (seen: ", seen.Summary(), ")");
    }
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
  const dnssec::KeyRole role =
      stage == dnssec::RolloverStage::kKskStage1 ||
              stage == dnssec::RolloverStage::kKskStage2
          ? dnssec::KeyRole::kKsk
          : dnssec::KeyRole::kZsk;
  const std::string alg_name = dnssec::AlgorithmName(algorithm);
  const char* role_name = RoleName(role);
  std::vector<KeyRow> in_rollover, active, published;
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
      if (!in_rollover.empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("a ZSK of ", alg_name, " in ", zone,
                         " is already in rollover: run zsk-stage2 first"));
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
      for (const KeyRow& key : active) {
        absl::Status s =
            tx.UpdateKeyState(key.id, dnssec::KeyState::kPublished, true, now);
        if (!s.ok()) return s;
        audit.tags.push_back(key.key_tag);
      }
      // The successor is the ZSK published longest (so the one most likely
      // in every cache's DNSKEY set), not the lowest tag (KeysOfZone's
      // order).
      const KeyRow& next = *std::min_element(
          published.begin(), published.end(),
          [](const KeyRow& a, const KeyRow& b) {
            return a.state_changed_at != b.state_changed_at
                       ? a.state_changed_at < b.state_changed_at
                       : a.id < b.id;
          });
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
      if (!in_rollover.empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("a KSK of ", alg_name, " in ", zone,
                         " is already in rollover: run ksk-stage2 first"));
      }
      if (active.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "no active KSK of ", alg_name, " in ", zone,
            " to roll over: create one with maintkeydb create ksk ", alg_name,
            " BITS ", zone));
      }
      for (const KeyRow& key : active) {
        absl::Status s =
            tx.UpdateKeyState(key.id, dnssec::KeyState::kActive, true, now);
        if (!s.ok()) return s;
        audit.tags.push_back(key.key_tag);
      }
      absl::StatusOr<KeyRow> fresh =
          AddKey(tx, zone, nullptr, algorithm, active.front().bits,
                 dnssec::KeyRole::kKsk, dnssec::KeyState::kActive, now, used);
      if (!fresh.ok()) return fresh.status();
      audit.tags.push_back(fresh->key_tag);
      updated.ksk_stage1_at = now;
      updated.ds_seen_at.reset();
      updated.ds_ttl = 0;
      updated.dnskey_ttl = 0;
      updated.ksk_wait_ttl = updated.max_ttl;
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
        // With an observer, zsk-stage2 rests on what the zone servers serve
        // (which needs a signing after stage 1, and waits at least as long);
        // ksk-stage2 also waits for the signing, then for the parent's DS.
        if (!seen.asked || role == dnssec::KeyRole::kKsk) {
          absl::Status wait = CheckStage2Wait(*zone_row, role, now);
          if (!wait.ok()) return wait;
        }
        if (seen.asked) {
          absl::Status gate =
              DnsGate(*zone_row, *all, role, algorithm, seen, now);
          if (!gate.ok()) return gate;
        }
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
  return ToViews(*after);
}

}  // namespace key_manager_internal
}  // namespace keystore
}  // namespace zonekeep
