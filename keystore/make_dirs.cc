#include "keystore/make_dirs.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace keystore {

absl::Status MakeDirectories(const std::string& dir, mode_t mode,
                             absl::string_view what) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, " ", dir, " is not a directory"));
    }
    return absl::OkStatus();
  }
  const size_t slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    absl::Status s = MakeDirectories(dir.substr(0, slash), mode, what);
    if (!s.ok()) return s;
  }
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot create ", what, " ", dir, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace keystore
}  // namespace zonekeep
