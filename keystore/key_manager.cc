// KeyManager over KeyDb (keystore/store) and a KeyBackend (sealed keys).
//
// Every mutating method runs its checks and changes inside one write
// transaction that re-reads the rows it changes (Mutate below), and writes its
// audit row in that transaction; when the body fails, the transaction rolls
// back and the audit row is written in a small transaction of its own.
#include "keystore/key_manager.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dnssec/algorithm.h"
#include "dnssec/dnskey.h"
#include "dnssec/key_actions.h"
#include "dnssec/key_tag.h"
#include "dnssec/name.h"
#include "dnssec/zone_key.h"
#include "keystore/crypto/bind_key_files.h"
#include "keystore/crypto/master_key.h"
#include "keystore/interrupted_copies.h"
#include "keystore/key_backend.h"
#include "keystore/key_manager_impl.h"
#include "keystore/make_dirs.h"
#include "keystore/master_key_check.h"
#include "keystore/master_key_rotation.h"
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace keystore {
namespace key_manager_internal {

constexpr int kMaxTagAttempts = 32;
constexpr size_t kMaxAuditField = 256;

const char* RoleName(dnssec::KeyRole role) {
  return role == dnssec::KeyRole::kKsk ? "KSK" : "ZSK";
}

std::string FormatWhen(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", t, absl::UTCTimeZone());
}

// One line, printable, bounded: audit fields may echo caller input.
std::string AuditText(absl::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxAuditField)) {
    if (c == '\n') {
      out += " | ";  // a refusal's per-server lines
      continue;
    }
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

std::string TagList(const std::vector<uint16_t>& tags) {
  return absl::StrJoin(tags, ",");
}

KeyView ToView(const KeyRow& row) {
  KeyView view;
  view.zone = row.zone;
  view.algorithm = row.algorithm;
  view.key_tag = row.key_tag;
  view.role = row.role;
  view.bits = row.bits;
  view.state = row.state;
  view.rollover = row.rollover;
  view.deleted = row.deleted;
  view.created = row.created_at;
  view.state_changed = row.state_changed_at;
  view.dnskey_rdata = row.dnskey_rdata;
  view.dnskey_served_at = row.dnskey_served_at;
  return view;
}

std::vector<KeyView> ToViews(const std::vector<KeyRow>& rows) {
  std::vector<KeyView> views;
  views.reserve(rows.size());
  for (const KeyRow& row : rows) views.push_back(ToView(row));
  return views;
}

KeyBinding BindingOf(const KeyRow& row) {
  return KeyBinding{row.zone, row.key_tag, row.algorithm, row.role,
                    row.dnskey_rdata};
}

std::string KeyName(const KeyRow& row) {
  return absl::StrCat(RoleName(row.role), " ", row.key_tag, " (",
                      dnssec::AlgorithmName(row.algorithm), ")");
}

absl::Status NoZone(const std::string& zone) {
  return absl::NotFoundError(
      absl::StrCat("no zone ", zone, " in the key store"));
}

absl::Status NoKey(const std::string& zone, dnssec::Algorithm algorithm,
                   uint16_t key_tag) {
  return absl::NotFoundError(absl::StrCat("no key ", key_tag, " (",
                                          dnssec::AlgorithmName(algorithm),
                                          ") in ", zone));
}

absl::Status KeyManagerImpl::AuditFailure(const AuditInfo& audit,
                                          const absl::Status& error) {
  absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginWrite();
  if (!tx.ok()) return tx.status();
  absl::Status s = WriteAudit(**tx, audit, clock_->Now(), error);
  if (!s.ok()) return s;
  return (*tx)->Commit();
}

absl::Status KeyManagerImpl::WriteAudit(Transaction& tx, const AuditInfo& audit,
                                        absl::Time now,
                                        const absl::Status& result) {
  store::AuditRow row;
  row.time = now;
  row.identity = AuditText(audit.identity);
  row.command = AuditText(audit.command);
  row.zone = AuditText(audit.zone);
  row.key_tags = TagList(audit.tags);
  row.result = result.ok() ? "ok" : AuditText(result.message());
  return tx.InsertAudit(row).status();
}

absl::StatusOr<ZoneRow> KeyManagerImpl::LoadZone(Transaction& tx,
                                                 const std::string& zone,
                                                 absl::Time now, bool create) {
  absl::Status s = tx.LockZone(zone);
  if (!s.ok()) return s;
  absl::StatusOr<std::optional<ZoneRow>> row = tx.GetZone(zone);
  if (!row.ok()) return row.status();
  if (row->has_value()) return **row;
  if (!create) return NoZone(zone);
  ZoneRow fresh;
  fresh.name = zone;
  fresh.created_at = now;
  s = tx.UpsertZone(fresh);
  if (!s.ok()) return s;
  return fresh;
}

absl::StatusOr<KeyRow> KeyManagerImpl::AddKey(
    Transaction& tx, const std::string& zone,
    std::unique_ptr<PendingKey> pending, dnssec::Algorithm algorithm, int bits,
    dnssec::KeyRole role, dnssec::KeyState state, absl::Time now,
    std::set<uint16_t>& used_tags) {
  const uint16_t flags =
      role == dnssec::KeyRole::kKsk ? dnssec::kKskFlags : dnssec::kZskFlags;
  for (int attempt = 0; attempt < kMaxTagAttempts; ++attempt) {
    if (pending == nullptr) {
      absl::StatusOr<std::unique_ptr<PendingKey>> fresh =
          backend_->Generate(algorithm, bits);
      if (!fresh.ok()) return fresh.status();
      pending = *std::move(fresh);
    }
    KeyRow row;
    row.dnskey_rdata =
        dnssec::BuildDnskeyRdata(flags, algorithm, pending->DnskeyPublicKey());
    row.key_tag = dnssec::KeyTag(row.dnskey_rdata);
    if (used_tags.count(row.key_tag) != 0) {
      pending.reset();  // tag collision: regenerate
      continue;
    }
    row.zone = zone;
    row.algorithm = algorithm;
    row.role = role;
    row.bits = pending->bits();
    row.state = state;
    row.created_at = now;
    row.state_changed_at = now;
    row.backend = backend_->name();
    absl::StatusOr<std::vector<uint8_t>> blob =
        backend_->Store(*pending, BindingOf(row));
    if (!blob.ok()) return blob.status();
    row.sealed_private = *std::move(blob);
    absl::StatusOr<int64_t> id = tx.InsertKey(row);
    if (!id.ok()) return id.status();
    row.id = *id;
    used_tags.insert(row.key_tag);
    return row;
  }
  return absl::InternalError(
      absl::StrCat("no free key tag for a new key in ", zone));
}

std::set<uint16_t> TagsOf(const std::vector<KeyRow>& rows) {
  std::set<uint16_t> tags;
  for (const KeyRow& row : rows) tags.insert(row.key_tag);
  return tags;
}

// --- create, delete, undelete, import ---------------------------------------

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::CreateKeys(
    const std::string& identity, dnssec::CreateWhat what,
    dnssec::Algorithm algorithm, std::optional<int> bits,
    const std::string& zone_arg) {
  AuditInfo audit{identity,
                  absl::StrCat("create ", dnssec::CreateWhatName(what), " ",
                               dnssec::AlgorithmName(algorithm)),
                  zone_arg,
                  {}};
  // A new zone must be one a parent could delegate (issue 16).
  absl::StatusOr<std::string> zone = dnssec::CheckDelegatableZoneName(zone_arg);
  if (!zone.ok()) {
    audit.zone = absl::CHexEscape(zone_arg);
    return Refuse(audit, zone.status());
  }
  audit.zone = *zone;
  if (!dnssec::IsAllowedForNewKeys(algorithm)) {
    const absl::Status s = absl::InvalidArgumentError(
        absl::StrCat(dnssec::AlgorithmName(algorithm),
                     " is accepted for imported keys only"));
    return Refuse(audit, s);
  }
  absl::StatusOr<int> resolved = dnssec::ResolveKeyBits(algorithm, bits);
  if (!resolved.ok()) {
    return Refuse(audit, resolved.status());
  }
  std::vector<dnssec::KeyRole> roles;
  if (what != dnssec::CreateWhat::kZsk) roles.push_back(dnssec::KeyRole::kKsk);
  if (what != dnssec::CreateWhat::kKsk) roles.push_back(dnssec::KeyRole::kZsk);
  if (what == dnssec::CreateWhat::kBoth) roles.push_back(dnssec::KeyRole::kZsk);
  // Generate before taking the database's write lock (RSA is slow).
  std::vector<std::unique_ptr<PendingKey>> pending;
  for (size_t i = 0; i < roles.size(); ++i) {
    absl::StatusOr<std::unique_ptr<PendingKey>> key =
        backend_->Generate(algorithm, *resolved);
    if (!key.ok()) return Refuse(audit, key.status());
    pending.push_back(*std::move(key));
  }
  return Mutate<std::vector<KeyView>>(
      audit,
      [&](Transaction& tx,
          absl::Time now) -> absl::StatusOr<std::vector<KeyView>> {
        absl::StatusOr<ZoneRow> zone_row = LoadZone(tx, *zone, now, true);
        if (!zone_row.ok()) return zone_row.status();
        absl::StatusOr<std::vector<KeyRow>> rows = tx.KeysOfZone(*zone, true);
        if (!rows.ok()) return rows.status();
        bool has_active[2] = {false, false};  // [KSK, ZSK]
        bool has_live = false;
        for (const KeyRow& row : *rows) {
          if (row.deleted || row.algorithm != algorithm) continue;
          has_live = true;
          if (row.state == dnssec::KeyState::kActive) {
            has_active[row.role == dnssec::KeyRole::kKsk ? 0 : 1] = true;
          }
        }
        if (what == dnssec::CreateWhat::kBoth && has_live) {
          return absl::AlreadyExistsError(absl::StrCat(
              *zone, " already has ", dnssec::AlgorithmName(algorithm),
              " keys: use create ksk or create zsk"));
        }
        std::set<uint16_t> used = TagsOf(*rows);
        std::vector<KeyView> created;
        for (size_t i = 0; i < roles.size(); ++i) {
          const int slot = roles[i] == dnssec::KeyRole::kKsk ? 0 : 1;
          const dnssec::KeyState state = has_active[slot]
                                             ? dnssec::KeyState::kPublished
                                             : dnssec::KeyState::kActive;
          absl::StatusOr<KeyRow> row =
              AddKey(tx, *zone, std::move(pending[i]), algorithm, *resolved,
                     roles[i], state, now, used);
          if (!row.ok()) return row.status();
          has_active[slot] = true;
          audit.tags.push_back(row->key_tag);
          created.push_back(ToView(*row));
        }
        std::vector<KeyRow> before;
        for (const KeyRow& row : *rows) {
          if (!row.deleted) before.push_back(row);
        }
        absl::StatusOr<std::vector<KeyRow>> after = tx.KeysOfZone(*zone, false);
        if (!after.ok()) return after.status();
        absl::Status accepts = CheckSignerAccepts(*zone, before, *after);
        if (!accepts.ok()) return accepts;
        return created;
      });
}

absl::Status CheckNotLastActive(const std::string& zone,
                                const std::vector<KeyRow>& live,
                                const std::set<int64_t>& removing,
                                const std::string& doing) {
  for (const KeyRow& gone : live) {
    if (removing.count(gone.id) == 0 || gone.deleted ||
        gone.state != dnssec::KeyState::kActive) {
      continue;
    }
    bool other_stays = false;
    for (const KeyRow& row : live) {
      other_stays = other_stays ||
                    (removing.count(row.id) == 0 && !row.deleted &&
                     row.role == gone.role && row.algorithm == gone.algorithm &&
                     row.state == dnssec::KeyState::kActive);
    }
    if (!other_stays) {
      return absl::FailedPreconditionError(
          absl::StrCat(zone, ": key ", gone.key_tag, " is the only active ",
                       RoleName(gone.role), " (",
                       dnssec::AlgorithmName(gone.algorithm), "); ", doing,
                       " leaves the zone unsigned; add --force to do it "
                       "anyway"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::DeleteKey(
    const std::string& identity, const std::string& zone_arg,
    dnssec::Algorithm algorithm, uint16_t key_tag, bool force) {
  return RetireKey(identity, zone_arg, algorithm, key_tag, force,
                   /*expire=*/false);
}

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::DeleteZone(
    const std::string& identity, const std::string& zone_arg, bool force) {
  AuditInfo audit{
      identity, force ? "delete_name --force" : "delete_name", zone_arg, {}};
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(zone_arg);
  if (!zone.ok()) return Refuse(audit, zone.status());
  audit.zone = *zone;
  return Mutate<std::vector<KeyView>>(
      audit,
      [&](Transaction& tx,
          absl::Time now) -> absl::StatusOr<std::vector<KeyView>> {
        absl::StatusOr<ZoneRow> zone_row = LoadZone(tx, *zone, now, false);
        if (!zone_row.ok()) return zone_row.status();
        absl::StatusOr<std::vector<KeyRow>> rows = tx.KeysOfZone(*zone, false);
        if (!rows.ok()) return rows.status();
        if (rows->empty()) {
          return absl::NotFoundError(absl::StrCat("no live keys in ", *zone));
        }
        if (!force) {
          std::set<int64_t> all;
          for (const KeyRow& key : *rows) all.insert(key.id);
          absl::Status last = CheckNotLastActive(
              *zone, *rows, all, "deleting all of the zone's keys");
          if (!last.ok()) return last;
        }
        std::vector<KeyView> deleted;
        for (KeyRow& key : *rows) {
          absl::Status s = tx.SetKeyDeleted(key.id, true, now);
          if (!s.ok()) return s;
          key.deleted = true;
          key.deleted_at = now;
          key.state_changed_at = now;
          audit.tags.push_back(key.key_tag);
          deleted.push_back(ToView(key));
        }
        return deleted;
      });
}

absl::StatusOr<KeyView> KeyManagerImpl::UndeleteKey(const std::string& identity,
                                                    const std::string& zone_arg,
                                                    dnssec::Algorithm algorithm,
                                                    uint16_t key_tag) {
  AuditInfo audit{identity,
                  absl::StrCat("undelete ", dnssec::AlgorithmName(algorithm)),
                  zone_arg,
                  {key_tag}};
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(zone_arg);
  if (!zone.ok()) return Refuse(audit, zone.status());
  audit.zone = *zone;
  return Mutate<KeyView>(
      audit, [&](Transaction& tx, absl::Time now) -> absl::StatusOr<KeyView> {
        absl::StatusOr<ZoneRow> zone_row = LoadZone(tx, *zone, now, false);
        if (!zone_row.ok()) return zone_row.status();
        absl::StatusOr<std::optional<KeyRow>> row =
            tx.FindKey(*zone, algorithm, key_tag);
        if (!row.ok()) return row.status();
        if (!row->has_value()) return NoKey(*zone, algorithm, key_tag);
        KeyRow key = **row;
        if (!key.deleted) {
          return absl::FailedPreconditionError(absl::StrCat(
              KeyName(key), " of ", *zone, " is not in the expired-keys bin"));
        }
        absl::StatusOr<std::vector<KeyRow>> before =
            tx.KeysOfZone(*zone, false);
        if (!before.ok()) return before.status();
        absl::Status s = tx.SetKeyDeleted(key.id, false, now);
        // Back without its (R) mark (the rollover it left is over or another
        // one is under way), and not served until seen again.
        if (s.ok()) s = tx.UpdateKeyState(key.id, key.state, false, now);
        if (s.ok()) s = tx.SetKeyServedAt(key.id, std::nullopt);
        if (!s.ok()) return s;
        absl::StatusOr<std::vector<KeyRow>> after = tx.KeysOfZone(*zone, false);
        if (!after.ok()) return after.status();
        s = CheckSignerAccepts(*zone, *before, *after);
        if (!s.ok()) return s;
        key.deleted = false;
        key.rollover = false;
        key.deleted_at.reset();
        key.dnskey_served_at.reset();
        key.state_changed_at = now;
        return ToView(key);
      });
}

absl::StatusOr<KeyView> KeyManagerImpl::ImportBindKey(
    const std::string& identity, const std::string& zone_arg,
    const std::string& key_base, dnssec::KeyState state) {
  AuditInfo audit{
      identity,
      absl::StrCat("import ",
                   state == dnssec::KeyState::kActive ? "active" : "published"),
      zone_arg,
      {}};
  absl::StatusOr<std::string> zone = dnssec::CheckDelegatableZoneName(zone_arg);
  if (!zone.ok()) {
    audit.zone = absl::CHexEscape(zone_arg);
    return Refuse(audit, zone.status());
  }
  audit.zone = *zone;
  absl::StatusOr<std::string> path = ResolveImportBase(import_dir_, key_base);
  if (!path.ok()) return Refuse(audit, path.status());
  absl::StatusOr<BindKeyPair> pair = ReadBindKeyPair(*path);
  if (!pair.ok()) return Refuse(audit, pair.status());
  audit.tags.push_back(pair->key_tag);
  const dnssec::Algorithm algorithm = pair->key.algorithm();
  audit.command += absl::StrCat(" ", dnssec::AlgorithmName(algorithm));
  absl::Status bad;
  dnssec::KeyRole role = dnssec::KeyRole::kZsk;
  if (pair->zone != *zone) {
    bad = absl::InvalidArgumentError(
        absl::StrCat("the key file is for ", pair->zone, ", not ", *zone));
  } else if (pair->flags == dnssec::kKskFlags) {
    role = dnssec::KeyRole::kKsk;
  } else if (pair->flags != dnssec::kZskFlags) {
    bad = absl::InvalidArgumentError(
        absl::StrCat("the key file has DNSKEY flags ", pair->flags,
                     "; only 256 (ZSK) and 257 (KSK) can be imported"));
  }
  if (!bad.ok()) return Refuse(audit, bad);
  const uint16_t key_tag = pair->key_tag;
  const std::vector<uint8_t> rdata = pair->dnskey_rdata;
  absl::StatusOr<std::unique_ptr<PendingKey>> pending =
      backend_->Import(std::move(pair->key));
  if (!pending.ok()) {
    return Refuse(audit, pending.status());
  }
  return Mutate<KeyView>(
      audit, [&](Transaction& tx, absl::Time now) -> absl::StatusOr<KeyView> {
        absl::StatusOr<ZoneRow> zone_row = LoadZone(tx, *zone, now, true);
        if (!zone_row.ok()) return zone_row.status();
        absl::StatusOr<std::vector<KeyRow>> rows = tx.KeysOfZone(*zone, true);
        if (!rows.ok()) return rows.status();
        if (TagsOf(*rows).count(key_tag) != 0) {
          return absl::AlreadyExistsError(
              absl::StrCat("key tag ", key_tag, " is already used in ", *zone,
                           " (expired-keys bin included)"));
        }
        KeyRow row;
        row.zone = *zone;
        row.algorithm = algorithm;
        row.key_tag = key_tag;
        row.role = role;
        row.bits = (*pending)->bits();
        row.state = state;
        row.created_at = now;
        row.state_changed_at = now;
        row.dnskey_rdata = rdata;
        row.backend = backend_->name();
        absl::StatusOr<std::vector<uint8_t>> blob =
            backend_->Store(**pending, BindingOf(row));
        if (!blob.ok()) return blob.status();
        row.sealed_private = *std::move(blob);
        absl::StatusOr<int64_t> id = tx.InsertKey(row);
        if (!id.ok()) return id.status();
        row.id = *id;
        std::vector<KeyRow> before;
        for (const KeyRow& r : *rows) {
          if (!r.deleted) before.push_back(r);
        }
        absl::StatusOr<std::vector<KeyRow>> after = tx.KeysOfZone(*zone, false);
        if (!after.ok()) return after.status();
        absl::Status accepts = CheckSignerAccepts(*zone, before, *after);
        if (!accepts.ok()) return accepts;
        return ToView(row);
      });
}

// --- reads, signing, audit ---------------------------------------------------

absl::StatusOr<std::vector<KeyView>> KeyManagerImpl::ListKeys(
    const std::string& zone_arg, bool include_deleted) const {
  std::optional<std::string> zone;
  if (!zone_arg.empty()) {
    absl::StatusOr<std::string> normal = dnssec::NormalizeZoneName(zone_arg);
    if (!normal.ok()) return normal.status();
    zone = *normal;
  }
  absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginRead();
  if (!tx.ok()) return tx.status();
  absl::StatusOr<std::vector<KeyRow>> rows;
  if (zone.has_value()) {
    absl::StatusOr<std::optional<ZoneRow>> row = (*tx)->GetZone(*zone);
    if (!row.ok()) return row.status();
    if (!row->has_value()) return NoZone(*zone);
    rows = (*tx)->KeysOfZone(*zone, include_deleted);
  } else {
    rows = (*tx)->AllKeys(include_deleted);
  }
  if (!rows.ok()) return rows.status();
  // Per zone (rows come ordered by zone), with for_parent set.
  const absl::Time now = clock_->Now();
  std::vector<KeyView> views;
  for (size_t i = 0; i < rows->size();) {
    size_t j = i;
    while (j < rows->size() && (*rows)[j].zone == (*rows)[i].zone) ++j;
    std::vector<KeyRow> of_zone(rows->begin() + i, rows->begin() + j);
    absl::StatusOr<std::optional<ZoneRow>> zone_row =
        (*tx)->GetZone((*rows)[i].zone);
    if (!zone_row.ok()) return zone_row.status();
    ZoneRow z = zone_row->value_or(ZoneRow{});
    for (KeyView& view : ViewsOfZone(z, of_zone, now)) {
      views.push_back(std::move(view));
    }
    i = j;
  }
  return views;
}

absl::StatusOr<std::vector<dnssec::ZoneKey>> KeyManagerImpl::LoadZoneKeys(
    const std::string& zone_arg) const {
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(zone_arg);
  if (!zone.ok()) return zone.status();
  absl::StatusOr<std::vector<KeyRow>> rows;
  absl::StatusOr<std::optional<ZoneRow>> zone_row;
  std::shared_ptr<KeyBackend> backend;
  {
    absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginRead();
    if (!tx.ok()) return tx.status();
    rows = (*tx)->KeysOfZone(*zone, false);
    zone_row = (*tx)->GetZone(*zone);
    backend = backend_.Get();  // the one these rows are sealed for
  }                            // unseal outside the database lock
  if (!rows.ok()) return rows.status();
  if (!zone_row.ok()) return zone_row.status();
  const std::set<int64_t> for_parent = ParentKskIds(
      zone_row->value_or(ZoneRow{}), *rows, propagation_delay_, clock_->Now());
  if (rows->empty()) {
    return absl::NotFoundError(absl::StrCat("no live keys for ", *zone));
  }
  std::vector<dnssec::ZoneKey> keys;
  for (const KeyRow& row : *rows) {
    dnssec::ZoneKey key;
    key.algorithm = row.algorithm;
    key.key_tag = row.key_tag;
    key.flags = row.dnskey_rdata.size() >= 2
                    ? static_cast<uint16_t>(row.dnskey_rdata[0] << 8 |
                                            row.dnskey_rdata[1])
                    : 0;
    key.role = row.role;
    key.state = row.state;
    key.rollover = row.rollover;
    key.cds = for_parent.count(row.id) != 0;
    key.dnskey_rdata = row.dnskey_rdata;
    if (row.state == dnssec::KeyState::kActive) {
      if (row.backend != backend->name()) {
        return absl::FailedPreconditionError(
            absl::StrCat(KeyName(row), " of ", *zone, " is kept by backend '",
                         AuditText(row.backend), "', which is not configured"));
      }
      absl::StatusOr<std::shared_ptr<const dnssec::SigningHandle>> signer =
          backend->Load(row.sealed_private, BindingOf(row));
      if (!signer.ok()) return signer.status();
      key.signer = *std::move(signer);
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

absl::Status KeyManagerImpl::RecordZoneSigned(const std::string& identity,
                                              const std::string& zone_arg,
                                              const SignedZone& signed_zone) {
  auto sorted_tags = [](std::vector<uint16_t> tags) {
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    return tags;
  };
  const std::vector<uint16_t> sorted = sorted_tags(signed_zone.key_tags);
  const std::vector<uint16_t> signing = sorted_tags(signed_zone.active_tags);
  const uint32_t max_ttl = signed_zone.max_ttl;
  const uint32_t serial = signed_zone.serial;
  AuditInfo audit{
      identity,
      absl::StrCat("zone-signed serial ", serial, " max-ttl ", max_ttl),
      zone_arg, sorted};
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(zone_arg);
  if (!zone.ok()) return Refuse(audit, zone.status());
  audit.zone = *zone;
  return Mutate<bool>(
             audit,
             [&](Transaction& tx, absl::Time now) -> absl::StatusOr<bool> {
               absl::StatusOr<ZoneRow> row = LoadZone(tx, *zone, now, false);
               if (!row.ok()) return row.status();
               // The TTLs are out in the DNS whatever keys signed.
               row->max_ttl = max_ttl;
               row->zsk_wait_ttl = std::max(row->zsk_wait_ttl, max_ttl);
               row->ksk_wait_ttl = std::max(row->ksk_wait_ttl, max_ttl);
               row->last_signed_at = now;
               // Keys loaded before a stage 1: the signatures are by the old
               // active keys, so this signing does not start any wait.
               absl::StatusOr<std::vector<KeyRow>> keys =
                   tx.KeysOfZone(*zone, false);
               if (!keys.ok()) return keys.status();
               // With no DNS to ask, a key counts as served from the first
               // signing that put it in the DNSKEY set.
               if (observer_ == nullptr) {
                 for (const KeyRow& key : *keys) {
                   if (key.dnskey_served_at.has_value() ||
                       !std::binary_search(sorted.begin(), sorted.end(),
                                           key.key_tag)) {
                     continue;
                   }
                   absl::Status s = tx.SetKeyServedAt(key.id, now);
                   if (!s.ok()) return s;
                 }
               }
               std::vector<uint16_t> active_now;
               for (const KeyRow& key : *keys) {
                 if (key.state == dnssec::KeyState::kActive) {
                   active_now.push_back(key.key_tag);
                 }
               }
               std::sort(active_now.begin(), active_now.end());
               if (!signing.empty() && signing != active_now) {
                 audit.command += absl::StrCat(
                     " (signed by ", TagList(signing),
                     ", loaded before the active keys became ",
                     TagList(active_now), ": starts no stage-2 wait)");
                 absl::Status s = tx.UpsertZone(*row);
                 if (!s.ok()) return s;
                 return true;
               }
               const std::string tags = TagList(sorted);
               // A stage 1 changes states without changing tags: any signing
               // at or after it is the first with the new key set.
               auto stage1_since = [&](const std::optional<absl::Time>& t) {
                 return t.has_value() && *t >= *row->keyset_signed_at;
               };
               if (tags != row->keyset_tags ||
                   !row->keyset_signed_at.has_value() ||
                   stage1_since(row->zsk_stage1_at) ||
                   stage1_since(row->ksk_stage1_at)) {
                 row->keyset_signed_at = now;
                 row->keyset_tags = tags;
               }
               // The serial zone servers must serve before zsk-stage2: that
               // of the first signing at or after zsk-stage1.
               if (row->zsk_stage1_at.has_value() &&
                   !row->zsk_first_serial.has_value() &&
                   now >= *row->zsk_stage1_at) {
                 row->zsk_first_serial = serial;
               }
               absl::Status s = tx.UpsertZone(*row);
               if (!s.ok()) return s;
               return true;
             })
      .status();
}

absl::StatusOr<std::vector<AuditEntry>> KeyManagerImpl::Audit(
    const std::string& zone_arg, int limit) const {
  std::string zone;
  if (!zone_arg.empty()) {
    absl::StatusOr<std::string> normal = dnssec::NormalizeZoneName(zone_arg);
    if (!normal.ok()) return normal.status();
    zone = *normal;
  }
  absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginRead();
  if (!tx.ok()) return tx.status();
  absl::StatusOr<std::vector<store::AuditRow>> rows =
      (*tx)->ReadAudit(zone, limit);
  if (!rows.ok()) return rows.status();
  std::vector<AuditEntry> entries;
  entries.reserve(rows->size());
  for (store::AuditRow& row : *rows) {
    entries.push_back(AuditEntry{row.time, std::move(row.identity),
                                 std::move(row.command), std::move(row.zone),
                                 std::move(row.key_tags), std::move(row.result),
                                 row.count});
  }
  return entries;
}

absl::Status KeyManagerImpl::RecordAudit(const std::string& identity,
                                         const std::string& command,
                                         const std::string& zone,
                                         const std::string& key_tags,
                                         const absl::Status& result) {
  absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginWrite();
  if (!tx.ok()) return tx.status();
  absl::StatusOr<std::string> normal = dnssec::NormalizeZoneName(zone);
  store::AuditRow row;
  row.time = clock_->Now();
  row.identity = AuditText(identity);
  row.command = AuditText(command);
  row.zone = AuditText(normal.ok() ? *normal : zone);
  row.key_tags = AuditText(key_tags);
  row.result = result.ok() ? "ok" : AuditText(result.message());
  absl::Status s = (*tx)->InsertAudit(row).status();
  if (!s.ok()) return s;
  return (*tx)->Commit();
}

absl::Status KeyManagerImpl::RecordRefusal(const std::string& identity,
                                           const std::string& command,
                                           const std::string& zone,
                                           const absl::Status& reason) {
  if (reason.ok()) {
    return absl::InvalidArgumentError("an allowed call is not a refusal");
  }
  if (audit_refusal_interval_ <= absl::ZeroDuration()) {
    return RecordAudit(identity, command, zone, "", reason);
  }
  absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginWrite();
  if (!tx.ok()) return tx.status();
  absl::StatusOr<std::string> normal = dnssec::NormalizeZoneName(zone);
  store::AuditRow row;
  row.time = clock_->Now();
  row.identity = AuditText(identity);
  row.command = AuditText(command);
  row.zone = AuditText(normal.ok() ? *normal : zone);
  row.result = AuditText(reason.message());
  row.refused = true;
  // A row begun exactly one interval ago belongs to the next interval.
  absl::Status s = (*tx)
                       ->CountRefusal(row, row.time - audit_refusal_interval_ +
                                               absl::Microseconds(1))
                       .status();
  if (!s.ok()) return s;
  return (*tx)->Commit();
}

}  // namespace key_manager_internal

using key_manager_internal::KeyDb;
using key_manager_internal::KeyManagerImpl;

absl::StatusOr<std::unique_ptr<KeyManager>> KeyManager::Open(
    const KeyManagerOptions& options) {
  if (options.state_dir.empty()) {
    return absl::InvalidArgumentError("no state dir given");
  }
  if (options.propagation_delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("propagation delay is negative");
  }
  std::string dir = options.state_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  absl::Status s = MakeDirectories(dir, 0700, "state dir");
  if (!s.ok()) return s;
  RemoveInterruptedCopies(dir);
  const std::string db_path = dir + "/keystore.db";
  absl::StatusOr<std::unique_ptr<KeyDb>> db = KeyDb::Open(db_path);
  if (!db.ok()) return db.status();
  const std::string master_path = options.master_key_path.empty()
                                      ? dir + "/master.key"
                                      : options.master_key_path;
  // Temp files of a master key creation a kill cut short hold unused keys:
  // removed (keystored holds the state-dir lock, so no creator is at work).
  for (const std::string& path :
       {master_path, MasterKeyFiles::For(master_path).next}) {
    absl::StatusOr<int> removed = MasterKey::RemoveAbandonedTempFiles(path);
    if (!removed.ok()) {
      fprintf(stderr, "keystore: %s\n",
              std::string(removed.status().message()).c_str());
    } else if (*removed > 0) {
      fprintf(stderr,
              "keystore: removed %d temporary file(s) of %s that an "
              "interrupted start or rotation left\n",
              *removed, path.c_str());
    }
  }
  // A rotation a crash interrupted is finished or undone first
  // (master_key_rotation.h).
  absl::StatusOr<std::string> recovered =
      RecoverMasterKeyRotation(master_path, **db);
  if (!recovered.ok()) return recovered.status();
  if (!recovered->empty()) {
    fprintf(stderr, "keystore: %s\n", recovered->c_str());
  }
  // Never a new master key for keys sealed under another (master_key_check.h).
  absl::StatusOr<MasterKey> master =
      OpenMasterKeyOfStore(master_path, db_path, **db);
  if (!master.ok()) return master.status();
  auto backend = std::make_unique<SealedKeyBackend>(*std::move(master));
  // Keys sealed before the associated data covered the DNSKEY RDATA are
  // re-sealed, all in one transaction (key_backend.h).
  absl::StatusOr<int> upgraded = UpgradeSealedKeys(**db, *backend);
  if (!upgraded.ok()) return upgraded.status();
  std::unique_ptr<Clock> owned_clock;
  if (options.clock == nullptr) owned_clock = std::make_unique<RealClock>();
  return std::unique_ptr<KeyManager>(new KeyManagerImpl(
      options, std::move(owned_clock), *std::move(db), std::move(backend),
      master_path, master_path == dir + "/master.key"));
}

}  // namespace keystore
}  // namespace zonekeep
