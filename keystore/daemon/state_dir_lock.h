// StateDirLock: one keystored per state dir.
//
// Acquire takes an exclusive flock(2) on <state_dir>/keystored.lock (created
// 0600) and writes the holder's PID into it. The lock is held for the life of
// the object (the daemon's lifetime) and released by the kernel when the
// process ends, also on SIGKILL or a crash, so a stale file never blocks a
// restart. While another process holds it, Acquire fails with
// FailedPrecondition: one line naming the state dir and, if it can be read,
// the holder's PID. Thread-safety: not shared; one per process.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_STATE_DIR_LOCK_H_
#define ZONEKEEP_KEYSTORE_DAEMON_STATE_DIR_LOCK_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace zonekeep {
namespace keystored {

inline constexpr char kLockFileName[] = "keystored.lock";

class StateDirLock {
 public:
  // REQUIRES: `state_dir` exists. With `write_pid` false (keystored
  // --restore, which does not serve) the file's content is left as it is.
  static absl::StatusOr<std::unique_ptr<StateDirLock>> Acquire(
      const std::string& state_dir, bool write_pid = true);
  ~StateDirLock();
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;

 private:
  explicit StateDirLock(int fd) : fd_(fd) {}
  int fd_;
};

// The state dir holds the key store: it must be owned by `owner`
// (keystored's euid) and not writable by group or others. An existing dir
// is checked, never changed. FailedPrecondition, one line naming the dir,
// what is wrong and the fix.
absl::Status CheckStateDirOwner(const std::string& dir, uid_t owner);

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_STATE_DIR_LOCK_H_
