#include "keystore/backup.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/openssl_ptr.h"
#include "keystore/key_backend.h"
#include "keystore/master_key_check.h"
#include "keystore/store/key_db.h"
#include "keystore/store/rows.h"
#include "keystore/store/schema.h"

namespace zonekeep {
namespace keystore {
namespace {

constexpr char kIdLabel[] = "zonekeep-master-key-id-v1";

struct Contents {
  std::optional<std::vector<uint8_t>> check;
  std::vector<store::KeyRow> keys;  // the bin included
  std::vector<std::string> zones;
};

absl::StatusOr<Contents> ReadContents(const std::string& path) {
  absl::StatusOr<std::unique_ptr<store::KeyDb>> db =
      store::KeyDb::OpenSnapshot(path);
  if (!db.ok()) return db.status();
  absl::StatusOr<std::unique_ptr<store::Transaction>> tx = (*db)->BeginRead();
  if (!tx.ok()) return tx.status();
  Contents contents;
  absl::StatusOr<std::optional<std::vector<uint8_t>>> check =
      (*tx)->GetMasterKeyCheck();
  if (!check.ok()) return check.status();
  contents.check = *std::move(check);
  absl::StatusOr<std::vector<store::KeyRow>> keys = (*tx)->AllKeys(true);
  if (!keys.ok()) return keys.status();
  contents.keys = *std::move(keys);
  absl::StatusOr<std::vector<std::string>> zones = (*tx)->ZoneNames();
  if (!zones.ok()) return zones.status();
  contents.zones = *std::move(zones);
  return contents;
}

std::string IdOf(const Contents& contents) {
  return contents.check.has_value() ? MasterKeyIdOf(*contents.check) : "none";
}

}  // namespace

BackupCopy::~BackupCopy() {
  if (fd_ >= 0) ::close(fd_);
}

std::string MasterKeyIdOf(const std::vector<uint8_t>& check_value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  dnssec::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), kIdLabel, sizeof(kIdLabel)) != 1 ||
      EVP_DigestUpdate(ctx.get(), check_value.data(), check_value.size()) !=
          1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1 || length < 8) {
    return "unknown";
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

absl::StatusOr<std::string> Sha256OfFile(const std::string& path,
                                         int64_t* bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  dnssec::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    ::close(fd);
    return absl::InternalError("SHA-256 unavailable");
  }
  int64_t total = 0;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      return absl::InternalError(
          absl::StrCat("cannot read ", path, ": ", std::strerror(saved)));
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf, n);
    total += n;
  }
  ::close(fd);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    return absl::InternalError("SHA-256 failed");
  }
  if (bytes != nullptr) *bytes = total;
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

absl::StatusOr<BackupSummary> DescribeBackup(const std::string& path) {
  absl::StatusOr<Contents> contents = ReadContents(path);
  if (!contents.ok()) return contents.status();
  BackupSummary summary;
  summary.zones = contents->zones;
  for (const store::KeyRow& row : contents->keys) {
    ++(row.deleted ? summary.keys_in_bin : summary.keys);
  }
  summary.schema_version = store::kLatestSchemaVersion;
  summary.master_key_id = IdOf(*contents);
  absl::StatusOr<std::string> sha = Sha256OfFile(path, &summary.bytes);
  if (!sha.ok()) return sha.status();
  summary.sha256_hex = *std::move(sha);
  return summary;
}

absl::Status CheckBackupOpens(const std::string& path, const MasterKey& key,
                              const std::string& key_path) {
  absl::StatusOr<Contents> contents = ReadContents(path);
  if (!contents.ok()) return contents.status();
  const std::string id = IdOf(*contents);
  if (contents->check.has_value() &&
      !OpensMasterKeyCheck(key, *contents->check)) {
    return absl::FailedPreconditionError(
        absl::StrCat(key_path, " is not the master key of the backup ", path,
                     " (that is master key id ", id,
                     "): put the master.key that was backed up with it there"));
  }
  for (const store::KeyRow& row : contents->keys) {
    if (row.backend != store::kSealedSqliteBackend) continue;
    const KeyBinding binding{row.zone, row.key_tag, row.algorithm, row.role,
                             row.dnskey_rdata};
    if (key.Open(row.sealed_private, CanonicalKeyBinding(binding)).ok() ||
        key.Open(row.sealed_private, CanonicalKeyBindingV1(binding)).ok()) {
      continue;
    }
    if (!contents->check.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          key_path, " is not the master key of the backup ", path, " (key ",
          row.key_tag, " of ", row.zone,
          " does not open with it): put the master.key that was backed up "
          "with it there"));
    }
    return absl::DataLossError(
        absl::StrCat("the backup ", path, " is damaged: key ", row.key_tag,
                     " (", dnssec::AlgorithmName(row.algorithm), ") of ",
                     row.zone, " does not open with its master key ", key_path,
                     " (which opens the backup's check value)"));
  }
  return absl::OkStatus();
}

}  // namespace keystore
}  // namespace zonekeep
