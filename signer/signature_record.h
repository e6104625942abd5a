// The signature record: the RRSIGs an earlier signing of one zone made, keyed
// by a digest of exactly what each one signs, so that a re-sign (dnssigner
// -i) can reuse a signature whose RRset, key and RRSIG fields are unchanged.
//
// An entry's key (SignatureDigest) is SHA-256 over
//   the signing key's identity: SHA-256 of its DNSKEY RDATA (flags, protocol,
//     algorithm, public key: a key tag collision cannot mix two keys),
//   the RRSIG fields that do not change between runs: type covered,
//     algorithm, labels, original TTL, key tag, signer name,
//   the RRset as the RRSIG signs it (RFC 4034 section 3.1.8.1: owner, type,
//     class, TTL, RDLENGTH, RDATA for each RR in canonical order).
// Its value is the whole RRSIG RDATA (with inception, expiration, signature).
// Everything in it is public: it holds only what the signed zone shows.
//
// File format (version 1), all integers big-endian:
//   "ZKSIGREC" | u32 version | u16 origin length | origin (wire) |
//   u64 entry count | entries | SHA-256 over all bytes before it
//   entry: digest (32) | u16 RDATA length | RRSIG RDATA
// Entries are sorted by digest, strictly ascending (no duplicates), so the
// index is built in one pass, with a directory over the digests' top bits
// (digests are uniform): loading costs a read, one SHA-256 over the file and
// that pass, and a lookup about one cache miss, far less than signing.
// Parse refuses (and so the caller signs in full) any damage: a short or
// long file, a checksum mismatch, another magic or version, another zone,
// entries out of order or running past the end.
// Thread-safety: a parsed SignatureRecord is immutable; Find may be called
// from many threads. SignatureRecordBuilder is not thread-safe.
#ifndef ZONEKEEP_SIGNER_SIGNATURE_RECORD_H_
#define ZONEKEEP_SIGNER_SIGNATURE_RECORD_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "signer/rrsig.h"

namespace zonekeep {
namespace signer {

inline constexpr uint32_t kSignatureRecordVersion = 1;

using SignatureDigest = std::array<uint8_t, 32>;

// SHA-256 of a DNSKEY RDATA: the key's identity in the digest.
SignatureDigest KeyIdentity(absl::string_view dnskey_rdata);

// The entry key for one signature. `fields`' inception, expiration and
// signature are not used. `rrset_wire` is what AppendSignedRRset appends.
// Thread-safe (per-thread hashing state).
SignatureDigest SignatureEntryDigest(const SignatureDigest& key_identity,
                                     const RrsigFields& fields,
                                     absl::string_view rrset_wire);

class SignatureRecord {
 public:
  // Checks and indexes `bytes` (a whole record file) for the zone
  // `origin_wire`. Errors (DataLoss for damage, FailedPrecondition for
  // another version or zone) say why in one line.
  static absl::StatusOr<SignatureRecord> Parse(std::string bytes,
                                               absl::string_view origin_wire);

  // The recorded RRSIG RDATA for `digest`, if any. The view lives as long as
  // this record.
  std::optional<absl::string_view> Find(const SignatureDigest& digest) const;

  size_t size() const { return index_.size(); }

  SignatureRecord(SignatureRecord&&) = default;
  SignatureRecord& operator=(SignatureRecord&&) = default;

 private:
  SignatureRecord() = default;
  struct Entry {
    uint64_t head;          // the digest's first 8 bytes, big-endian
    const uint8_t* digest;  // 32 bytes in bytes_
    absl::string_view rdata;
  };
  std::string bytes_;
  std::vector<Entry> index_;  // sorted by digest
  // Directory over the digests' top `bucket_bits_` bits: bucket b's entries
  // are index_[buckets_[b], buckets_[b + 1]). About one entry per bucket,
  // so a lookup reads one directory slot and one or two entries.
  int bucket_bits_ = 0;
  std::vector<uint32_t> buckets_;
};

// Collects entries and encodes a record file.
class SignatureRecordBuilder {
 public:
  // REQUIRES: `rrsig_rdata` outlives Finish; at most 65535 bytes. A zero
  // digest (a failed hash) is not recorded.
  void Add(const SignatureDigest& digest, absl::string_view rrsig_rdata) {
    if (digest != SignatureDigest{}) entries_.emplace_back(digest, rrsig_rdata);
  }
  // The file bytes for zone `origin_wire` (entries sorted; of duplicate
  // digests the first added is kept).
  std::string Finish(absl::string_view origin_wire);

 private:
  std::vector<std::pair<SignatureDigest, absl::string_view>> entries_;
};

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_SIGNATURE_RECORD_H_
