// AtomicFile: writes a file so that readers see the old file or the whole new
// one, never a part: a temp file beside the target, fsync, rename, fsync of the
// directory. Destroyed without Commit(), it removes the temp file.
// Thread-safety: one instance per thread.
#ifndef ZONEKEEP_CLI_ATOMIC_FILE_H_
#define ZONEKEEP_CLI_ATOMIC_FILE_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace cli {

class AtomicFile {
 public:
  // The file gets `mode` (0600 for a key store backup).
  static absl::StatusOr<AtomicFile> Create(const std::string& path,
                                           mode_t mode = 0644);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();

  absl::Status Write(absl::string_view data);
  absl::Status Commit();
  // The temp file beside the target (e.g. for a signal handler to unlink).
  const std::string& temp_path() const { return temp_path_; }

 private:
  AtomicFile(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_ATOMIC_FILE_H_
