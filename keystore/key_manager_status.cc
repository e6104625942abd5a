// `maintkeydb status`: each key's place in its cycle, the rollovers under way
// and what their next step waits for (asked of the DNS as a stage 2 would).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/name.h"
#include "keystore/key_manager_impl.h"

namespace zonekeep {
namespace keystore {
namespace key_manager_internal {
namespace {

std::string Since(absl::Time t, absl::Time now) {
  const absl::Duration d = absl::Trunc(now - t, absl::Seconds(1));
  return d < absl::Seconds(1) ? "since 0s"
                              : absl::StrCat("since ", absl::FormatDuration(d));
}

std::string PlaceOf(const KeyRow& key, absl::Time now) {
  const bool ksk = key.role == dnssec::KeyRole::kKsk;
  const std::string since = Since(key.state_changed_at, now);
  if (key.rollover) {
    return absl::StrCat(
        "leaving (R): ",
        key.state == dnssec::KeyState::kActive ? "still signs the DNSKEY set"
                                               : "published, no longer signs",
        ", removed at ", ksk ? "ksk" : "zsk", "-stage2 (", since, ")");
  }
  if (key.state == dnssec::KeyState::kActive) {
    return absl::StrCat("active: signs ", ksk ? "the DNSKEY set" : "the zone",
                        " (", since, ")");
  }
  return absl::StrCat("published: in the DNSKEY set, ",
                      ksk ? "a KSK waiting to be promoted"
                          : "the next ZSK, activated by zsk-stage1",
                      " (", since, ")");
}

}  // namespace

absl::StatusOr<std::vector<ZoneStatus>> KeyManagerImpl::Status(
    const std::string& zone_arg) {
  std::string zone;
  if (!zone_arg.empty()) {
    absl::StatusOr<std::string> normal = dnssec::NormalizeZoneName(zone_arg);
    if (!normal.ok()) return normal.status();
    zone = *normal;
  }
  absl::StatusOr<std::vector<KeyView>> views = ListKeys(zone, false);
  if (!views.ok()) return views.status();
  if (!zone.empty() && views->empty()) {
    return absl::NotFoundError(absl::StrCat("no keys for zone ", zone));
  }
  std::vector<std::string> zones;
  for (const KeyView& key : *views) {
    if (zones.empty() || zones.back() != key.zone) zones.push_back(key.zone);
  }
  std::vector<ZoneStatus> out;
  for (const std::string& name : zones) {
    // Pending stage 2s of this zone: ask the DNS first (no lock held).
    struct Pending {
      dnssec::KeyRole role;
      dnssec::Algorithm algorithm;
      DnsSeen seen;
    };
    std::vector<Pending> pending;
    for (const KeyView& key : *views) {
      if (key.zone != name || !key.rollover) continue;
      bool known = false;
      for (const Pending& p : pending) {
        known |= p.role == key.role && p.algorithm == key.algorithm;
      }
      if (known) continue;
      Pending p{key.role, key.algorithm, Observe(name, key.role)};
      RecordSeen(name, p.role, p.algorithm, p.seen).IgnoreError();
      pending.push_back(std::move(p));
    }
    // The DNSKEY set the zone servers serve, for the stage-1 waits.
    std::vector<ServerSeen> dnskeys;
    if (observer_ != nullptr) {
      dnskeys = observer_->ZoneDnskeys(name);
      RecordDnskeysServed(name, dnskeys).IgnoreError();
    }
    absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginRead();
    if (!tx.ok()) return tx.status();
    absl::StatusOr<std::optional<ZoneRow>> row = (*tx)->GetZone(name);
    if (!row.ok()) return row.status();
    absl::StatusOr<std::vector<KeyRow>> keys = (*tx)->KeysOfZone(name, false);
    if (!keys.ok()) return keys.status();
    tx->reset();
    if (!row->has_value()) continue;
    const absl::Time now = clock_->Now();
    ZoneStatus status;
    status.zone = name;
    status.keys = ViewsOfZone(**row, *keys, now);
    for (size_t i = 0; i < keys->size(); ++i) {
      std::string place = PlaceOf((*keys)[i], now);
      if (status.keys[i].role == dnssec::KeyRole::kKsk) {
        place += status.keys[i].for_parent ? "; the parent should have its DS"
                                           : "; not for the parent yet";
      }
      status.places.push_back(place);
    }
    status.rollover_under_way = !pending.empty();
    for (const Pending& p : pending) {
      const bool ksk = p.role == dnssec::KeyRole::kKsk;
      const std::string step = absl::StrCat(ksk ? "ksk" : "zsk", "-stage2 ",
                                            dnssec::AlgorithmName(p.algorithm));
      absl::Status verdict = absl::OkStatus();
      if (!p.seen.asked || ksk) verdict = CheckStage2Wait(**row, p.role, now);
      if (verdict.ok() && p.seen.asked) {
        verdict = DnsGate(**row, *keys, p.role, p.algorithm, p.seen, now);
      }
      status.next_steps.push_back(
          verdict.ok()
              ? absl::StrCat(
                    step, ": ready (",
                    p.seen.asked ? p.seen.Summary() : "DNS not checked", ")")
              : absl::StrCat(step, ": waiting: ", verdict.message()));
    }
    if (pending.empty()) {
      status.next_steps.push_back(
          "no rollover under way; next: zsk-stage1 or ksk-stage1 when due");
    }
    // Each stage 1 that could run: the key it would activate and its wait.
    for (const dnssec::KeyRole role :
         {dnssec::KeyRole::kZsk, dnssec::KeyRole::kKsk}) {
      bool rolling = false;
      for (const Pending& p : pending) rolling |= p.role == role;
      if (rolling) continue;
      std::vector<dnssec::Algorithm> done;
      for (const KeyRow& next : *keys) {
        if (next.role != role || next.rollover ||
            next.state != dnssec::KeyState::kPublished ||
            std::find(done.begin(), done.end(), next.algorithm) != done.end()) {
          continue;
        }
        done.push_back(next.algorithm);
        const std::string step =
            absl::StrCat(role == dnssec::KeyRole::kKsk ? "ksk" : "zsk",
                         "-stage1 ", dnssec::AlgorithmName(next.algorithm));
        if (observer_ == nullptr) continue;
        absl::Status verdict = Stage1Gate(**row, next, dnskeys, now);
        status.next_steps.push_back(
            verdict.ok()
                ? absl::StrCat(step, ": ready (activates ", KeyName(next), ")")
                : absl::StrCat(step, ": waiting: ", verdict.message()));
      }
    }
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace key_manager_internal
}  // namespace keystore
}  // namespace zonekeep
