// Micro benchmark (not a test): signs with PrivateKey from N threads and
// prints signatures per second, to compare with `openssl speed`.
//   bazel run -c opt //keystore/crypto:sign_bench -- ECDSAP256SHA256 2 200000
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "dnssec/algorithm.h"
#include "keystore/crypto/private_key.h"

int main(int argc, char** argv) {
  namespace dnssec = zonekeep::dnssec;
  using zonekeep::keystore::PrivateKey;
  const char* name = argc > 1 ? argv[1] : "ECDSAP256SHA256";
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const int count = argc > 3 ? std::atoi(argv[3]) : 100000;
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
  const std::vector<uint8_t> data(150, 0x5a);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < count / threads; ++i) {
        if (!handle->Sign(data).ok()) std::abort();
      }
    });
  }
  for (std::thread& t : pool) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("%s: %d signatures, %d threads, %.0f sign/s\n", name, count,
              threads, count / seconds);
  return 0;
}
