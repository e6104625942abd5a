#include "signer/dnskey_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/dnskey.h"
#include "dnssec/ecdsa_signature.h"
#include "dnssec/key_tag.h"
#include "dnssec/openssl_ptr.h"
#include "dnssec/public_key.h"
#include "signer/ecdsa_table_verifier.h"

namespace zonekeep {
namespace signer {
namespace {

// Signatures one key (all copies of its verifier together) is asked to check
// before its ECDSA table is built: a P-256 table costs about as much as 500
// EVP verifications, so zones with few signatures never pay for it. (P-384
// tables are cheaper and its verifications dearer; the same count keeps the
// rule simple.)
constexpr uint64_t kEcdsaTableAfter = 512;

}  // namespace

// The lazily built ECDSA table, shared by the copies of a verifier.
struct DnskeyVerifier::EcdsaTableState {
  EcdsaTableVerifier::Curve curve;
  std::string public_key;              // x||y from the DNSKEY
  std::atomic<uint64_t> requested{0};  // signatures asked for so far
  std::atomic<bool> attempted{false};  // set by the one caller that builds
  // Written once by that caller, before `ready` publishes it.
  std::unique_ptr<const EcdsaTableVerifier> table;
  std::atomic<const EcdsaTableVerifier*> ready{nullptr};
};

absl::StatusOr<DnskeyVerifier> DnskeyVerifier::Create(
    absl::string_view dnskey_rdata) {
  absl::StatusOr<dnssec::DnskeyFields> fields =
      dnssec::ParseDnskeyRdata(dnskey_rdata);
  if (!fields.ok()) return fields.status();
  const std::optional<dnssec::AlgorithmSpec> spec =
      dnssec::SpecOfNumber(fields->algorithm);
  if (!spec.has_value()) {
    return absl::UnimplementedError(
        absl::StrCat("DNSKEY algorithm ", fields->algorithm, " not supported"));
  }
  DnskeyVerifier v;
  v.flags_ = fields->flags;
  v.algorithm_ = spec->algorithm;
  v.key_tag_ = dnssec::KeyTag(dnskey_rdata);
  if (spec->digest != nullptr) {
    v.md_ = std::shared_ptr<EVP_MD>(
        EVP_MD_fetch(nullptr, spec->digest, nullptr), EVP_MD_free);
    if (v.md_ == nullptr) {
      return absl::InternalError("cannot fetch message digest");
    }
  }
  absl::StatusOr<dnssec::EvpPkeyPtr> pkey =
      dnssec::PublicKeyFromDnskey(spec->algorithm, fields->public_key);
  if (!pkey.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot decode DNSKEY public key (algorithm ",
                     fields->algorithm, ", tag ", v.key_tag_, ")"));
  }
  v.pkey_ = std::shared_ptr<EVP_PKEY>(pkey->release(), EVP_PKEY_free);
  v.pool_ = std::make_shared<ContextPool>();
  if (spec->family == dnssec::KeyFamily::kEcdsa) {
    v.ecdsa_size_ = static_cast<int>(spec->component_size);
    v.ecdsa_table_ = std::make_shared<EcdsaTableState>();
    v.ecdsa_table_->curve =
        spec->algorithm == dnssec::Algorithm::kEcdsaP256Sha256
            ? EcdsaTableVerifier::Curve::kP256
            : EcdsaTableVerifier::Curve::kP384;
    v.ecdsa_table_->public_key = std::string(fields->public_key);
  }
  return v;
}

bool DnskeyVerifier::Verify(absl::string_view data,
                            absl::string_view signature) const {
  const Item item{data, signature};
  return VerifyBatch(absl::MakeConstSpan(&item, 1))[0];
}

std::vector<bool> DnskeyVerifier::VerifyBatch(
    absl::Span<const Item> items) const {
  std::vector<bool> verified(items.size(), false);
  const EcdsaTableVerifier* table = EcdsaTable(items.size());
  if (table == nullptr) {
    for (size_t i = 0; i < items.size(); ++i) {
      verified[i] = VerifyEvp(items[i].data, items[i].signature);
    }
    return verified;
  }
  // The digests side by side in one buffer; a digest that fails stays empty,
  // which the table verifier answers with kError.
  const size_t size = table->size();
  std::string digests(items.size() * size, '\0');
  std::vector<EcdsaTableVerifier::Item> work(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto* digest = reinterpret_cast<unsigned char*>(&digests[i * size]);
    unsigned int digest_len = 0;
    work[i].signature = items[i].signature;
    if (EVP_Digest(items[i].data.data(), items[i].data.size(), digest,
                   &digest_len, md_.get(), nullptr) == 1 &&
        digest_len == size) {
      work[i].digest = absl::string_view(&digests[i * size], size);
    }
  }
  const std::vector<EcdsaTableVerifier::Verdict> verdicts =
      table->VerifyBatch(work);
  for (size_t i = 0; i < items.size(); ++i) {
    switch (verdicts[i]) {
      case EcdsaTableVerifier::Verdict::kValid:
        verified[i] = true;
        break;
      case EcdsaTableVerifier::Verdict::kInvalid:
        break;
      case EcdsaTableVerifier::Verdict::kError:  // undecided: ask EVP
        ERR_clear_error();
        verified[i] = VerifyEvp(items[i].data, items[i].signature);
        break;
    }
  }
  return verified;
}

const EcdsaTableVerifier* DnskeyVerifier::EcdsaTable(size_t upcoming) const {
  if (ecdsa_table_ == nullptr) return nullptr;
  const EcdsaTableVerifier* table =
      ecdsa_table_->ready.load(std::memory_order_acquire);
  if (table != nullptr) return table;
  const uint64_t before =
      ecdsa_table_->requested.fetch_add(upcoming, std::memory_order_relaxed);
  if (before + upcoming < kEcdsaTableAfter) return nullptr;
  return BuildEcdsaTable();
}

const EcdsaTableVerifier* DnskeyVerifier::BuildEcdsaTable() const {
  // The first caller builds; others go on with EVP meanwhile. A failure is
  // final: the key stays on EVP.
  if (ecdsa_table_->attempted.exchange(true)) {
    return ecdsa_table_->ready.load(std::memory_order_acquire);
  }
  absl::StatusOr<EcdsaTableVerifier> table =
      EcdsaTableVerifier::Create(ecdsa_table_->curve, ecdsa_table_->public_key);
  if (!table.ok()) return nullptr;
  ecdsa_table_->table =
      std::make_unique<const EcdsaTableVerifier>(*std::move(table));
  ecdsa_table_->ready.store(ecdsa_table_->table.get(),
                            std::memory_order_release);
  return ecdsa_table_->table.get();
}

bool DnskeyVerifier::PrepareEcdsaTable() const {
  return ecdsa_table_ != nullptr && BuildEcdsaTable() != nullptr;
}

bool DnskeyVerifier::ecdsa_table_ready() const {
  return ecdsa_table_ != nullptr &&
         ecdsa_table_->ready.load(std::memory_order_acquire) != nullptr;
}

bool DnskeyVerifier::VerifyEvp(absl::string_view data,
                               absl::string_view signature) const {
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (ecdsa_size_ > 0) {
    // ECDSA: r||s (RFC 6605) to DER, the digest, then the bare public-key
    // verify on a context prepared once and reused (see TakeContext).
    if (signature.size() != static_cast<size_t>(2 * ecdsa_size_)) return false;
    uint8_t der[dnssec::kMaxEcdsaDerSize];
    const size_t der_len = dnssec::EcdsaRawToDer(
        reinterpret_cast<const uint8_t*>(signature.data()), ecdsa_size_, der);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_Digest(bytes, data.size(), digest, &digest_len, md_.get(),
                   nullptr) != 1) {
      return false;
    }
    PooledContext ctx = TakeContext();
    if (ctx == nullptr) return false;
    const bool ok =
        EVP_PKEY_verify(ctx.get(), der, der_len, digest, digest_len) == 1;
    if (!ok) ERR_clear_error();
    ReturnContext(std::move(ctx));
    return ok;
  }
  dnssec::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md_.get(), nullptr,
                                   pkey_.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(
             ctx.get(),
             reinterpret_cast<const unsigned char*>(signature.data()),
             signature.size(), bytes, data.size()) == 1;
}

DnskeyVerifier::PooledContext DnskeyVerifier::TakeContext() const {
  {
    std::lock_guard<std::mutex> lock(pool_->mu);
    if (!pool_->free.empty()) {
      PooledContext ctx = std::move(pool_->free.back());
      pool_->free.pop_back();
      return ctx;
    }
  }
  PooledContext ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  if (ctx != nullptr && EVP_PKEY_verify_init(ctx.get()) != 1) ctx.reset();
  return ctx;
}

void DnskeyVerifier::ReturnContext(PooledContext ctx) const {
  std::lock_guard<std::mutex> lock(pool_->mu);
  pool_->free.push_back(std::move(ctx));
}

}  // namespace signer
}  // namespace zonekeep
