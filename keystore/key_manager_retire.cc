// Keys leaving a zone: delete_id and expire (a (R) key only through the gates
// of its stage 2), purge of the expired-keys bin, and the signer's rules that
// every change must keep (KeyTrap limits); the CDS choices of a zone.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dnssec/algorithm.h"
#include "dnssec/name.h"
#include "dnssec/zone_key.h"
#include "keystore/key_manager_impl.h"

namespace zonekeep {
namespace keystore {
namespace key_manager_internal {
namespace {

// The KeyTrap limit of signer/key_set.h (kMaxSignaturesPerRRset): at most two
// active keys of one role per algorithm. keystore/ may not include signer/.
constexpr size_t kMaxActivePerAlgorithmAndRole = 2;

// What the signer would refuse in `keys`, one reason per entry, keyed so that
// the reasons of two key sets can be compared.
std::map<std::string, std::string> SignerRefusals(
    const std::string& zone, const std::vector<KeyRow>& keys) {
  std::map<std::pair<int, dnssec::KeyRole>, std::vector<uint16_t>> active;
  std::set<int> algorithms;
  for (const KeyRow& key : keys) {
    if (key.deleted) continue;
    algorithms.insert(static_cast<int>(key.algorithm));
    if (key.state == dnssec::KeyState::kActive) {
      active[{static_cast<int>(key.algorithm), key.role}].push_back(
          key.key_tag);
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& [which, tags] : active) {
    if (tags.size() <= kMaxActivePerAlgorithmAndRole) continue;
    const std::string alg =
        dnssec::AlgorithmName(static_cast<dnssec::Algorithm>(which.first));
    const char* role = RoleName(which.second);
    out[absl::StrCat("keytrap ", alg, " ", role)] = absl::StrCat(
        zone, ": this would leave ", tags.size(), " active ", role, "s of ",
        alg, " (", absl::StrJoin(tags, ", "), "); the signer allows at most ",
        kMaxActivePerAlgorithmAndRole,
        " per algorithm (KeyTrap, "
        "CVE-2023-50387) and would refuse the zone");
  }
  for (int alg : algorithms) {
    for (dnssec::KeyRole role :
         {dnssec::KeyRole::kKsk, dnssec::KeyRole::kZsk}) {
      if (active.count({alg, role}) != 0) continue;
      const std::string name =
          dnssec::AlgorithmName(static_cast<dnssec::Algorithm>(alg));
      out[absl::StrCat("missing ", name, " ", RoleName(role))] =
          absl::StrCat(zone, ": this would leave ", name,
                       " in the DNSKEY set without an "
                       "active ",
                       RoleName(role), "; the signer would refuse the zone");
    }
  }
  return out;
}

}  // namespace

absl::Status CheckSignerAccepts(const std::string& zone,
                                const std::vector<KeyRow>& before,
                                const std::vector<KeyRow>& after) {
  const std::map<std::string, std::string> had = SignerRefusals(zone, before);
  // An algorithm with no active key before is being built up (create ksk,
  // then create zsk): only a change that breaks what signed is refused.
  std::set<std::string> signing;
  for (const KeyRow& key : before) {
    if (!key.deleted && key.state == dnssec::KeyState::kActive) {
      signing.insert(dnssec::AlgorithmName(key.algorithm));
    }
  }
  for (const auto& [what, why] : SignerRefusals(zone, after)) {
    if (had.count(what) != 0) continue;
    if (what.rfind("missing ", 0) == 0) {
      const std::string alg = what.substr(8, what.rfind(' ') - 8);
      if (signing.count(alg) == 0) continue;
    }
    return absl::FailedPreconditionError(why);
  }
  return absl::OkStatus();
}

std::vector<KeyView> KeyManagerImpl::ViewsOfZone(
    const ZoneRow& zone, const std::vector<KeyRow>& rows,
    absl::Time now) const {
  const std::set<int64_t> parent =
      ParentKskIds(zone, rows, propagation_delay_, now);
  std::vector<KeyView> views;
  views.reserve(rows.size());
  for (const KeyRow& row : rows) {
    KeyView view = ToView(row);
    view.for_parent = !row.deleted && parent.count(row.id) != 0;
    views.push_back(std::move(view));
  }
  return views;
}

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::ExpireKey(
    const std::string& identity, const std::string& zone,
    dnssec::Algorithm algorithm, uint16_t key_tag, bool force) {
  return RetireKey(identity, zone, algorithm, key_tag, force,
                   /*expire=*/true);
}

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::RetireKey(
    const std::string& identity, const std::string& zone_arg,
    dnssec::Algorithm algorithm, uint16_t key_tag, bool force, bool expire) {
  AuditInfo audit{
      identity,
      absl::StrCat(expire ? "expire " : "delete_id ",
                   dnssec::AlgorithmName(algorithm), force ? " --force" : ""),
      zone_arg,
      {key_tag}};
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(zone_arg);
  if (!zone.ok()) return Refuse(audit, zone.status());
  audit.zone = *zone;
  // A key marked (R) leaves as its stage 2 would: ask the DNS first, without
  // a lock (the transaction re-reads the key).
  DnsSeen seen;
  std::optional<dnssec::KeyRole> rolling;
  if (absl::StatusOr<std::vector<KeyView>> keys = ListKeys(*zone, false);
      keys.ok()) {
    for (const KeyView& key : *keys) {
      if (key.key_tag == key_tag && key.algorithm == algorithm &&
          key.rollover) {
        rolling = key.role;
      }
    }
  }
  if (rolling.has_value()) {
    seen = Observe(*zone, *rolling);
    if (absl::Status s = RecordSeen(*zone, *rolling, algorithm, seen);
        !s.ok()) {
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
        absl::StatusOr<ZoneRow> zone_row = LoadZone(tx, *zone, now, false);
        if (!zone_row.ok()) return zone_row.status();
        absl::StatusOr<std::optional<KeyRow>> row =
            tx.FindKey(*zone, algorithm, key_tag);
        if (!row.ok()) return row.status();
        if (!row->has_value()) return NoKey(*zone, algorithm, key_tag);
        KeyRow key = **row;
        if (key.deleted) {
          return absl::FailedPreconditionError(
              absl::StrCat(KeyName(key), " of ", *zone,
                           " is already in the expired-keys bin"));
        }
        absl::StatusOr<std::vector<KeyRow>> live = tx.KeysOfZone(*zone, false);
        if (!live.ok()) return live.status();
        if (!force) {
          absl::Status last = CheckNotLastActive(
              *zone, *live, {key.id}, expire ? "expiring it" : "deleting it");
          if (!last.ok()) return last;
          if (key.rollover) {
            const char* stage =
                key.role == dnssec::KeyRole::kKsk ? "ksk-stage2" : "zsk-stage2";
            absl::Status gate =
                Stage2Gate(*zone_row, *live, key.role, algorithm, seen, now);
            if (!gate.ok()) {
              return absl::FailedPreconditionError(absl::StrCat(
                  KeyName(key), " of ", *zone, " is marked (R): it leaves as ",
                  stage, " would, and ", stage, " is refused (add --force to ",
                  "remove it anyway): ", gate.message()));
            }
          } else if (expire && key.state == dnssec::KeyState::kActive) {
            return absl::FailedPreconditionError(absl::StrCat(
                KeyName(key), " of ", *zone,
                " is active: resolvers may hold its signatures; roll it over ",
                "(rollover ", key.role == dnssec::KeyRole::kKsk ? "ksk" : "zsk",
                "-stage1) and expire it after the stage-2 wait, or add "
                "--force"));
          }
        }
        absl::Status s = tx.SetKeyDeleted(key.id, true, now);
        if (!s.ok()) return s;
        key.deleted = true;
        key.deleted_at = now;
        key.state_changed_at = now;
        return std::vector<KeyView>{ToView(key)};
      });
}

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::PurgeBin(
    const std::string& identity, const std::string& zone_arg,
    std::optional<absl::Duration> older_than) {
  const absl::Duration age = older_than.value_or(purge_min_age_);
  AuditInfo audit{
      identity,
      absl::StrCat("purge --older-than ", absl::FormatDuration(age)),
      zone_arg,
      {}};
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(zone_arg);
  if (!zone.ok()) return Refuse(audit, zone.status());
  audit.zone = *zone;
  if (age < purge_min_age_) {
    return Refuse(audit,
                  absl::FailedPreconditionError(absl::StrCat(
                      "purge-min-age is ", absl::FormatDuration(purge_min_age_),
                      ": keys deleted less long ago stay in the bin "
                      "(asked for --older-than ",
                      absl::FormatDuration(age), ")")));
  }
  return Mutate<std::vector<KeyView>>(
      audit,
      [&](Transaction& tx,
          absl::Time now) -> absl::StatusOr<std::vector<KeyView>> {
        absl::StatusOr<ZoneRow> zone_row = LoadZone(tx, *zone, now, false);
        if (!zone_row.ok()) return zone_row.status();
        absl::StatusOr<std::vector<KeyRow>> rows = tx.KeysOfZone(*zone, true);
        if (!rows.ok()) return rows.status();
        std::vector<KeyView> purged;
        for (const KeyRow& key : *rows) {
          if (!key.deleted || !key.deleted_at.has_value() ||
              now - *key.deleted_at < age) {
            continue;
          }
          absl::Status s = tx.PurgeKey(key.id);
          if (!s.ok()) return s;
          audit.tags.push_back(key.key_tag);
          purged.push_back(ToView(key));
        }
        return purged;
      });
}

absl::Status KeyManagerImpl::SetCdsDelete(const std::string& identity,
                                          const std::string& zone_arg,
                                          bool on) {
  AuditInfo audit{
      identity, on ? "cds-delete" : "cds-delete --undo", zone_arg, {}};
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(zone_arg);
  if (!zone.ok()) return Refuse(audit, zone.status());
  audit.zone = *zone;
  return Mutate<bool>(
             audit,
             [&](Transaction& tx, absl::Time now) -> absl::StatusOr<bool> {
               absl::StatusOr<ZoneRow> row = LoadZone(tx, *zone, now, false);
               if (!row.ok()) return row.status();
               row->cds_delete = on;
               absl::Status s = tx.UpsertZone(*row);
               if (!s.ok()) return s;
               return true;
             })
      .status();
}

absl::StatusOr<CdsChoice> KeyManagerImpl::CdsOf(
    const std::string& zone_arg) const {
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(zone_arg);
  if (!zone.ok()) return zone.status();
  absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginRead();
  if (!tx.ok()) return tx.status();
  absl::StatusOr<std::optional<ZoneRow>> row = (*tx)->GetZone(*zone);
  if (!row.ok()) return row.status();
  CdsChoice choice;
  choice.publish = cds_zones_.count(*zone) != 0;
  choice.delete_form = row->has_value() && (*row)->cds_delete;
  return choice;
}

}  // namespace key_manager_internal
}  // namespace keystore
}  // namespace zonekeep
