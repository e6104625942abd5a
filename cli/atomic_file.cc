#include "cli/atomic_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace cli {
namespace {

absl::Status ErrnoError(const std::string& what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", strerror(errno)));
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

absl::StatusOr<AtomicFile> AtomicFile::Create(const std::string& path,
                                              mode_t mode) {
  std::string temp = absl::StrCat(path, ".tmp.XXXXXX");
  std::vector<char> templ(temp.begin(), temp.end());
  templ.push_back('\0');
  const int fd = mkstemp(templ.data());
  if (fd < 0) return ErrnoError(absl::StrCat("cannot create ", path));
  fchmod(fd, mode);
  return AtomicFile(path, std::string(templ.data()), fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(other.fd_),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(temp_path_.c_str());
}

absl::Status AtomicFile::Write(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(absl::StrCat("cannot write ", path_));
    }
    data.remove_prefix(n);
  }
  return absl::OkStatus();
}

absl::Status AtomicFile::Commit() {
  if (fsync(fd_) != 0) return ErrnoError(absl::StrCat("cannot sync ", path_));
  close(fd_);
  fd_ = -1;
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return ErrnoError(absl::StrCat("cannot rename to ", path_));
  }
  committed_ = true;
  const int dir = open(DirOf(path_).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace zonekeep
