// MakeDirectories: `mkdir -p` with a mode, for keystored's state directory
// and the admin socket's directory.
//
// Contract: creates `dir` and its missing parents with `mode` (existing ones
// are left as they are). OK if `dir` exists and is a directory;
// FailedPrecondition if it exists as something else; PermissionDenied with
// the errno text if a mkdir fails. `what` names the directory in errors
// ("state dir").
// Thread-safety: plain function; concurrent callers may both create a parent
// (EEXIST is not an error).
#ifndef ZONEKEEP_KEYSTORE_MAKE_DIRS_H_
#define ZONEKEEP_KEYSTORE_MAKE_DIRS_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace keystore {

absl::Status MakeDirectories(const std::string& dir, mode_t mode,
                             absl::string_view what);

}  // namespace keystore
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_MAKE_DIRS_H_
