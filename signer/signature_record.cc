#include "signer/signature_record.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "dnssec/openssl_ptr.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr absl::string_view kMagic = "ZKSIGREC";
constexpr size_t kDigestSize = 32;
// magic, version, origin length: before the origin.
constexpr size_t kFixedHead = 8 + 4 + 2;

const EVP_MD* Sha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

SignatureDigest Sha256Of(absl::string_view data) {
  SignatureDigest out{};
  unsigned int size = 0;
  // One context per thread, reused: no allocation per digest.
  thread_local dnssec::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), Sha256(), nullptr) &&
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) &&
      EVP_DigestFinal_ex(ctx.get(), out.data(), &size)) {
    return out;
  }
  // Cannot fail for SHA-256 short of memory exhaustion; a zero digest then
  // matches nothing anyone recorded from a real hash.
  return SignatureDigest{};
}

void AppendU64(uint64_t v, std::string* out) {
  AppendU32(static_cast<uint32_t>(v >> 32), out);
  AppendU32(static_cast<uint32_t>(v & 0xffffffffu), out);
}

bool DigestLess(const uint8_t* a, const uint8_t* b) {
  return std::memcmp(a, b, kDigestSize) < 0;
}

// The first 8 bytes of a digest as a big-endian number: ordering by it
// agrees with memcmp ordering of the digests.
uint64_t Head(const uint8_t* digest) {
  uint64_t head = 0;
  for (int i = 0; i < 8; ++i) head = head << 8 | digest[i];
  return head;
}

// The top `bits` (1..24) bits of a digest.
size_t TopBits(const uint8_t* digest, int bits) {
  return static_cast<size_t>(Head(digest) >> (64 - bits));
}

}  // namespace

SignatureDigest KeyIdentity(absl::string_view dnskey_rdata) {
  return Sha256Of(dnskey_rdata);
}

SignatureDigest SignatureEntryDigest(const SignatureDigest& key_identity,
                                     const RrsigFields& fields,
                                     absl::string_view rrset_wire) {
  thread_local std::string buffer;
  buffer.clear();
  buffer.append(reinterpret_cast<const char*>(key_identity.data()),
                key_identity.size());
  AppendU16(fields.type_covered, &buffer);
  buffer.push_back(static_cast<char>(fields.algorithm));
  buffer.push_back(static_cast<char>(fields.labels));
  AppendU32(fields.original_ttl, &buffer);
  AppendU16(fields.key_tag, &buffer);
  buffer.append(fields.signer_name);
  buffer.append(rrset_wire.data(), rrset_wire.size());
  return Sha256Of(buffer);
}

absl::StatusOr<SignatureRecord> SignatureRecord::Parse(
    std::string bytes, absl::string_view origin_wire) {
  if (bytes.size() < kFixedHead + 8 + kDigestSize) {
    return absl::DataLossError(
        absl::StrCat("signature record damaged: ", bytes.size(),
                     " bytes is shorter than any record"));
  }
  const absl::string_view all(bytes);
  const absl::string_view body = all.substr(0, all.size() - kDigestSize);
  const SignatureDigest sum = Sha256Of(body);
  if (std::memcmp(sum.data(), all.data() + body.size(), kDigestSize) != 0) {
    return absl::DataLossError(
        "signature record damaged: checksum mismatch (truncated or altered)");
  }
  if (body.substr(0, kMagic.size()) != kMagic) {
    return absl::DataLossError("signature record damaged: not a record file");
  }
  const uint32_t version = ReadU32(body, 8);
  if (version != kSignatureRecordVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "signature record format version ", version,
        " (this keystored reads version ", kSignatureRecordVersion, ")"));
  }
  const size_t origin_size = ReadU16(body, 12);
  if (kFixedHead + origin_size + 8 > body.size()) {
    return absl::DataLossError("signature record damaged: header too long");
  }
  if (body.substr(kFixedHead, origin_size) != origin_wire) {
    return absl::FailedPreconditionError(
        "signature record is for another zone");
  }
  size_t pos = kFixedHead + origin_size;
  const uint64_t count =
      static_cast<uint64_t>(ReadU32(body, pos)) << 32 | ReadU32(body, pos + 4);
  pos += 8;
  // Each entry takes at least 34 bytes: a count beyond that is damage.
  if (count > (body.size() - pos) / (kDigestSize + 2)) {
    return absl::DataLossError(
        "signature record damaged: entry count exceeds the file");
  }
  SignatureRecord record;
  record.index_.reserve(count);
  const uint8_t* base = reinterpret_cast<const uint8_t*>(bytes.data());
  for (uint64_t i = 0; i < count; ++i) {
    if (pos + kDigestSize + 2 > body.size()) {
      return absl::DataLossError(
          "signature record damaged: entries run past the end");
    }
    const uint8_t* digest = base + pos;
    const size_t size = ReadU16(body, pos + kDigestSize);
    pos += kDigestSize + 2;
    if (pos + size > body.size()) {
      return absl::DataLossError(
          "signature record damaged: entries run past the end");
    }
    if (!record.index_.empty() &&
        !DigestLess(record.index_.back().digest, digest)) {
      return absl::DataLossError(
          "signature record damaged: entries out of order");
    }
    record.index_.push_back(
        Entry{Head(digest), digest, body.substr(pos, size)});
    pos += size;
  }
  if (pos != body.size()) {
    return absl::DataLossError(
        "signature record damaged: bytes after the last entry");
  }
  // The directory: about one entry per bucket, at most 2^24 buckets.
  int bits = 1;
  while (bits < 24 && (size_t{1} << bits) < record.index_.size()) ++bits;
  record.bucket_bits_ = bits;
  record.buckets_.assign((size_t{1} << bits) + 1, 0);
  size_t next = 0;
  for (size_t b = 0; b < (size_t{1} << bits); ++b) {
    record.buckets_[b] = static_cast<uint32_t>(next);
    while (next < record.index_.size() &&
           (record.index_[next].head >> (64 - bits)) == b) {
      ++next;
    }
  }
  record.buckets_.back() = static_cast<uint32_t>(next);
  // The views point into `bytes`' heap buffer, which a move keeps.
  record.bytes_ = std::move(bytes);
  return record;
}

std::optional<absl::string_view> SignatureRecord::Find(
    const SignatureDigest& digest) const {
  auto it = std::lower_bound(
      index_.begin(), index_.end(), digest.data(),
      [](const Entry& e, const uint8_t* d) { return DigestLess(e.digest, d); });
  if (it == index_.end() ||
      std::memcmp(it->digest, digest.data(), kDigestSize) != 0) {
    return std::nullopt;
  }
  return it->rdata;
}

std::string SignatureRecordBuilder::Finish(absl::string_view origin_wire) {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const auto& a, const auto& b) {
                     return DigestLess(a.first.data(), b.first.data());
                   });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const auto& a, const auto& b) {
                               return a.first == b.first;
                             }),
                 entries_.end());
  size_t size = kFixedHead + origin_wire.size() + 8 + kDigestSize;
  for (const auto& [digest, rdata] : entries_) {
    size += kDigestSize + 2 + rdata.size();
  }
  std::string out;
  out.reserve(size);
  out.append(kMagic.data(), kMagic.size());
  AppendU32(kSignatureRecordVersion, &out);
  AppendU16(static_cast<uint16_t>(origin_wire.size()), &out);
  out.append(origin_wire.data(), origin_wire.size());
  AppendU64(entries_.size(), &out);
  for (const auto& [digest, rdata] : entries_) {
    out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    AppendU16(static_cast<uint16_t>(rdata.size()), &out);
    out.append(rdata.data(), rdata.size());
  }
  const SignatureDigest sum = Sha256Of(out);
  out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  return out;
}

}  // namespace signer
}  // namespace zonekeep
