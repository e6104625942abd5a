#include "signer/dnskey_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "signer/ecdsa_table_verifier.h"
#include "signer/rrsig.h"

namespace zonekeep {
namespace signer {
namespace {

// Signatures one key (all copies of its verifier together) is asked to check
// before its ECDSA table is built: a P-256 table costs about as much as 500
// EVP verifications, so zones with few signatures never pay for it. (P-384
// tables are cheaper and its verifications dearer; the same count keeps the
// rule simple.)
constexpr uint64_t kEcdsaTableAfter = 512;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// One DER INTEGER from a big-endian unsigned value; returns bytes written.
size_t PutDerInteger(const unsigned char* value, size_t size,
                     unsigned char* out) {
  while (size > 1 && value[0] == 0) {
    ++value;
    --size;
  }
  const bool pad = (value[0] & 0x80) != 0;
  size_t n = 0;
  out[n++] = 0x02;
  out[n++] = static_cast<unsigned char>(size + (pad ? 1 : 0));
  if (pad) out[n++] = 0;
  std::memcpy(out + n, value, size);
  return n + size;
}

// r||s of `size` bytes each to a DER ECDSA-Sig-Value; `out` holds at least
// 2 * (3 + size) + 2 bytes (size <= 66 keeps every length in short form).
size_t RawEcdsaToDer(const unsigned char* raw, int size, unsigned char* out) {
  size_t n = 2;
  n += PutDerInteger(raw, size, out + n);
  n += PutDerInteger(raw + size, size, out + n);
  out[0] = 0x30;
  out[1] = static_cast<unsigned char>(n - 2);
  return n;
}

std::shared_ptr<EVP_MD> Fetch(const char* name) {
  return std::shared_ptr<EVP_MD>(EVP_MD_fetch(nullptr, name, nullptr),
                                 EVP_MD_free);
}

EVP_PKEY* FromData(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return nullptr;
  }
  return pkey;
}

EVP_PKEY* RsaKey(absl::string_view key) {
  if (key.empty()) return nullptr;
  size_t pos = 0;
  size_t exp_len = static_cast<uint8_t>(key[0]);
  pos = 1;
  if (exp_len == 0) {
    if (key.size() < 3) return nullptr;
    exp_len = ReadU16(key, 1);
    pos = 3;
  }
  if (pos + exp_len >= key.size()) return nullptr;
  const auto* bytes = reinterpret_cast<const unsigned char*>(key.data());
  BnPtr e(BN_bin2bn(bytes + pos, static_cast<int>(exp_len), nullptr));
  BnPtr n(BN_bin2bn(bytes + pos + exp_len,
                    static_cast<int>(key.size() - pos - exp_len), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!e || !n || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(
      OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  return FromData("RSA", params.get());
}

EVP_PKEY* EcKey(absl::string_view key, const char* group, size_t size) {
  if (key.size() != 2 * size) return nullptr;
  std::string point(1, '\x04');
  point.append(key.data(), key.size());
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(
      OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  return FromData("EC", params.get());
}

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
  if (dnskey_rdata.size() < 5) {
    return absl::InvalidArgumentError("DNSKEY RDATA too short");
  }
  DnskeyVerifier v;
  v.flags_ = ReadU16(dnskey_rdata, 0);
  v.algorithm_ = static_cast<uint8_t>(dnskey_rdata[3]);
  v.key_tag_ = DnskeyKeyTag(dnskey_rdata);
  const absl::string_view key = dnskey_rdata.substr(4);
  const auto* raw = reinterpret_cast<const unsigned char*>(key.data());
  EVP_PKEY* pkey = nullptr;
  switch (v.algorithm_) {
    case 5:
    case 7:
      v.md_ = Fetch("SHA1");
      pkey = RsaKey(key);
      break;
    case 8:
      v.md_ = Fetch("SHA256");
      pkey = RsaKey(key);
      break;
    case 10:
      v.md_ = Fetch("SHA512");
      pkey = RsaKey(key);
      break;
    case 13:
      v.md_ = Fetch("SHA256");
      v.ecdsa_size_ = 32;
      pkey = EcKey(key, "P-256", 32);
      break;
    case 14:
      v.md_ = Fetch("SHA384");
      v.ecdsa_size_ = 48;
      pkey = EcKey(key, "P-384", 48);
      break;
    case 15:
      pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw,
                                         key.size());
      break;
    case 16:
      pkey =
          EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, nullptr, raw, key.size());
      break;
    default:
      return absl::UnimplementedError(
          absl::StrCat("DNSKEY algorithm ", v.algorithm_, " not supported"));
  }
  if (v.algorithm_ != 15 && v.algorithm_ != 16 && v.md_ == nullptr) {
    EVP_PKEY_free(pkey);
    return absl::InternalError("cannot fetch message digest");
  }
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot decode DNSKEY public key (algorithm ",
                     v.algorithm_, ", tag ", v.key_tag_, ")"));
  }
  v.pkey_ = std::shared_ptr<EVP_PKEY>(pkey, PkeyFree());
  v.pool_ = std::make_shared<ContextPool>();
  if (v.ecdsa_size_ > 0) {
    v.ecdsa_table_ = std::make_shared<EcdsaTableState>();
    v.ecdsa_table_->curve = v.algorithm_ == 13
                                ? EcdsaTableVerifier::Curve::kP256
                                : EcdsaTableVerifier::Curve::kP384;
    v.ecdsa_table_->public_key = std::string(key);
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
    unsigned char der[2 * (3 + 66) + 2];
    const size_t der_len =
        RawEcdsaToDer(reinterpret_cast<const unsigned char*>(signature.data()),
                      ecdsa_size_, der);
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
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
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
