// HardenProcess: what keystored does to its own process before it touches a
// key, and checks that it took.
//
// - Core dumps off: RLIMIT_CORE 0 (soft and hard) and PR_SET_DUMPABLE 0 (which
//   also stops ptrace attach by other processes of the same user). Both are
//   read back; if either did not take, keystored refuses to start
//   (FailedPrecondition naming which): a process that could dump key bytes to
//   disk does not run.
// - umask 077.
// - OpenSSL's secure heap (keystore/crypto/secure_heap.h): if OpenSSL cannot
//   make it, keystored refuses to start; if it exists but mlock failed
//   (RLIMIT_MEMLOCK too low), keystored starts and says so on stderr, in a
//   line that starts with "keystored: WARNING:".
// Thread-safety: call once, first thing in main, before other threads start.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_PROCESS_HARDENING_H_
#define ZONEKEEP_KEYSTORE_DAEMON_PROCESS_HARDENING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace zonekeep {
namespace keystored {

struct Hardening {
  // One line for the start-up log: "core dumps off, secure heap 4 MiB locked".
  std::string summary;
  // Lines to print as warnings (the start goes on).
  std::vector<std::string> warnings;
};

absl::StatusOr<Hardening> HardenProcess();

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_PROCESS_HARDENING_H_
