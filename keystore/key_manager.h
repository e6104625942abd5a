// KeyManager: the key store's core. Every zone's keys, their states and the
// two-stage rollovers of docs/ARCHITECTURE.md, over the SQLite store and sealed
// keys.
//
// Contract:
// - Files: <state_dir>/keystore.db (0600) and <state_dir>/master.key (0400),
//   both created on first Open; state_dir is created 0700 if missing. Open
//   never makes a master key for a database that holds sealed keys, and
//   refuses (FailedPrecondition) a master.key that is not the database's
//   (keystore/master_key_check.h).
// - Every mutating call is one transaction that re-reads the state it changes,
//   and writes one audit row (time, identity, command, zone, key tags, result),
//   also when it fails. A failed call changes nothing else.
// - Zone names are normalised ("Example.COM" -> "example.com.").
// - Errors: InvalidArgument (bad input), NotFound (no such key/zone),
//   FailedPrecondition (state does not allow it; for a stage 2 whose wait has
//   not passed, the message says how long is left), AlreadyExists. Messages are
//   one line and never carry key bytes, except a stage 2 refused on what the
//   DNS serves: the reason, then one line per server ("  SERVER: what it
//   served; how long is left").
// - With a DnsObserver (KeyManagerOptions::dns_observer), stage 2 rests on
//   facts (docs/ARCHITECTURE.md): zsk-stage2 needs every zone server to serve
//   a SOA serial >= that of the first zone signed after zsk-stage1, and
//   propagation-delay + the largest max TTL the zone was signed with since
//   zsk-stage1 to have passed since that was first seen; ksk-stage2 needs
//   every parent agent to serve a DS of a new active KSK, and
//   propagation-delay + the largest DS TTL the parent agents served since
//   ksk-stage1 to have passed since that was first seen. "First seen" is
//   stored (a stage 2 refused still records it; so does
//   CheckPendingRollovers). Without an observer stage 2 waits on the clock
//   alone, from the first signing after stage 1.
// - No method returns private key material. LoadZoneKeys hands out opaque
//   SigningHandles for the active keys.
// Thread-safety: all methods are safe from many threads at once (calls are
// serialised internally where they touch the database).
#ifndef ZONEKEEP_KEYSTORE_KEY_MANAGER_H_
#define ZONEKEEP_KEYSTORE_KEY_MANAGER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dnssec/algorithm.h"
#include "dnssec/key_actions.h"
#include "dnssec/zone_key.h"
#include "keystore/backup.h"
#include "keystore/clock.h"
#include "keystore/dns_observer.h"

namespace zonekeep {
namespace keystore {

// Safe-to-show metadata of one key (no secrets).
struct KeyView {
  std::string zone;
  dnssec::Algorithm algorithm = dnssec::Algorithm::kEcdsaP256Sha256;
  uint16_t key_tag = 0;
  dnssec::KeyRole role = dnssec::KeyRole::kZsk;
  int bits = 0;
  dnssec::KeyState state = dnssec::KeyState::kPublished;
  bool rollover = false;
  bool deleted = false;  // in the expired-keys bin
  absl::Time created;
  absl::Time state_changed;
  std::vector<uint8_t> dnskey_rdata;
  // The parent should have this KSK's DS, and CDS/CDNSKEY name it
  // (KskForParent in key_manager_impl.h decides both).
  bool for_parent = false;
  // When every zone server was first seen serving its DNSKEY (without a DNS
  // observer: when it was first signed into the zone).
  std::optional<absl::Time> dnskey_served_at;
};

struct AuditEntry {
  absl::Time time;
  std::string identity;
  std::string command;
  std::string zone;
  std::string key_tags;  // e.g. "12345,23456"
  std::string result;    // "ok" or the error message
  // Calls the row stands for: 1, or the refused calls collapsed into it
  // (RecordRefusal); `time` is then the first of them.
  int64_t count = 1;
};

// Whether the parent zone serves the DS records of a zone's new KSKs, asked
// before ksk-stage2 retires the old KSK. The DNS implementation comes later;
// until then the manager uses one that answers kNotChecked.
// Thread-safety: Check may be called from many threads at once.
struct ParentDsResult {
  enum class Kind { kNotChecked, kServed, kNotServed };
  Kind kind = Kind::kNotChecked;
  std::string detail;  // one line, for the refusal message and the audit
};

class ParentDsChecker {
 public:
  virtual ~ParentDsChecker() = default;
  // `new_ksks`: the zone's active KSKs of the algorithm that stay after the
  // stage 2. kNotServed refuses the stage 2 unless forced.
  virtual ParentDsResult Check(const std::string& zone,
                               const std::vector<KeyView>& new_ksks) const = 0;
};

// What one signing put out (RecordZoneSigned).
struct SignedZone {
  std::vector<uint16_t> key_tags;     // the DNSKEY RRset
  std::vector<uint16_t> active_tags;  // the keys that signed
  uint32_t max_ttl = 0;
  uint32_t serial = 0;
};

// One zone as `maintkeydb status` shows it.
struct ZoneStatus {
  std::string zone;
  std::vector<KeyView> keys;
  std::vector<std::string> places;  // per key: its place in its cycle
  bool rollover_under_way = false;
  // Per rollover under way (or the next step when none): "zsk-stage2
  // ECDSAP256SHA256: waiting for ..." followed by one line per server.
  std::vector<std::string> next_steps;
};

// What a signing of one zone publishes at its apex besides the DNSKEY set.
struct CdsChoice {
  bool publish = false;      // CDS/CDNSKEY of the KSKs the parent should have
  bool delete_form = false;  // RFC 8078: CDS 0 0 0 00, CDNSKEY 0 3 0 AA==
};

// What RotateMasterKey did.
struct MasterKeyRotation {
  int keys_resealed = 0;     // every sealed key, the bin included
  std::string old_key_path;  // master.key.old, kept for the operator
};

struct KeyManagerOptions {
  std::string state_dir;
  // The master key file; empty: <state_dir>/master.key. keystored points it
  // at a systemd credential ($CREDENTIALS_DIRECTORY/NAME) when configured.
  std::string master_key_path;
  // Added to the zone's max TTL to give the wait before a stage 2, and to
  // the DNSKEY TTL to give the wait before a stage 1.
  absl::Duration propagation_delay = absl::Hours(1);
  // PurgeBin never removes a key deleted less than this long ago.
  absl::Duration purge_min_age = absl::Hours(24 * 7);
  // Zones whose every signing publishes CDS/CDNSKEY (config zones[].cds).
  std::vector<std::string> cds_zones;
  const Clock* clock = nullptr;  // nullptr: a RealClock owned by the manager
  // nullptr: the parent DS is not checked (the audit row says so).
  std::shared_ptr<const ParentDsChecker> parent_ds_checker;
  // nullptr: stage 2 does not ask the DNS (the clock alone decides).
  std::shared_ptr<const DnsObserver> dns_observer;
  // The only directory ImportBindKey reads key files from (relative names
  // are relative to it); empty: import is refused (bind_key_files.h).
  std::string import_dir;
  // RecordRefusal collapses refusals of one identity, command and reason
  // into one row per this interval (config audit-refusal-interval); zero or
  // less: every refusal is its own row.
  absl::Duration audit_refusal_interval = absl::Seconds(60);
};

class KeyManager {
 public:
  static absl::StatusOr<std::unique_ptr<KeyManager>> Open(
      const KeyManagerOptions& options);
  virtual ~KeyManager() = default;

  // create both: 1 active KSK + 1 active ZSK + 1 published ZSK.
  virtual absl::StatusOr<std::vector<KeyView>> CreateKeys(
      const std::string& identity, dnssec::CreateWhat what,
      dnssec::Algorithm algorithm, std::optional<int> bits,
      const std::string& zone) = 0;
  // Moves one key / all of a zone's keys to the expired-keys bin. Removing
  // the last active KSK or ZSK of an algorithm in the zone (which leaves it
  // unsigned) is FailedPrecondition naming the zone, the key and --force,
  // unless `force` (audited as "... --force").
  virtual absl::StatusOr<std::vector<KeyView>> DeleteKey(
      const std::string& identity, const std::string& zone,
      dnssec::Algorithm algorithm, uint16_t key_tag, bool force) = 0;
  virtual absl::StatusOr<std::vector<KeyView>> DeleteZone(
      const std::string& identity, const std::string& zone, bool force) = 0;
  // Retires one key at once (to the expired-keys bin) with the checks of a
  // stage 2: a key marked (R) only once its stage-2 wait has passed; an
  // active key only with `force` (its signatures may be in caches; roll it
  // instead); the last active key of its role and algorithm only with
  // `force`. Forced calls are audited as such, with what the DNS served.
  virtual absl::StatusOr<std::vector<KeyView>> ExpireKey(
      const std::string& identity, const std::string& zone,
      dnssec::Algorithm algorithm, uint16_t key_tag, bool force) = 0;
  // Empties the zone's expired-keys bin of keys deleted at least
  // `older_than` ago (default: purge_min_age). A key deleted less than
  // purge_min_age ago is never purged: asking for less is FailedPrecondition.
  // Returns the keys removed for good (audited).
  virtual absl::StatusOr<std::vector<KeyView>> PurgeBin(
      const std::string& identity, const std::string& zone,
      std::optional<absl::Duration> older_than) = 0;
  // RFC 8078: from the next signing on, publish the delete form of CDS and
  // CDNSKEY (the parent may remove the DS: the zone goes insecure) until
  // called with `on` false (`cds-delete ZONE --undo`). Audited.
  virtual absl::Status SetCdsDelete(const std::string& identity,
                                    const std::string& zone, bool on) = 0;
  // What the next signing of `zone` publishes besides the DNSKEY set.
  virtual absl::StatusOr<CdsChoice> CdsOf(const std::string& zone) const = 0;
  // Brings a key back from the bin, in the state it had but without a (R)
  // mark, and refused when the signer would then refuse the zone (KeyTrap
  // limits).
  virtual absl::StatusOr<KeyView> UndeleteKey(const std::string& identity,
                                              const std::string& zone,
                                              dnssec::Algorithm algorithm,
                                              uint16_t key_tag) = 0;
  // Live keys of one zone (or all zones when empty), ordered by zone, role
  // (KSK first), state, tag; with `include_deleted` the bin too.
  virtual absl::StatusOr<std::vector<KeyView>> ListKeys(
      const std::string& zone, bool include_deleted) const = 0;
  // Runs one rollover stage for `algorithm` in `zone`; returns the zone's keys
  // afterwards. Stage 2 before its wait: FailedPrecondition naming the time
  // left, unless `force` (which is audited as forced); a stage 2 that would
  // leave no active key of the role and algorithm is refused the same way.
  // With a DnsObserver, stage 1 waits too: the key it activates must have
  // been in the DNSKEY set every zone server serves for propagation-delay +
  // the DNSKEY TTL. ksk-stage1 activates a published KSK when the zone has
  // one, else creates one. A stage 1 while a key of that role (any
  // algorithm) is in rollover is refused. zsk-undo / ksk-undo take stage 1
  // back: the (R) key active again, the key it activated published. Any
  // stage the signer would then refuse (KeyTrap limits) is refused.
  virtual absl::StatusOr<std::vector<KeyView>> Rollover(
      const std::string& identity, dnssec::RolloverStage stage,
      dnssec::Algorithm algorithm, const std::string& zone, bool force) = 0;
  // Imports a BIND key pair (K<zone>+<alg>+<tag>.key/.private); its flags give
  // the role. The tag must not collide with a key of the zone (bin included).
  virtual absl::StatusOr<KeyView> ImportBindKey(const std::string& identity,
                                                const std::string& zone,
                                                const std::string& key_base,
                                                dnssec::KeyState state) = 0;
  // Newest first, at most `limit` rows.
  virtual absl::StatusOr<std::vector<AuditEntry>> Audit(const std::string& zone,
                                                        int limit) const = 0;
  // Appends one audit row (for callers such as the signing service).
  virtual absl::Status RecordAudit(const std::string& identity,
                                   const std::string& command,
                                   const std::string& zone,
                                   const std::string& key_tags,
                                   const absl::Status& result) = 0;
  // Records a refused call (never an allowed one, nor a state change): adds
  // one to the count of the row of the same identity, command and reason
  // begun less than audit_refusal_interval ago, in the same transaction, or
  // starts such a row. So a flood of refusals cannot push real events out.
  // REQUIRES: !reason.ok().
  virtual absl::Status RecordRefusal(const std::string& identity,
                                     const std::string& command,
                                     const std::string& zone,
                                     const absl::Status& reason) = 0;

  // The zone's DNSKEY set (published + active, rollover included) with signers
  // for the active keys. NotFound when the zone has no keys.
  virtual absl::StatusOr<std::vector<dnssec::ZoneKey>> LoadZoneKeys(
      const std::string& zone) const = 0;
  // Records that `zone` was signed: `signed_zone.key_tags` the DNSKEY set,
  // `active_tags` the keys that signed (those LoadZoneKeys handed out as
  // active), the zone's largest TTL and its SOA serial. The first signing
  // whose active keys are the zone's active keys now, after a stage 1, starts
  // the stage-2 wait and gives the serial zone servers must serve before
  // zsk-stage2; a signing that loaded its keys before a stage 1 and ends
  // after it does not count (its signatures are by the old keys).
  virtual absl::Status RecordZoneSigned(const std::string& identity,
                                        const std::string& zone,
                                        const SignedZone& signed_zone) = 0;

  // Asks the DNS about every stage 2 pending (a key marked (R)) and records
  // what it first saw; keystored calls it every check-interval. OK without a
  // DnsObserver (nothing to do).
  virtual absl::Status CheckPendingRollovers() = 0;
  // One zone (or every zone when empty): keys, places, rollovers under way
  // and what their next step waits for (asks the DNS, as a stage 2 would).
  virtual absl::StatusOr<std::vector<ZoneStatus>> Status(
      const std::string& zone) = 0;
  // Re-seals every key under a new master key in one transaction (with the
  // new check value), then keeps the old key as master.key.old; crash-safe
  // (keystore/master_key_rotation.h). Signing goes on: a signing holds the
  // keys it loaded. FailedPrecondition when master.key.old still exists or
  // the master key is a systemd credential. Audited.
  virtual absl::StatusOr<MasterKeyRotation> RotateMasterKey(
      const std::string& identity) = 0;
  // A consistent copy of the database (store::CopyDatabase: keys still
  // sealed, no master key), made in the state dir and unlinked before it is
  // returned, with what it holds (backup.h). Signing and rollovers go on
  // meanwhile. Audited, with the copy's size and SHA-256.
  virtual absl::StatusOr<std::unique_ptr<BackupCopy>> Backup(
      const std::string& identity) = 0;
  // An authentication tag over `data` for `purpose` under the key backend's
  // secret (KeyBackend::Tag): keystored's signature records carry one, so a
  // record it did not write itself, under this master key, is not trusted.
  virtual absl::StatusOr<MasterKey::TagBytes> StateTag(
      absl::string_view purpose, absl::string_view data) const = 0;
};

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_KEY_MANAGER_H_
