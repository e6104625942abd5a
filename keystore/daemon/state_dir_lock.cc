#include "keystore/daemon/state_dir_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zonekeep {
namespace keystored {
namespace {

// The PID the holder wrote, or "" when it cannot be read.
std::string ReadPid(int fd) {
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return "";
  int pid = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(std::string(buf, n)),
                        &pid) ||
      pid <= 0) {
    return "";
  }
  return std::to_string(pid);
}

}  // namespace

absl::StatusOr<std::unique_ptr<StateDirLock>> StateDirLock::Acquire(
    const std::string& state_dir, bool write_pid) {
  const std::string path = absl::StrCat(state_dir, "/", kLockFileName);
  const int fd =
      open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot open lock file ", path, ": ", std::strerror(errno)));
  }
  std::unique_ptr<StateDirLock> lock(new StateDirLock(fd));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      return absl::InternalError(
          absl::StrCat("cannot lock ", path, ": ", std::strerror(errno)));
    }
    const std::string pid = ReadPid(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "state dir ", state_dir, " is already in use by another keystored",
        pid.empty() ? "" : absl::StrCat(" (pid ", pid, ")"), ", which holds ",
        path, ": stop it first, or give this one another --state-dir"));
  }
  if (!write_pid) return lock;
  const std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) !=
                                   static_cast<ssize_t>(pid.size())) {
    return absl::InternalError(absl::StrCat("cannot write the PID into ", path,
                                            ": ", std::strerror(errno)));
  }
  return lock;
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

absl::Status CheckStateDirOwner(const std::string& dir, uid_t owner) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("state dir ", dir, ": ", strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("state dir ", dir, " is not a directory"));
  }
  if (st.st_uid != owner) {
    return absl::FailedPreconditionError(absl::StrCat(
        "state dir ", dir, " is owned by uid ", st.st_uid,
        ", not by keystored's uid ", owner, ": chown it to keystored's user"));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "state dir ", dir, " is writable by group or others (mode ",
        absl::StrFormat("%04o", st.st_mode & 07777), "): chmod go-w ", dir));
  }
  return absl::OkStatus();
}

}  // namespace keystored
}  // namespace zonekeep
