// ParallelFor: runs fn(i) for i in [0, n) on up to `threads` std::threads
// (the caller's thread included), handing out chunks of `chunk` indices from
// an atomic counter. Stops handing out work once `stop` becomes true.
// The workers it starts charge their CPU time to the caller's busy counter
// (signer/busy_time.h).
// Thread-safety: fn must be safe to call concurrently for distinct i.
#ifndef ZONEKEEP_SIGNER_PARALLEL_H_
#define ZONEKEEP_SIGNER_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "signer/busy_time.h"

namespace zonekeep {
namespace signer {

inline int ResolveThreads(int threads) {
  if (threads > 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

template <typename Fn>
void ParallelFor(size_t n, int threads, size_t chunk,
                 const std::atomic<bool>& stop, Fn fn) {
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    while (!stop.load(std::memory_order_relaxed)) {
      const size_t begin = next.fetch_add(chunk);
      if (begin >= n) return;
      const size_t end = std::min(n, begin + chunk);
      for (size_t i = begin; i < end; ++i) fn(i);
    }
  };
  const int count = std::max(
      1, std::min(ResolveThreads(threads), static_cast<int>(n / chunk + 1)));
  BusyCounter* const busy = CurrentBusyCounter();
  std::vector<std::thread> pool;
  for (int t = 1; t < count; ++t) {
    pool.emplace_back([&worker, busy]() {
      BusyScope scope(busy);
      worker();
    });
  }
  worker();
  for (std::thread& t : pool) t.join();
}

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_PARALLEL_H_
