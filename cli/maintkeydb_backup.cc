// maintkeydb backup FILE [--force] (KeyAdmin.Backup): receives the copy in
// chunks into a temp file beside FILE (0600), checks its size and SHA-256
// against the summary, then renames it to FILE. Any failure leaves no FILE
// and no temp file.
#include <openssl/evp.h>
#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/atomic_file.h"
#include "cli/daemon_client.h"
#include "cli/maintkeydb.h"
#include "dnssec/openssl_ptr.h"
#include "grpcpp/client_context.h"
#include "proto/keystore.grpc.pb.h"

namespace zonekeep {
namespace cli {
namespace {

std::string HexOf(const unsigned char* bytes, unsigned int length) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), length));
}

}  // namespace

int MaintKeyDb::Backup(const std::vector<std::string>& args) {
  std::string path;
  bool force = false;
  for (const std::string& arg : args) {
    if (arg == "--force") {
      force = true;
    } else if (path.empty() && !arg.empty() && arg[0] != '-') {
      path = arg;
    } else {
      return UsageError("backup", absl::StrCat("backup: unexpected \"",
                                               absl::CHexEscape(arg), "\""));
    }
  }
  if (path.empty()) return UsageError("backup", "backup needs FILE");
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return Fail(absl::StrCat("backup: ", path, " is a directory"));
    }
    if (!force) {
      return Fail(absl::StrCat("backup: ", path,
                               " exists; give --force to replace it"));
    }
  }
  absl::StatusOr<AtomicFile> file = AtomicFile::Create(path, 0600);
  if (!file.ok()) {
    return Fail(absl::StrCat("backup: ", file.status().message()));
  }
  v1::KeyAdmin::Stub* stub = Stub();
  if (stub == nullptr) return 1;
  grpc::ClientContext context;
  SetCallDeadline(&context, absl::Minutes(10));
  std::unique_ptr<grpc::ClientReader<v1::BackupResponse>> reader =
      stub->Backup(&context, v1::BackupRequest());
  dnssec::EvpMdCtxPtr sha(EVP_MD_CTX_new());
  if (sha == nullptr ||
      EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr) != 1) {
    return Fail("backup: SHA-256 unavailable");
  }
  v1::BackupResponse message;
  std::optional<v1::BackupSummary> summary;
  uint64_t received = 0;
  while (reader->Read(&message)) {
    if (message.has_summary()) {
      summary = message.summary();
      continue;
    }
    if (summary.has_value()) {
      context.TryCancel();
      reader->Finish().IgnoreError();
      return Fail("backup: keystored sent data after the summary");
    }
    const std::string& chunk = message.chunk();
    EVP_DigestUpdate(sha.get(), chunk.data(), chunk.size());
    received += chunk.size();
    if (absl::Status s = file->Write(chunk); !s.ok()) {
      context.TryCancel();
      reader->Finish().IgnoreError();
      return Fail(absl::StrCat("backup: ", s.message()));
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return RpcFailed(status);
  if (!summary.has_value()) {
    return Fail("backup: keystored ended the backup without its summary");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(sha.get(), digest, &length);
  const std::string sha256 = HexOf(digest, length);
  if (received != summary->bytes() || sha256 != summary->sha256_hex()) {
    return Fail(absl::StrCat(
        "backup: the copy received (", received, " bytes, sha256 ", sha256,
        ") is not the one keystored made (", summary->bytes(),
        " bytes, sha256 ", summary->sha256_hex(), "); nothing written"));
  }
  if (!force && lstat(path.c_str(), &st) == 0) {
    return Fail(absl::StrCat(
        "backup: ", path, " appeared meanwhile; give --force to replace it"));
  }
  if (absl::Status s = file->Commit(); !s.ok()) {
    return Fail(absl::StrCat("backup: ", s.message()));
  }
  out_ << "backup " << path << ": " << summary->zones_size() << " zones ("
       << absl::StrJoin(summary->zones(), " ") << "), " << summary->keys()
       << " keys (+" << summary->keys_in_bin() << " in the bin), "
       << summary->bytes() << " bytes, sha256 " << summary->sha256_hex()
       << ", master key id " << summary->master_key_id() << ", schema "
       << summary->schema_version() << "\n";
  return 0;
}

}  // namespace cli
}  // namespace zonekeep
