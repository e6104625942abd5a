// Micro benchmark (not a test): signs with PrivateKey from N threads and
// prints signatures per second, to compare with `openssl speed`.
//   bazel run -c opt //keystore/crypto:sign_bench -- ECDSAP256SHA256 2 200000
// Besides wall-clock rates it prints signatures per CPU-second per thread
// (CLOCK_THREAD_CPUTIME_ID), which other load on the machine disturbs less.
// For ECDSA it then runs the floor that `openssl speed` measures: a bare
// EVP_PKEY_sign loop over a fixed 32-byte digest on a reused context, with
// a key of its own (DER output, no hashing, no r||s conversion). The gap
// between the two is what PrivateKey::Sign adds per signature.
#include <openssl/evp.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "dnssec/algorithm.h"
#include "dnssec/ecdsa_signature.h"
#include "dnssec/openssl_ptr.h"
#include "keystore/crypto/private_key.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// Runs `sign` count / threads times on each of `threads` threads; prints the
// wall rate and the per-thread CPU rate under `label`.
void Run(const char* label, int threads, int count,
         const std::function<void()>& sign) {
  std::atomic<int64_t> cpu_nanos{0};
  const int per_thread = count / threads;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      const double cpu0 = ThreadCpuSeconds();
      for (int i = 0; i < per_thread; ++i) sign();
      cpu_nanos.fetch_add(
          static_cast<int64_t>((ThreadCpuSeconds() - cpu0) * 1e9));
    });
  }
  for (std::thread& t : pool) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const double cpu = static_cast<double>(cpu_nanos.load()) * 1e-9;
  const int done = per_thread * threads;
  std::printf(
      "%s: %d signatures, %d threads, %.0f sign/s wall, %.0f sign/s per "
      "CPU-second, %.2f us CPU each\n",
      label, done, threads, done / seconds, done / cpu, cpu / done * 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  namespace dnssec = zonekeep::dnssec;
  using zonekeep::keystore::PrivateKey;
  const char* name = argc > 1 ? argv[1] : "ECDSAP256SHA256";
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const int count = argc > 3 ? std::atoi(argv[3]) : 100000;
  if (threads < 1 || count < threads) {
    std::fprintf(stderr, "usage: %s ALGORITHM THREADS COUNT\n", argv[0]);
    return 2;
  }
  absl::StatusOr<dnssec::Algorithm> algorithm = dnssec::ParseAlgorithm(name);
  if (!algorithm.ok()) {
    std::fprintf(stderr, "%s\n", algorithm.status().ToString().c_str());
    return 2;
  }
  absl::StatusOr<PrivateKey> key =
      PrivateKey::Generate(*algorithm, dnssec::IsRsa(*algorithm) ? 2048 : 0);
  if (!key.ok()) {
    std::fprintf(stderr, "%s\n", key.status().ToString().c_str());
    return 1;
  }
  auto handle = PrivateKey::IntoSigningHandle(*std::move(key));
  // About the size of a delegation's DS or NSEC signed data.
  const std::vector<uint8_t> data(150, 0x5a);
  Run(name, threads, count, [&] {
    if (!handle->Sign(data).ok()) std::abort();
  });

  const std::optional<dnssec::AlgorithmSpec> spec = dnssec::SpecOf(*algorithm);
  if (!spec.has_value() || spec->family != dnssec::KeyFamily::kEcdsa) return 0;
  dnssec::EvpPkeyPtr bare(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec->group));
  if (bare == nullptr) return 1;
  const std::vector<uint8_t> digest(32, 0x5a);
  std::atomic<int> next_ctx{0};
  std::vector<dnssec::EvpPkeyCtxPtr> contexts(threads);
  for (dnssec::EvpPkeyCtxPtr& ctx : contexts) {
    ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, bare.get(), nullptr));
    if (ctx == nullptr || EVP_PKEY_sign_init(ctx.get()) != 1) return 1;
  }
  thread_local EVP_PKEY_CTX* mine = nullptr;
  Run("bare EVP_PKEY_sign, 32-byte digest", threads, count, [&] {
    if (mine == nullptr) mine = contexts[next_ctx.fetch_add(1)].get();
    uint8_t der[dnssec::kMaxEcdsaDerSize];
    size_t der_len = sizeof(der);
    if (EVP_PKEY_sign(mine, der, &der_len, digest.data(), digest.size()) != 1) {
      std::abort();
    }
  });
  return 0;
}
