// Master-file text for the parent and the operator: `parentdata key|ds` and
// `showkeys [ds]` of maintkeydb.
//
// Contract: input is a zone's live keys (KeyManager::ListKeys). parentdata
// gives the KSKs' DNSKEY or DS (SHA-256 unless asked) records, one per line,
// with a ';' comment line per key saying its tag, algorithm, state and rollover
// mark; text that dnssec-dsfromkey and ldns-key2ds read. showkeys gives the
// whole DNSKEY RRset as it appears in the signed zone; `ds_only` the KSKs and
// their DS records, the ones to send to the parent marked in comments. NotFound
// when there is no key (or no KSK) to show. Thread-safety: pure functions.
#ifndef ZONEKEEP_KEYSTORE_PARENT_DATA_H_
#define ZONEKEEP_KEYSTORE_PARENT_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dnssec/digest_type.h"
#include "keystore/key_manager.h"

namespace zonekeep {
namespace keystore {

inline constexpr uint32_t kDefaultDnskeyTtl = 3600;

enum class ParentDataKind { kDnskey, kDs };

absl::StatusOr<std::string> FormatParentData(
    const std::string& zone, const std::vector<KeyView>& keys,
    ParentDataKind kind,
    dnssec::DigestType digest = dnssec::DigestType::kSha256,
    uint32_t ttl = kDefaultDnskeyTtl);

absl::StatusOr<std::string> FormatShowKeys(const std::string& zone,
                                           const std::vector<KeyView>& keys,
                                           bool ds_only,
                                           uint32_t ttl = kDefaultDnskeyTtl);

// "; KSK 12345 ECDSAP256SHA256 active (R)"
std::string DescribeKey(const KeyView& key);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_PARENT_DATA_H_
