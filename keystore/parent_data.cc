#include "keystore/parent_data.h"

#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/digest_type.h"
#include "dnssec/dnskey.h"
#include "dnssec/ds.h"
#include "dnssec/zone_key.h"

namespace zonekeep {
namespace keystore {
namespace {

struct RecordsWanted {
  bool dnskey = false;
  bool ds = false;
  dnssec::DigestType digest = dnssec::DigestType::kSha256;
};

absl::Status AppendKeyRecords(const std::string& zone, const KeyView& key,
                              const RecordsWanted& wanted, uint32_t ttl,
                              std::string* out) {
  absl::StrAppend(out, DescribeKey(key), "\n");
  if (wanted.dnskey) {
    absl::StatusOr<std::string> record =
        dnssec::FormatDnskeyRecord(zone, ttl, key.dnskey_rdata);
    if (!record.ok()) return record.status();
    absl::StrAppend(out, *record, "\n");
  }
  if (wanted.ds) {
    absl::StatusOr<std::string> record =
        dnssec::FormatDsRecord(zone, ttl, key.dnskey_rdata, wanted.digest);
    if (!record.ok()) return record.status();
    absl::StrAppend(out, *record, "\n");
  }
  return absl::OkStatus();
}

std::vector<const KeyView*> Ksks(const std::vector<KeyView>& keys) {
  std::vector<const KeyView*> ksks;
  for (const KeyView& key : keys) {
    if (key.role == dnssec::KeyRole::kKsk && !key.deleted) ksks.push_back(&key);
  }
  return ksks;
}

}  // namespace

std::string DescribeKey(const KeyView& key) {
  return absl::StrCat(
      "; ", key.role == dnssec::KeyRole::kKsk ? "KSK" : "ZSK", " ", key.key_tag,
      " ", dnssec::AlgorithmName(key.algorithm), " ",
      key.state == dnssec::KeyState::kActive ? "active" : "published",
      key.rollover ? " (R)" : "");
}

absl::StatusOr<std::string> FormatParentData(const std::string& zone,
                                             const std::vector<KeyView>& keys,
                                             ParentDataKind kind,
                                             dnssec::DigestType digest,
                                             uint32_t ttl) {
  // Only the KSKs the parent should have (KeyView::for_parent, the rule that
  // also decides CDS/CDNSKEY); the others are named in comments.
  std::vector<const KeyView*> ksks;
  std::string held_back;
  for (const KeyView* key : Ksks(keys)) {
    if (key->for_parent) {
      ksks.push_back(key);
    } else {
      absl::StrAppend(
          &held_back, DescribeKey(*key), ": not for the parent yet (",
          key->state == dnssec::KeyState::kActive
              ? "its DNSKEY has not been served for propagation-delay + the "
                "DNSKEY TTL"
              : "published; ksk-stage1 activates it",
          ")\n");
    }
  }
  if (ksks.empty()) {
    return absl::NotFoundError(absl::StrCat("no KSK for ", zone));
  }
  RecordsWanted wanted;
  wanted.dnskey = kind == ParentDataKind::kDnskey;
  wanted.ds = kind == ParentDataKind::kDs;
  wanted.digest = digest;
  std::string out = absl::StrCat("; ", zone, " ", wanted.ds ? "DS" : "DNSKEY",
                                 " data for the parent zone\n");
  for (const KeyView* key : ksks) {
    absl::Status s = AppendKeyRecords(zone, *key, wanted, ttl, &out);
    if (!s.ok()) return s;
  }
  return out + held_back;
}

absl::StatusOr<std::string> FormatShowKeys(const std::string& zone,
                                           const std::vector<KeyView>& keys,
                                           bool ds_only, uint32_t ttl) {
  std::string out;
  if (ds_only) {
    const std::vector<const KeyView*> ksks = Ksks(keys);
    if (ksks.empty()) {
      return absl::NotFoundError(absl::StrCat("no KSK for ", zone));
    }
    out = absl::StrCat("; KSKs of ", zone,
                       ": send these DS (or DNSKEY) records to the parent\n");
    for (const KeyView* key : ksks) {
      absl::StrAppend(&out, DescribeKey(*key),
                      key->for_parent ? ": send to the parent\n"
                                      : ": not for the parent yet\n");
      absl::Status s = AppendKeyRecords(
          zone, *key, RecordsWanted{true, true, dnssec::DigestType::kSha256},
          ttl, &out);
      if (!s.ok()) return s;
    }
    return out;
  }
  out = absl::StrCat("; DNSKEY RRset of ", zone, "\n");
  int shown = 0;
  for (const KeyView& key : keys) {
    if (key.deleted) continue;
    absl::Status s =
        AppendKeyRecords(zone, key, RecordsWanted{true, false}, ttl, &out);
    if (!s.ok()) return s;
    ++shown;
  }
  if (shown == 0)
    return absl::NotFoundError(absl::StrCat("no keys for ", zone));
  return out;
}

}  // namespace keystore
}  // namespace zonekeep
