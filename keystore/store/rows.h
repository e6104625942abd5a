// Typed rows of the key store's tables (see schema.cc). Plain data: no SQL,
// no secrets in clear (sealed_private is an opaque backend blob).
#ifndef ZONEKEEP_KEYSTORE_STORE_ROWS_H_
#define ZONEKEEP_KEYSTORE_STORE_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "dnssec/algorithm.h"
#include "dnssec/zone_key.h"

namespace zonekeep {
namespace store {

inline constexpr char kSealedSqliteBackend[] = "sealed-sqlite";

struct ZoneRow {
  std::string name;  // normalised, "example.com."
  uint32_t max_ttl = 0;
  std::optional<absl::Time> last_signed_at;
  // When the zone was first signed with the key set it has now (the start of
  // the stage-2 wait), and that key set's sorted tags ("123,456").
  std::optional<absl::Time> keyset_signed_at;
  std::string keyset_tags;
  std::optional<absl::Time> zsk_stage1_at;
  std::optional<absl::Time> ksk_stage1_at;
  absl::Time created_at;
  // DNS facts of the rollovers under way (schema.cc, migration 3).
  std::optional<uint32_t> zsk_first_serial;  // first signing after zsk-stage1
  std::optional<absl::Time> zsk_served_at;   // all zone servers serve it
  uint32_t zsk_wait_ttl = 0;                 // largest max TTL since zsk-stage1
  uint32_t ksk_wait_ttl = 0;                 // largest max TTL since ksk-stage1
  std::optional<absl::Time> ds_seen_at;      // all parent agents serve a new DS
  uint32_t ds_ttl = 0;      // largest DS TTL the parent agents served
  uint32_t dnskey_ttl = 0;  // largest DNSKEY TTL the zone servers served
  bool cds_delete = false;  // publish the RFC 8078 delete CDS/CDNSKEY
};

struct KeyRow {
  int64_t id = 0;  // assigned by InsertKey
  std::string zone;
  dnssec::Algorithm algorithm = dnssec::Algorithm::kEcdsaP256Sha256;
  uint16_t key_tag = 0;
  dnssec::KeyRole role = dnssec::KeyRole::kZsk;
  int bits = 0;
  dnssec::KeyState state = dnssec::KeyState::kPublished;
  bool rollover = false;
  bool deleted = false;
  absl::Time created_at;
  absl::Time state_changed_at;
  std::optional<absl::Time> deleted_at;
  // When every zone server was first seen serving this key's DNSKEY (without
  // a DNS observer: when it was first signed into the zone).
  std::optional<absl::Time> dnskey_served_at;
  std::vector<uint8_t> dnskey_rdata;
  std::vector<uint8_t> sealed_private;  // opaque, owned by `backend`
  std::string backend = kSealedSqliteBackend;
};

struct AuditRow {
  int64_t id = 0;  // assigned by InsertAudit
  absl::Time time;
  std::string identity;
  std::string command;
  std::string zone;
  std::string key_tags;
  std::string result;
  // Calls this row stands for: 1, or the refusals collapsed into it.
  int64_t count = 1;
  // A refused call (CountRefusal); allowed calls are never collapsed.
  bool refused = false;
};

}  // namespace store
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_STORE_ROWS_H_
