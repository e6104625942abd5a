// Micro benchmark (not a test): ECDSA verifications per second of OpenSSL's
// EVP_PKEY_verify against EcdsaTableVerifier (one at a time and in batches
// of 64) and DnskeyVerifier::VerifyBatch (hashing included), with a key made
// in memory for the run.
//   bazel run -c opt //signer:ecdsa_verify_bench -- [13|14] [THREADS] [SECONDS]
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "dnssec/ecdsa_signature.h"
#include "signer/dnskey_verifier.h"
#include "signer/ecdsa_table_verifier.h"
#include "signer/test_ecdsa_key.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr size_t kSignatures = 1024;  // distinct messages, used in turn
constexpr size_t kBatch = 64;

using Clock = std::chrono::steady_clock;

// Runs `round` (which verifies `per_round` signatures starting at the given
// index and returns false on a wrong verdict) on `threads` threads for about
// `seconds`; returns verifications per second over all threads.
double Rate(int threads, double seconds, size_t per_round,
            const std::function<bool(size_t)>& round) {
  std::atomic<size_t> done{0};
  std::atomic<bool> failed{false};
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      size_t next = static_cast<size_t>(t) * 97, count = 0;
      while (Clock::now() < deadline) {
        if (!round(next % kSignatures)) failed = true;
        next += per_round;
        count += per_round;
      }
      done += count;
    });
  }
  for (std::thread& t : pool) t.join();
  if (failed) {
    std::fprintf(stderr, "wrong verdict\n");
    std::exit(1);
  }
  return done / std::chrono::duration<double>(Clock::now() - start).count();
}

int Main(int argc, char** argv) {
  const int algorithm = argc > 1 ? std::atoi(argv[1]) : 13;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  const double seconds = argc > 3 ? std::atof(argv[3]) : 3;
  auto key = EcdsaTestKey::Generate(static_cast<dnssec::Algorithm>(algorithm));
  if (!key.ok()) {
    std::fprintf(stderr, "%s\n", key.status().ToString().c_str());
    return 2;
  }
  // Messages of about an RRset's size, their digests, r||s and DER forms.
  std::vector<std::string> data, digests, sigs, ders;
  for (size_t i = 0; i < kSignatures; ++i) {
    data.push_back(std::string(150, 'a' + i % 26) + std::to_string(i));
    digests.push_back(key->Digest(data.back()));
    sigs.push_back(key->Sign(data.back()));
    uint8_t der[dnssec::kMaxEcdsaDerSize];
    const size_t der_len = dnssec::EcdsaRawToDer(
        reinterpret_cast<const uint8_t*>(sigs.back().data()), key->size(), der);
    ders.emplace_back(reinterpret_cast<const char*>(der), der_len);
  }

  const auto build_start = Clock::now();
  auto table = EcdsaTableVerifier::Create(
      algorithm == 13 ? EcdsaTableVerifier::Curve::kP256
                      : EcdsaTableVerifier::Curve::kP384,
      key->public_key());
  const double build_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - build_start)
          .count();
  auto dnskey = DnskeyVerifier::Create(key->DnskeyRdata());
  if (!table.ok() || !dnskey.ok() || !dnskey->PrepareEcdsaTable()) {
    std::fprintf(stderr, "cannot build the verifiers\n");
    return 1;
  }
  std::printf("algorithm %d, %d thread(s), table built in %.1f ms\n", algorithm,
              threads, build_ms);

  // EVP_PKEY_verify on a context prepared once per thread, as DnskeyVerifier
  // does without the table.
  const double evp = Rate(threads, seconds, 1, [&](size_t i) {
    thread_local EVP_PKEY_CTX* ctx = nullptr;
    if (ctx == nullptr) {
      ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key->pkey(), nullptr);
      EVP_PKEY_verify_init(ctx);
    }
    return EVP_PKEY_verify(
               ctx, reinterpret_cast<const unsigned char*>(ders[i].data()),
               ders[i].size(),
               reinterpret_cast<const unsigned char*>(digests[i].data()),
               digests[i].size()) == 1;
  });
  const double single = Rate(threads, seconds, 1, [&](size_t i) {
    return table->Verify(digests[i], sigs[i]) ==
           EcdsaTableVerifier::Verdict::kValid;
  });
  const double batch = Rate(threads, seconds, kBatch, [&](size_t i) {
    std::vector<EcdsaTableVerifier::Item> items;
    for (size_t k = 0; k < kBatch; ++k) {
      const size_t j = (i + k) % kSignatures;
      items.push_back({digests[j], sigs[j]});
    }
    for (auto v : table->VerifyBatch(items)) {
      if (v != EcdsaTableVerifier::Verdict::kValid) return false;
    }
    return true;
  });
  const double full = Rate(threads, seconds, kBatch, [&](size_t i) {
    std::vector<DnskeyVerifier::Item> items;
    for (size_t k = 0; k < kBatch; ++k) {
      const size_t j = (i + k) % kSignatures;
      items.push_back({data[j], sigs[j]});
    }
    for (bool ok : dnskey->VerifyBatch(items)) {
      if (!ok) return false;
    }
    return true;
  });
  std::printf("EVP_PKEY_verify (digest):           %8.0f verify/s\n", evp);
  std::printf("EcdsaTableVerifier::Verify:         %8.0f verify/s\n", single);
  std::printf("EcdsaTableVerifier::VerifyBatch 64: %8.0f verify/s\n", batch);
  std::printf("DnskeyVerifier::VerifyBatch 64:     %8.0f verify/s (data)\n",
              full);
  return 0;
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep

int main(int argc, char** argv) { return zonekeep::signer::Main(argc, argv); }
