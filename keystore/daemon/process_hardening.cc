#include "keystore/daemon/process_hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "keystore/crypto/secure_heap.h"

namespace zonekeep {
namespace keystored {

absl::StatusOr<Hardening> HardenProcess() {
  umask(0077);
  const rlimit no_core{0, 0};
  if (setrlimit(RLIMIT_CORE, &no_core) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot turn core dumps off (setrlimit RLIMIT_CORE 0: ",
                     std::strerror(errno), "); refusing to start"));
  }
  rlimit core{};
  if (getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0 ||
      core.rlim_max != 0) {
    return absl::FailedPreconditionError(
        "RLIMIT_CORE is not 0 after setting it; refusing to start");
  }
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
      prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot make the process non-dumpable (PR_SET_DUMPABLE 0: ",
        std::strerror(errno), "); refusing to start"));
  }
  absl::StatusOr<keystore::SecureHeap> heap = keystore::InitSecureHeap();
  if (!heap.ok()) {
    return absl::Status(
        heap.status().code(),
        absl::StrCat(heap.status().message(), "; refusing to start"));
  }
  Hardening out;
  const size_t mib = keystore::kSecureHeapSize >> 20;
  out.summary = absl::StrCat(
      "core dumps off, secure heap ", mib, " MiB ",
      *heap == keystore::SecureHeap::kLocked ? "locked" : "NOT locked");
  if (*heap == keystore::SecureHeap::kNotLocked) {
    out.warnings.push_back(absl::StrCat(
        "the OpenSSL secure heap (", mib,
        " MiB) could not be locked in memory (mlock; raise RLIMIT_MEMLOCK, "
        "e.g. LimitMEMLOCK=16M): decrypted keys may reach swap"));
  }
  return out;
}

}  // namespace keystored
}  // namespace zonekeep
