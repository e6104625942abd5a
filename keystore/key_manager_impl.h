// Private to keystore/: the KeyManager implementation, split over
// key_manager.cc (keys, reads, signing records, audit) and
// key_manager_rollover.cc (the two-stage rollovers). Not a public header:
// callers use key_manager.h.
//
// KeyManager over KeyDb (keystore/store) and a KeyBackend (sealed keys).
//
// Every mutating method runs its checks and changes inside one write
// transaction that re-reads the rows it changes (Mutate below), and writes its
// audit row in that transaction; when the body fails, the transaction rolls
// back and the audit row is written in a small transaction of its own.
#ifndef ZONEKEEP_KEYSTORE_KEY_MANAGER_IMPL_H_
#define ZONEKEEP_KEYSTORE_KEY_MANAGER_IMPL_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dnssec/algorithm.h"
#include "dnssec/key_actions.h"
#include "dnssec/zone_key.h"
#include "keystore/key_backend.h"
#include "keystore/key_manager.h"
#include "keystore/store/key_db.h"

namespace zonekeep {
namespace keystore {
namespace key_manager_internal {

using store::KeyDb;
using store::KeyRow;
using store::Transaction;
using store::ZoneRow;

// Helpers shared by both files (defined in key_manager.cc).
const char* RoleName(dnssec::KeyRole role);
std::string FormatWhen(absl::Time t);
std::vector<KeyView> ToViews(const std::vector<KeyRow>& rows);
KeyView ToView(const KeyRow& row);
std::string TagList(const std::vector<uint16_t>& tags);
// "ZSK 12345 (ECDSAP256SHA256)"
std::string KeyName(const KeyRow& row);
absl::Status NoKey(const std::string& zone, dnssec::Algorithm algorithm,
                   uint16_t key_tag);
std::set<uint16_t> TagsOf(const std::vector<KeyRow>& rows);
// FailedPrecondition when removing the keys with ids in `removing` from the
// zone's `live` keys leaves an algorithm with no active KSK or ZSK although
// it had one: "<zone>: key N is the only active KSK (ALG); <doing> leaves the
// zone unsigned; add --force to do it anyway". `doing`: e.g. "deleting it".
absl::Status CheckNotLastActive(const std::string& zone,
                                const std::vector<KeyRow>& live,
                                const std::set<int64_t>& removing,
                                const std::string& doing);

// The DNSKEY TTL a stage-1 / CDS wait uses: the largest the zone servers
// were seen serving, else (never seen) the zone's max TTL, which bounds it.
uint32_t DnskeyWaitTtl(const ZoneRow& zone);
// The one rule for "the KSKs the parent should have" (parentdata ds/key and
// CDS/CDNSKEY alike; RFC 7583 3.3.1, RFC 6781 4.1.4): an active KSK marked
// (R) (the parent has its DS until ksk-stage2), and an active KSK whose
// DNSKEY every zone server has served for propagation-delay + the DNSKEY TTL
// (dnskey_served_at); when that names none, every active KSK (a zone's first
// KSK). Returns the ids among `live`.
std::set<int64_t> ParentKskIds(const ZoneRow& zone,
                               const std::vector<KeyRow>& live,
                               absl::Duration propagation_delay,
                               absl::Time now);
// FailedPrecondition when the signer would refuse `after` (signer/key_set.cc:
// more than 2 active KSKs or ZSKs of one algorithm, the KeyTrap limit; an
// algorithm in the DNSKEY set without an active KSK and ZSK) for a reason
// `before` did not have: a change never makes a signable zone unsignable.
absl::Status CheckSignerAccepts(const std::string& zone,
                                const std::vector<KeyRow>& before,
                                const std::vector<KeyRow>& after);

// What the DNS served for one stage 2 (key_manager_dns.cc).
struct DnsSeen {
  bool asked = false;               // false: no observer
  std::vector<ServerSeen> serials;  // zone servers' SOA (ZSK)
  std::vector<ServerSeen> ds;       // parent agents' DS (KSK)
  std::vector<ServerSeen> dnskeys;  // zone servers' DNSKEY
  // One line: what was seen, for the audit row of a forced stage 2.
  std::string Summary() const;
};

// RFC 1982: a >= b in serial number arithmetic.
inline bool SerialAtLeast(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) >= 0;
}

// What one call writes to the audit table.
struct AuditInfo {
  std::string identity;
  std::string command;
  std::string zone;
  std::vector<uint16_t> tags;
};

class ParentDsNotChecked final : public ParentDsChecker {
 public:
  ParentDsResult Check(const std::string&,
                       const std::vector<KeyView>&) const override {
    return {ParentDsResult::Kind::kNotChecked, "parent DS not checked"};
  }
};

// The backend, replaced as a whole when the master key rotates. `backend_->X`
// works on a snapshot. RotateMasterKey sets the new one inside its write
// transaction, so a reader that takes its snapshot (Get) in the same
// transaction as the rows it unseals sees seals and key that match.
class BackendSlot {
 public:
  explicit BackendSlot(std::shared_ptr<KeyBackend> backend)
      : backend_(std::move(backend)) {}
  std::shared_ptr<KeyBackend> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return backend_;
  }
  std::shared_ptr<KeyBackend> operator->() const { return Get(); }
  void Set(std::shared_ptr<KeyBackend> backend) {
    std::lock_guard<std::mutex> lock(mu_);
    backend_ = std::move(backend);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<KeyBackend> backend_;
};

class KeyManagerImpl final : public KeyManager {
 public:
  KeyManagerImpl(const KeyManagerOptions& options,
                 std::unique_ptr<Clock> owned_clock, std::unique_ptr<KeyDb> db,
                 std::unique_ptr<KeyBackend> backend,
                 std::string master_key_path, bool master_key_rotatable)
      : master_key_path_(std::move(master_key_path)),
        master_key_rotatable_(master_key_rotatable),
        import_dir_(options.import_dir),
        propagation_delay_(options.propagation_delay),
        purge_min_age_(options.purge_min_age),
        audit_refusal_interval_(options.audit_refusal_interval),
        cds_zones_(options.cds_zones.begin(), options.cds_zones.end()),
        owned_clock_(std::move(owned_clock)),
        clock_(options.clock != nullptr ? options.clock : owned_clock_.get()),
        db_(std::move(db)),
        backend_(std::move(backend)),
        parent_ds_(options.parent_ds_checker != nullptr
                       ? options.parent_ds_checker
                       : std::make_shared<ParentDsNotChecked>()),
        observer_(options.dns_observer) {}

  absl::StatusOr<std::vector<KeyView>> CreateKeys(
      const std::string& identity, dnssec::CreateWhat what,
      dnssec::Algorithm algorithm, std::optional<int> bits,
      const std::string& zone) override;
  absl::StatusOr<std::vector<KeyView>> DeleteKey(const std::string& identity,
                                                 const std::string& zone,
                                                 dnssec::Algorithm algorithm,
                                                 uint16_t key_tag,
                                                 bool force) override;
  absl::StatusOr<std::vector<KeyView>> DeleteZone(const std::string& identity,
                                                  const std::string& zone,
                                                  bool force) override;
  absl::StatusOr<std::vector<KeyView>> ExpireKey(const std::string& identity,
                                                 const std::string& zone,
                                                 dnssec::Algorithm algorithm,
                                                 uint16_t key_tag,
                                                 bool force) override;
  absl::StatusOr<std::vector<KeyView>> PurgeBin(
      const std::string& identity, const std::string& zone,
      std::optional<absl::Duration> older_than) override;
  absl::Status SetCdsDelete(const std::string& identity,
                            const std::string& zone, bool on) override;
  absl::StatusOr<CdsChoice> CdsOf(const std::string& zone) const override;
  absl::StatusOr<KeyView> UndeleteKey(const std::string& identity,
                                      const std::string& zone,
                                      dnssec::Algorithm algorithm,
                                      uint16_t key_tag) override;
  absl::StatusOr<std::vector<KeyView>> ListKeys(
      const std::string& zone, bool include_deleted) const override;
  absl::StatusOr<std::vector<KeyView>> Rollover(const std::string& identity,
                                                dnssec::RolloverStage stage,
                                                dnssec::Algorithm algorithm,
                                                const std::string& zone,
                                                bool force) override;
  absl::StatusOr<KeyView> ImportBindKey(const std::string& identity,
                                        const std::string& zone,
                                        const std::string& key_base,
                                        dnssec::KeyState state) override;
  absl::StatusOr<std::vector<AuditEntry>> Audit(const std::string& zone,
                                                int limit) const override;
  absl::Status RecordAudit(const std::string& identity,
                           const std::string& command, const std::string& zone,
                           const std::string& key_tags,
                           const absl::Status& result) override;
  absl::Status RecordRefusal(const std::string& identity,
                             const std::string& command,
                             const std::string& zone,
                             const absl::Status& reason) override;
  absl::StatusOr<std::vector<dnssec::ZoneKey>> LoadZoneKeys(
      const std::string& zone) const override;
  absl::Status RecordZoneSigned(const std::string& identity,
                                const std::string& zone,
                                const SignedZone& signed_zone) override;
  absl::Status CheckPendingRollovers() override;
  absl::StatusOr<std::vector<ZoneStatus>> Status(
      const std::string& zone) override;
  absl::StatusOr<MasterKeyRotation> RotateMasterKey(
      const std::string& identity) override;  // key_manager_rotate.cc
  absl::StatusOr<std::unique_ptr<BackupCopy>> Backup(
      const std::string& identity) override;  // key_manager_backup.cc
  absl::StatusOr<MasterKey::TagBytes> StateTag(
      absl::string_view purpose, absl::string_view data) const override {
    return backend_->Tag(purpose, data);
  }

 private:
  // Runs `body` in one write transaction plus its audit row (see top).
  template <typename T>
  absl::StatusOr<T> Mutate(
      AuditInfo& audit,
      const std::function<absl::StatusOr<T>(Transaction&, absl::Time)>& body);
  // Writes the audit row of a call that failed before or in its transaction.
  absl::Status AuditFailure(const AuditInfo& audit, const absl::Status& error);
  // AuditFailure, then returns `error`.
  absl::Status Refuse(const AuditInfo& audit, absl::Status error) {
    AuditFailure(audit, error).IgnoreError();
    return error;
  }
  absl::Status WriteAudit(Transaction& tx, const AuditInfo& audit,
                          absl::Time now, const absl::Status& result);

  // Reads the zone's row, creating it if `create`; NotFound otherwise.
  absl::StatusOr<ZoneRow> LoadZone(Transaction& tx, const std::string& zone,
                                   absl::Time now, bool create);
  // Stores a new key of `zone` in the state given, regenerating while its
  // tag is in `used_tags` (which it then joins). `pending` may be null: a key
  // is generated.
  absl::StatusOr<KeyRow> AddKey(Transaction& tx, const std::string& zone,
                                std::unique_ptr<PendingKey> pending,
                                dnssec::Algorithm algorithm, int bits,
                                dnssec::KeyRole role, dnssec::KeyState state,
                                absl::Time now, std::set<uint16_t>& used_tags);
  // delete_id (expire false) and expire: one key to the bin, a (R) key only
  // through the gates of its stage 2 unless `force`.
  absl::StatusOr<std::vector<KeyView>> RetireKey(const std::string& identity,
                                                 const std::string& zone,
                                                 dnssec::Algorithm algorithm,
                                                 uint16_t key_tag, bool force,
                                                 bool expire);
  // Views of one zone's rows with for_parent set (ParentKskIds).
  std::vector<KeyView> ViewsOfZone(const ZoneRow& zone,
                                   const std::vector<KeyRow>& rows,
                                   absl::Time now) const;
  // FailedPrecondition while the stage-2 wait for `role` has not passed.
  absl::Status CheckStage2Wait(const ZoneRow& zone, dnssec::KeyRole role,
                               absl::Time now) const;
  absl::StatusOr<std::vector<KeyView>> RolloverInTx(
      Transaction& tx, dnssec::RolloverStage stage, dnssec::Algorithm algorithm,
      const std::string& zone, bool force,
      const std::optional<ParentDsResult>& parent, const DnsSeen& seen,
      absl::Time now, AuditInfo& audit);

  const std::string master_key_path_;
  const bool master_key_rotatable_;  // false: a systemd credential
  std::mutex rotate_mu_;             // one rotation at a time
  const std::string import_dir_;
  const absl::Duration propagation_delay_;
  const absl::Duration purge_min_age_;
  const absl::Duration audit_refusal_interval_;
  const std::set<std::string> cds_zones_;  // normalised names
  const std::unique_ptr<Clock> owned_clock_;
  const Clock* const clock_;
  const std::unique_ptr<KeyDb> db_;
  BackendSlot backend_;
  const std::shared_ptr<const ParentDsChecker> parent_ds_;
  const std::shared_ptr<const DnsObserver> observer_;

  // key_manager_dns.cc: the DNS facts behind stage 2.
  // Asks the observer about the stage 2 of `role` in `zone` (no lock held).
  DnsSeen Observe(const std::string& zone, dnssec::KeyRole role) const;
  // Records what `seen` shows (first seen, TTLs) in its own transaction that
  // re-reads the zone; audited only when a "first seen" is set.
  absl::Status RecordSeen(const std::string& zone, dnssec::KeyRole role,
                          dnssec::Algorithm algorithm, const DnsSeen& seen);
  // The whole stage-2 verdict (the signing wait, then the DNS gate).
  absl::Status Stage2Gate(const ZoneRow& zone, const std::vector<KeyRow>& keys,
                          dnssec::KeyRole role, dnssec::Algorithm algorithm,
                          const DnsSeen& seen, absl::Time now) const;
  // Records, in its own transaction, the keys whose DNSKEY every zone
  // server in `dnskeys` serves (dnskey_served_at, first seen) and the
  // largest DNSKEY TTL served; audited when a key is first seen.
  absl::Status RecordDnskeysServed(const std::string& zone,
                                   const std::vector<ServerSeen>& dnskeys);
  // The stage-1 verdict for activating `next`: every zone server has served
  // its DNSKEY for propagation-delay + the DNSKEY TTL (no writes).
  absl::Status Stage1Gate(const ZoneRow& zone, const KeyRow& next,
                          const std::vector<ServerSeen>& dnskeys,
                          absl::Time now) const;
  // The stage-2 verdict from the stored facts and `seen` (no writes).
  absl::Status DnsGate(const ZoneRow& zone, const std::vector<KeyRow>& keys,
                       dnssec::KeyRole role, dnssec::Algorithm algorithm,
                       const DnsSeen& seen, absl::Time now) const;
};

template <typename T>
absl::StatusOr<T> KeyManagerImpl::Mutate(
    AuditInfo& audit,
    const std::function<absl::StatusOr<T>(Transaction&, absl::Time)>& body) {
  absl::StatusOr<T> result = absl::UnknownError("not run");
  {
    absl::StatusOr<std::unique_ptr<Transaction>> tx = db_->BeginWrite();
    if (!tx.ok()) {
      result = tx.status();
    } else {
      const absl::Time now = clock_->Now();
      result = body(**tx, now);
      if (result.ok()) {
        absl::Status s = WriteAudit(**tx, audit, now, absl::OkStatus());
        if (s.ok()) s = (*tx)->Commit();
        if (s.ok()) return result;
        result = s;
      }
    }
  }  // the transaction rolls back here
  AuditFailure(audit, result.status()).IgnoreError();
  return result;
}

}  // namespace key_manager_internal
}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_KEY_MANAGER_IMPL_H_
