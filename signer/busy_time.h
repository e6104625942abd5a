// Busy time: the CPU seconds that the threads working for one step of the
// engine spend, summed over those threads, so steps that run at the same
// time (the pipelined full sign, signer/zone_signer.h) can each report their
// own cost beside the run's wall time.
//
// A thread charges its CPU time (CLOCK_THREAD_CPUTIME_ID) to the counter of
// its innermost BusyScope; ParallelFor's workers (signer/parallel.h) charge
// the counter of the thread that started them. Time outside any scope is
// not counted.
// Thread-safety: BusyCounter is safe from many threads; a BusyScope belongs
// to the thread that made it and must end on that thread, innermost first.
#ifndef ZONEKEEP_SIGNER_BUSY_TIME_H_
#define ZONEKEEP_SIGNER_BUSY_TIME_H_

#include <time.h>

#include <atomic>
#include <cstdint>

namespace zonekeep {
namespace signer {

class BusyCounter {
 public:
  void Add(int64_t nanos) {
    nanos_.fetch_add(nanos, std::memory_order_relaxed);
  }
  double Seconds() const {
    return static_cast<double>(nanos_.load(std::memory_order_relaxed)) * 1e-9;
  }

 private:
  std::atomic<int64_t> nanos_{0};
};

namespace busy_internal {

inline int64_t ThreadCpuNanos() {
  timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct ThreadState {
  BusyCounter* counter = nullptr;
  int64_t since = 0;
};

inline ThreadState& State() {
  thread_local ThreadState state;
  return state;
}

// Charges the time since the last switch to the current counter and makes
// `counter` current. Returns the previous counter.
inline BusyCounter* SwitchTo(BusyCounter* counter) {
  ThreadState& state = State();
  BusyCounter* previous = state.counter;
  if (previous == nullptr && counter == nullptr) return nullptr;
  const int64_t now = ThreadCpuNanos();
  if (previous != nullptr) previous->Add(now - state.since);
  state.counter = counter;
  state.since = now;
  return previous;
}

}  // namespace busy_internal

// The counter this thread charges now (null: none).
inline BusyCounter* CurrentBusyCounter() {
  return busy_internal::State().counter;
}

// Charges this thread's CPU time to `counter` (null: to nothing) until the
// scope ends (or Charge names another), then goes back to the enclosing
// scope's counter.
class BusyScope {
 public:
  explicit BusyScope(BusyCounter* counter)
      : previous_(busy_internal::SwitchTo(counter)) {}
  ~BusyScope() { busy_internal::SwitchTo(previous_); }
  // From now on charges `counter` (the time so far stays where it was).
  void Charge(BusyCounter* counter) { busy_internal::SwitchTo(counter); }
  BusyScope(const BusyScope&) = delete;
  BusyScope& operator=(const BusyScope&) = delete;

 private:
  BusyCounter* previous_;
};

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_BUSY_TIME_H_
