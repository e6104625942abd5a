#include "keystore/daemon/signature_record_file.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zonekeep {
namespace keystored {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

std::string SignatureRecordDir(absl::string_view state_dir) {
  return absl::StrCat(state_dir, "/signatures");
}

std::string SignatureRecordPath(absl::string_view dir, absl::string_view zone) {
  std::string name;
  absl::string_view text = zone;
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  for (const char c : text) {
    const char lower = absl::ascii_tolower(static_cast<unsigned char>(c));
    if (absl::ascii_isalnum(static_cast<unsigned char>(lower)) ||
        lower == '.' || lower == '-' || lower == '_') {
      name.push_back(lower);
    } else {
      absl::StrAppendFormat(&name, "%%%02X", static_cast<unsigned char>(c));
    }
  }
  return absl::StrCat(dir, "/", name, ".sigs");
}

absl::StatusOr<signer::SignatureRecord> LoadSignatureRecord(
    const std::string& path, absl::string_view origin_wire,
    const RecordTagger& tag) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError("no signature record");
    }
    return Errno("cannot open signature record", path);
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Errno("cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        "signature record is not a regular file");
  }
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = read(fd.get(), &bytes[done], bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read", path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  constexpr size_t kTagSize = 32;
  if (bytes.size() < kTagSize) {
    return absl::DataLossError(
        "signature record damaged: shorter than its tag");
  }
  const absl::string_view body(bytes.data(), bytes.size() - kTagSize);
  absl::StatusOr<std::array<uint8_t, 32>> expected = tag(body);
  if (!expected.ok()) return expected.status();
  if (CRYPTO_memcmp(expected->data(), bytes.data() + body.size(), kTagSize) !=
      0) {
    return absl::DataLossError(
        "signature record damaged or not this key store's: its tag does not "
        "match the master key (altered, or written under another master key)");
  }
  bytes.resize(body.size());
  return signer::SignatureRecord::Parse(std::move(bytes), origin_wire);
}

absl::Status WriteSignatureRecord(const std::string& dir,
                                  const std::string& path,
                                  absl::string_view record,
                                  const RecordTagger& tag) {
  absl::StatusOr<std::array<uint8_t, 32>> record_tag = tag(record);
  if (!record_tag.ok()) return record_tag.status();
  std::string bytes;
  bytes.reserve(record.size() + record_tag->size());
  bytes.append(record.data(), record.size());
  bytes.append(reinterpret_cast<const char*>(record_tag->data()),
               record_tag->size());
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Errno("cannot create", dir);
  }
  static std::atomic<uint64_t> counter{0};
  const std::string temp =
      absl::StrCat(path, ".tmp.", getpid(), ".", counter.fetch_add(1));
  Fd fd(open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
             0600));
  if (fd.get() < 0) return Errno("cannot create", temp);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status s = Errno("cannot write", temp);
      unlink(temp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0 || close(fd.Release()) != 0) {
    absl::Status s = Errno("cannot sync", temp);
    unlink(temp.c_str());
    return s;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status s = Errno("cannot rename to", path);
    unlink(temp.c_str());
    return s;
  }
  Fd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || fsync(dir_fd.get()) != 0) {
    return Errno("cannot sync", dir);
  }
  return absl::OkStatus();
}

}  // namespace keystored
}  // namespace zonekeep
