#include "keystore/crypto/master_key.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dnssec/openssl_ptr.h"

namespace zonekeep {
namespace keystore {
namespace {

constexpr size_t kKeySize = 32;
constexpr uint8_t kVersion = 1;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr size_t kOverhead = 1 + kNonceSize + kTagSize;

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  const int err = errno;
  const std::string message =
      absl::StrCat("master key file ", path, ": ", what, ": ", strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  if (err == EACCES || err == EPERM)
    return absl::PermissionDeniedError(message);
  return absl::InternalError(message);
}

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::StatusOr<SecretBytes> ReadKeyFile(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return ErrnoError("cannot open", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("master key file ", path, " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "master key file %s is accessible by group/others (mode %04o); "
        "it must be 0400 or 0600",
        path, st.st_mode & 07777));
  }
  if (static_cast<size_t>(st.st_size) != kKeySize) {
    return absl::FailedPreconditionError(
        absl::StrCat("master key file ", path, " has ", st.st_size,
                     " bytes, expected ", kKeySize));
  }
  SecretBytes key(kKeySize);
  size_t done = 0;
  while (done < key.size()) {
    const ssize_t n = read(fd.get(), key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read", path);
    if (n == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "master key file ", path, " is shorter than ", kKeySize, " bytes"));
    }
    done += static_cast<size_t>(n);
  }
  return key;
}

absl::Status WriteAll(int fd, const uint8_t* data, size_t size,
                      const std::string& path) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot write", path);
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// rename() that never replaces an existing file; falls back to link+unlink
// on file systems without RENAME_NOREPLACE. False with errno set on failure.
bool RenameNoReplace(const std::string& from, const std::string& to) {
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(),
                RENAME_NOREPLACE) == 0) {
    return true;
  }
  if (errno != EINVAL && errno != ENOSYS) return false;
  if (link(from.c_str(), to.c_str()) != 0) return false;
  unlink(from.c_str());
  return true;
}

constexpr char kTempSuffix[] = ".tmp.";
constexpr size_t kTempRandomChars = 6;  // mkstemp's XXXXXX

// Creates the key file durably: temp file, fsync, rename (never over an
// existing file), fsync of the directory. Returns AlreadyExists if another
// process created `path` first. The temp file is flocked until the rename,
// so RemoveAbandonedTempFiles can tell it from one a killed creator left.
absl::Status CreateKeyFile(const std::string& path, const SecretBytes& key) {
  std::string tmp =
      absl::StrCat(path, kTempSuffix, std::string(kTempRandomChars, 'X'));
  Fd fd(mkstemp(tmp.data()));
  if (fd.get() < 0) return ErrnoError("cannot create temporary file", path);
  absl::Status status = absl::OkStatus();
  if (flock(fd.get(), LOCK_EX) != 0) {
    status = ErrnoError("cannot lock temporary file", path);
  }
  if (status.ok() && fchmod(fd.get(), 0400) != 0) {
    status = ErrnoError("cannot chmod temporary file", path);
  }
  if (status.ok()) status = WriteAll(fd.get(), key.data(), key.size(), path);
  if (status.ok() && fsync(fd.get()) != 0) {
    status = ErrnoError("cannot fsync temporary file", path);
  }
  if (status.ok() && !RenameNoReplace(tmp, path)) {
    if (errno == EEXIST) {
      status = absl::AlreadyExistsError(path);
    } else {
      status = ErrnoError("cannot rename temporary file into place", path);
    }
  }
  if (!status.ok()) {
    unlink(tmp.c_str());
    return status;
  }
  if (close(fd.release()) != 0) {  // releases the flock
    return ErrnoError("cannot close", path);
  }
  const std::string dir = DirName(path);
  Fd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || fsync(dir_fd.get()) != 0) {
    return ErrnoError("cannot fsync directory of", path);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> MasterKey::RemoveAbandonedTempFiles(
    const std::string& path) {
  const std::string dir = DirName(path);
  const size_t slash = path.rfind('/');
  const std::string prefix = absl::StrCat(
      slash == std::string::npos ? path : path.substr(slash + 1), kTempSuffix);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return ErrnoError("cannot list the directory of", path);
  std::vector<std::string> found;
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() == prefix.size() + kTempRandomChars &&
        name.compare(0, prefix.size(), prefix) == 0) {
      found.push_back(dir + "/" + name);
    }
  }
  closedir(d);
  int removed = 0;
  for (const std::string& tmp : found) {
    Fd fd(open(tmp.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
      if (errno == ENOENT) continue;  // its creator renamed it just now
      return ErrnoError("cannot open abandoned temporary file", tmp);
    }
    if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) continue;  // its creator is still at work
      return ErrnoError("cannot lock abandoned temporary file", tmp);
    }
    if (unlink(tmp.c_str()) != 0) {
      if (errno == ENOENT) continue;
      return ErrnoError("cannot remove abandoned temporary file", tmp);
    }
    ++removed;
  }
  return removed;
}

absl::StatusOr<MasterKey> MasterKey::LoadOrCreate(const std::string& path) {
  absl::StatusOr<MasterKey> created = Create(path);
  if (created.ok() || !absl::IsAlreadyExists(created.status())) return created;
  return Load(path);  // it existed, or another process won the race
}

absl::StatusOr<MasterKey> MasterKey::Load(const std::string& path) {
  absl::StatusOr<SecretBytes> key = ReadKeyFile(path);
  if (!key.ok()) return key.status();
  return MasterKey(*std::move(key));
}

absl::StatusOr<MasterKey> MasterKey::Create(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) return absl::AlreadyExistsError(path);
  if (errno != ENOENT) return ErrnoError("cannot stat", path);
  SecretBytes key(kKeySize);
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError("cannot generate master key: RAND_bytes");
  }
  absl::Status created = CreateKeyFile(path, key);
  if (!created.ok()) return created;
  return MasterKey(std::move(key));
}

absl::StatusOr<std::vector<uint8_t>> MasterKey::Seal(
    const SecretBytes& plaintext, absl::string_view aad) const {
  std::vector<uint8_t> out(kOverhead + plaintext.size());
  out[0] = kVersion;
  uint8_t* nonce = out.data() + 1;
  uint8_t* ciphertext = nonce + kNonceSize;
  uint8_t* tag = ciphertext + plaintext.size();
  if (RAND_bytes(nonce, kNonceSize) != 1) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError("cannot generate nonce: RAND_bytes");
  }
  dnssec::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const bool ok =
      ctx != nullptr &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(),
                         nonce) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), ciphertext, &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) == 1 &&
      static_cast<size_t>(len) == plaintext.size() &&
      EVP_EncryptFinal_ex(ctx.get(), ciphertext + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, tag) == 1;
  if (!ok) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError("AES-256-GCM sealing failed");
  }
  return out;
}

absl::StatusOr<SecretBytes> MasterKey::Open(absl::Span<const uint8_t> sealed,
                                            absl::string_view aad) const {
  if (sealed.size() < kOverhead) {
    return absl::DataLossError("sealed key is truncated");
  }
  if (sealed[0] != kVersion) {
    return absl::DataLossError(
        absl::StrCat("sealed key has unknown format version ", sealed[0]));
  }
  const uint8_t* nonce = sealed.data() + 1;
  const uint8_t* ciphertext = nonce + kNonceSize;
  const size_t ciphertext_size = sealed.size() - kOverhead;
  const uint8_t* tag = ciphertext + ciphertext_size;
  SecretBytes plaintext(ciphertext_size);
  dnssec::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  // GCM decrypts before it checks the tag; `plaintext` is wiped on failure.
  const bool ok =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(),
                         nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), plaintext.data(), &len, ciphertext,
                        static_cast<int>(ciphertext_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                          const_cast<uint8_t*>(tag)) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + len, &len) == 1;
  if (!ok) {
    dnssec::ClearOpensslErrors();
    return absl::DataLossError(
        "sealed key failed authentication (tampered, or bound to another key)");
  }
  return plaintext;
}

absl::StatusOr<MasterKey::TagBytes> MasterKey::Tag(
    absl::string_view purpose, absl::string_view data) const {
  // HKDF-SHA256(master key, info) -> a 32-byte key for this purpose only.
  SecretBytes tag_key(32);
  std::string info = absl::StrCat("zonekeep-tag-v1|", purpose);
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(
      EVP_KDF_fetch(nullptr, "HKDF", nullptr), &EVP_KDF_free);
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> kdf_ctx(
      kdf != nullptr ? EVP_KDF_CTX_new(kdf.get()) : nullptr, &EVP_KDF_CTX_free);
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(key_.data()), key_.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(),
                                        info.size()),
      OSSL_PARAM_construct_end()};
  TagBytes tag{};
  size_t tag_size = 0;
  const bool ok =
      kdf_ctx != nullptr &&
      EVP_KDF_derive(kdf_ctx.get(), tag_key.data(), tag_key.size(), params) ==
          1 &&
      EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, tag_key.data(),
                tag_key.size(), reinterpret_cast<const uint8_t*>(data.data()),
                data.size(), tag.data(), tag.size(), &tag_size) != nullptr &&
      tag_size == tag.size();
  if (!ok) {
    dnssec::ClearOpensslErrors();
    return absl::InternalError("HMAC-SHA256 tag failed");
  }
  return tag;
}

}  // namespace keystore
}  // namespace zonekeep
