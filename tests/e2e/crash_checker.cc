#include "tests/e2e/crash_checker.h"

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace zonekeep::testing {
namespace {

// Calls keystored audits that change no key, zone fact or state.
const std::set<std::string>& ReadOnlyCommands() {
  static const auto* commands = new std::set<std::string>{
      "list", "parentdata", "showkeys", "audit", "status", "stats", "sign"};
  return *commands;
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::vector<int> Tags(const std::string& list) {
  std::vector<int> tags;
  std::string part;
  std::istringstream in(list);
  while (std::getline(in, part, ',')) {
    if (!part.empty()) tags.push_back(std::stoi(part));
  }
  return tags;
}

std::string KeyText(const std::string& zone, int tag) {
  return zone + " key " + std::to_string(tag);
}

// A key as the audit log says it must be.
struct Expected {
  std::string role;  // from the key row (roles never change); "" if none
  std::string state;
  bool rollover = false;
  bool deleted = false;
  // The `now` of the transactions that made and last changed the key: the
  // time of their audit rows.
  int64_t created_at = 0;
  int64_t state_changed_at = 0;
  std::optional<int64_t> deleted_at;
};

// A zone row as the audit log says it must be.
struct ExpectedZone {
  int64_t created_at = 0;  // its first create or import
  std::optional<int64_t> last_signed_at, zsk_stage1_at, ksk_stage1_at;
};

using KeyId = std::pair<std::string, int>;  // (zone, key tag)

class Replay {
 public:
  Replay(const std::vector<StoreKey>& rows, std::vector<std::string>* problems)
      : problems_(problems) {
    for (const StoreKey& row : rows) role_[{row.zone, row.key_tag}] = row.role;
  }

  void Apply(const AuditRecord& rec) {
    const std::vector<std::string> w = Words(NormalizedCommand(rec.command));
    const std::vector<int> tags = Tags(rec.key_tags);
    const std::string& zone = rec.zone;
    const std::string what = w.size() > 1 ? w[1] : "";
    if (w.empty() || ReadOnlyCommands().count(w[0]) != 0) return;
    now_ = rec.time;
    if (w[0] == "zone-signed") {
      Zone(rec).last_signed_at = now_;
      return;
    }
    if (w[0] == "create" || w[0] == "import") {
      zones_.emplace(zone, ExpectedZone{now_, {}, {}, {}});
    } else if (w[0] == "rollover" && what == "zsk-stage1") {
      Zone(rec).zsk_stage1_at = now_;
    } else if (w[0] == "rollover" && what == "ksk-stage1") {
      Zone(rec).ksk_stage1_at = now_;
    }
    if (w[0] == "create") {
      for (int tag : tags) {
        const std::string role = RoleOf(zone, tag);
        Add(rec, zone, tag, HasActive(zone, role) ? "published" : "active");
      }
    } else if (w[0] == "import") {
      for (int tag : tags) Add(rec, zone, tag, what);
    } else if (w[0] == "delete_id" || w[0] == "expire" ||
               w[0] == "delete_name") {
      for (int tag : tags) Delete(Known(rec, zone, tag));
    } else if (w[0] == "undelete") {
      for (int tag : tags) {
        Expected& key = Known(rec, zone, tag);
        key.deleted = false;
        key.deleted_at.reset();
        key.rollover = false;
      }
    } else if (w[0] == "rollover" && !tags.empty()) {
      const int last = tags.back();
      if (what == "zsk-stage1" || what == "ksk-stage1") {
        for (size_t i = 0; i + 1 < tags.size(); ++i) {
          Expected& old = Known(rec, zone, tags[i]);
          old.rollover = true;
          old.state = what == "zsk-stage1" ? "published" : "active";
        }
        if (keys_.count({zone, last}) == 0 && what == "ksk-stage1") {
          Add(rec, zone, last, "active");
        } else {
          Expected& next = Known(rec, zone, last);
          next.state = "active";
          next.rollover = false;
        }
      } else if (what == "zsk-stage2" || what == "ksk-stage2") {
        for (int tag : tags) {
          if (keys_.count({zone, tag}) == 0 && what == "zsk-stage2") {
            Add(rec, zone, tag, "published");
          } else {
            Delete(Known(rec, zone, tag));
          }
        }
      } else {
        Problem(rec, "a rollover stage the test never runs");
      }
    } else {
      Problem(rec, "a state-changing command the test never runs");
    }
  }

  const std::map<KeyId, Expected>& keys() const { return keys_; }
  const std::map<std::string, ExpectedZone>& zones() const { return zones_; }

 private:
  void Delete(Expected& key) {
    key.deleted = true;
    key.deleted_at = now_;
  }

  ExpectedZone& Zone(const AuditRecord& rec) {
    if (zones_.count(rec.zone) == 0) {
      Problem(rec, "changes a zone no earlier create or import record made");
    }
    return zones_[rec.zone];
  }

  void Problem(const AuditRecord& rec, const std::string& what) {
    problems_->push_back("audit row " + std::to_string(rec.id) + " (" +
                         rec.command + ", " + rec.zone + ", tags " +
                         rec.key_tags + "): " + what);
  }

  std::string RoleOf(const std::string& zone, int tag) const {
    auto it = role_.find({zone, tag});
    return it == role_.end() ? "" : it->second;
  }

  bool HasActive(const std::string& zone, const std::string& role) const {
    for (const auto& [id, key] : keys_) {
      if (id.first == zone && key.role == role && !key.deleted &&
          key.state == "active") {
        return true;
      }
    }
    return false;
  }

  void Add(const AuditRecord& rec, const std::string& zone, int tag,
           const std::string& state) {
    if (keys_.count({zone, tag}) != 0) {
      Problem(rec, "creates " + KeyText(zone, tag) + ", which exists already");
      return;
    }
    keys_[{zone, tag}] = Expected{
        RoleOf(zone, tag), state, false, false, now_, now_, std::nullopt};
  }

  Expected& Known(const AuditRecord& rec, const std::string& zone, int tag) {
    if (keys_.count({zone, tag}) == 0) {
      Problem(rec, "changes " + KeyText(zone, tag) +
                       ", which no earlier create or import record made");
    }
    Expected& key = keys_[{zone, tag}];
    key.state_changed_at = now_;  // every change of a key sets it
    return key;
  }

  std::vector<std::string>* problems_;
  std::map<KeyId, std::string> role_;
  std::map<KeyId, Expected> keys_;
  std::map<std::string, ExpectedZone> zones_;
  int64_t now_ = 0;  // the time of the row being applied
};

std::string Time(const std::optional<int64_t>& t) {
  return t.has_value() ? std::to_string(*t) : "NULL";
}

void CheckDuplicates(const StoreSnapshot& snap,
                     std::vector<std::string>* problems) {
  std::map<std::tuple<std::string, int, int>, int64_t> by_alg_tag;
  std::map<KeyId, int64_t> by_tag;
  std::map<std::string, int64_t> by_public_key;
  for (const StoreKey& key : snap.keys) {
    const std::string id = "key row " + std::to_string(key.id);
    if (!by_alg_tag
             .emplace(std::make_tuple(key.zone, key.algorithm, key.key_tag),
                      key.id)
             .second ||
        !by_tag.emplace(KeyId{key.zone, key.key_tag}, key.id).second) {
      problems->push_back("duplicate key: " + id + " repeats " +
                          KeyText(key.zone, key.key_tag));
    }
    // DNSKEY RDATA: flags(2) protocol(1) algorithm(1) public key.
    const std::string public_key =
        key.dnskey_hex.size() > 4 ? key.dnskey_hex.substr(4) : key.dnskey_hex;
    auto [it, fresh] = by_public_key.emplace(public_key, key.id);
    if (!fresh) {
      problems->push_back("duplicate key: " + id +
                          " holds the public key of key row " +
                          std::to_string(it->second));
    }
  }
}

}  // namespace

std::string NormalizedCommand(const std::string& command) {
  if (command.rfind("zone-signed", 0) == 0) return "zone-signed";
  const size_t paren = command.find(" (");
  return paren == std::string::npos ? command : command.substr(0, paren);
}

std::set<std::string> CompleteZones(const StoreSnapshot& snap) {
  std::set<std::string> ksk, zsk;
  for (const StoreKey& key : snap.keys) {
    if (key.deleted || key.state != "active") continue;
    (key.role == "KSK" ? ksk : zsk).insert(key.zone);
  }
  std::set<std::string> both;
  for (const std::string& zone : ksk) {
    if (zsk.count(zone) != 0) both.insert(zone);
  }
  return both;
}

std::vector<std::string> CheckStore(
    const StoreSnapshot& snap, const std::vector<LaunchedOp>& ops,
    const std::set<std::string>& complete_before) {
  std::vector<std::string> problems;
  // 1. Integrity.
  if (snap.integrity != "ok") {
    problems.push_back("PRAGMA integrity_check: " + snap.integrity);
  }
  if (!snap.foreign_key.empty()) {
    problems.push_back("PRAGMA foreign_key_check: " + snap.foreign_key);
  }
  // 2. Duplicates.
  CheckDuplicates(snap, &problems);
  // 3 and 4a. Acknowledged operations have their rows; no row without one.
  std::map<std::pair<std::string, std::string>, int> acked, launched, rows;
  for (const LaunchedOp& op : ops) {
    ++launched[{op.audit_command, op.zone}];
    if (op.acknowledged) ++acked[{op.audit_command, op.zone}];
  }
  for (const AuditRecord& rec : snap.audit) {
    if (rec.result != "ok") continue;
    const std::string command = NormalizedCommand(rec.command);
    const std::vector<std::string> w = Words(command);
    if (w.empty() || ReadOnlyCommands().count(w[0]) != 0) continue;
    ++rows[{command, rec.zone}];
  }
  for (const auto& [key, count] : acked) {
    if (rows[key] < count) {
      problems.push_back("lost acknowledged change: " + std::to_string(count) +
                         " \"" + key.first + "\" on " + key.second +
                         " acknowledged, " + std::to_string(rows[key]) +
                         " ok audit rows");
    }
  }
  for (const auto& [key, count] : rows) {
    if (count > launched[key]) {
      problems.push_back("phantom change: " + std::to_string(count) +
                         " ok audit rows \"" + key.first + "\" on " +
                         key.second + ", " + std::to_string(launched[key]) +
                         " launched");
    }
  }
  std::set<KeyId> stored;
  for (const StoreKey& key : snap.keys) stored.insert({key.zone, key.key_tag});
  for (const LaunchedOp& op : ops) {
    if (!op.acknowledged) continue;
    for (int tag : op.printed_tags) {
      if (stored.count({op.zone, tag}) == 0) {
        problems.push_back("lost acknowledged key: " + KeyText(op.zone, tag) +
                           " (" + op.audit_command + ") is not in the store");
      }
    }
  }
  // 4b. Replay.
  Replay replay(snap.keys, &problems);
  for (const AuditRecord& rec : snap.audit) {
    if (rec.result == "ok") replay.Apply(rec);
  }
  for (const StoreKey& key : snap.keys) {
    auto it = replay.keys().find({key.zone, key.key_tag});
    const std::string id = KeyText(key.zone, key.key_tag);
    if (it == replay.keys().end()) {
      problems.push_back("audit mismatch: " + id +
                         " is in the store with no create or import record");
      continue;
    }
    const Expected& want = it->second;
    if (want.created_at != key.created_at ||
        want.state_changed_at != key.state_changed_at ||
        want.deleted_at != key.deleted_at) {
      problems.push_back(
          "audit mismatch: " + id + " was created/changed/deleted at " +
          Time(key.created_at) + "/" + Time(key.state_changed_at) + "/" +
          Time(key.deleted_at) + ", its audit rows say " +
          Time(want.created_at) + "/" + Time(want.state_changed_at) + "/" +
          Time(want.deleted_at) + " (not the same transactions)");
    }
    if (want.deleted != key.deleted || want.state != key.state ||
        want.rollover != key.rollover) {
      problems.push_back(
          "audit mismatch: " + id + " is " + key.state +
          (key.rollover ? "(R)" : "") + (key.deleted ? " in the bin" : "") +
          ", the audit log says " + want.state + (want.rollover ? "(R)" : "") +
          (want.deleted ? " in the bin" : ""));
    }
  }
  for (const auto& [id, want] : replay.keys()) {
    if (stored.count(id) == 0) {
      problems.push_back("audit mismatch: the audit log made " +
                         KeyText(id.first, id.second) +
                         ", which is not in the store");
    }
  }
  std::set<std::string> zone_rows;
  for (const StoreZone& zone : snap.zones) {
    zone_rows.insert(zone.name);
    auto it = replay.zones().find(zone.name);
    if (it == replay.zones().end()) {
      problems.push_back("audit mismatch: zone " + zone.name +
                         " is in the store with no create or import record");
      continue;
    }
    const ExpectedZone& want = it->second;
    if (want.created_at != zone.created_at ||
        want.last_signed_at != zone.last_signed_at ||
        want.zsk_stage1_at != zone.zsk_stage1_at ||
        want.ksk_stage1_at != zone.ksk_stage1_at) {
      problems.push_back(
          "audit mismatch: zone " + zone.name +
          " created/last signed/zsk-stage1/ksk-stage1 at " +
          Time(zone.created_at) + "/" + Time(zone.last_signed_at) + "/" +
          Time(zone.zsk_stage1_at) + "/" + Time(zone.ksk_stage1_at) +
          ", its audit rows say " + Time(want.created_at) + "/" +
          Time(want.last_signed_at) + "/" + Time(want.zsk_stage1_at) + "/" +
          Time(want.ksk_stage1_at));
    }
  }
  for (const auto& [name, want] : replay.zones()) {
    if (zone_rows.count(name) == 0) {
      problems.push_back("audit mismatch: the audit log made zone " + name +
                         ", which is not in the store");
    }
  }
  // 5. Complete key sets.
  const std::set<std::string> complete = CompleteZones(snap);
  for (const std::string& zone : complete_before) {
    if (complete.count(zone) == 0) {
      problems.push_back("incomplete key set: " + zone +
                         " had an active KSK and ZSK and no longer has both");
    }
  }
  return problems;
}

}  // namespace zonekeep::testing
