#include "keystore/interrupted_copies.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace zonekeep {
namespace keystore {
namespace {

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

// What a crash left, and who left it; "" for any other file.
absl::string_view LeftBy(absl::string_view name) {
  if (absl::StartsWith(name, "backup-") &&
      (absl::EndsWith(name, ".tmp") || absl::EndsWith(name, ".tmp-journal"))) {
    return "an interrupted backup";
  }
  absl::string_view rest = name;
  if (absl::ConsumePrefix(&rest, "keystore.db.restoring-")) {
    absl::ConsumeSuffix(&rest, "-journal");
    if (AllDigits(rest)) return "an interrupted restore";
  }
  return "";
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

void RemoveInterruptedCopies(const std::string& state_dir) {
  std::unique_ptr<DIR, DirCloser> dir(::opendir(state_dir.c_str()));
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir.get())) {
    const absl::string_view left_by = LeftBy(entry->d_name);
    if (left_by.empty()) continue;
    const std::string path = absl::StrCat(state_dir, "/", entry->d_name);
    if (::unlink(path.c_str()) == 0) {
      fprintf(stderr, "keystore: removed %s, left by %s\n", path.c_str(),
              std::string(left_by).c_str());
    }
  }
}

}  // namespace keystore
}  // namespace zonekeep
