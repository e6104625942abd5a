// libFuzzer target: BIND key file import (keystore/crypto/bind_key_files.h),
// the .key parser (through ldns) and the .private parser with every key
// check, as `maintkeydb import` reaches them in keystored.
//
// Input: the .key file's text, a NUL byte, then the .private file's text
// (no NUL: all of it is the .key file and the .private file is empty). Both
// are written to a private temporary directory made once per process and
// removed at exit, and read back by ReadBindKeyPair: the real file path.
// Property checked beyond "no crash": an error message never carries a value
// of the .private file's key fields (their base64 text), since errors go to
// logs and clients. Nothing is printed: not the key, not the message.
// Returns 0 always; a broken property aborts.
// Thread-safety: libFuzzer calls it from one thread.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "keystore/crypto/bind_key_files.h"

namespace {

std::string* temp_dir = nullptr;

void RemoveTempDir() {
  unlink((*temp_dir + "/Kfuzz.key").c_str());
  unlink((*temp_dir + "/Kfuzz.private").c_str());
  rmdir(temp_dir->c_str());
}

const std::string& TempDir() {
  if (temp_dir == nullptr) {
    const char* base = getenv("TEST_TMPDIR");
    if (base == nullptr) base = getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr ? base : "/tmp") + "/fuzz_bind.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      perror("mkdtemp");
      abort();
    }
    temp_dir = new std::string(pattern);
    atexit(RemoveTempDir);
  }
  return *temp_dir;
}

void WriteFile(const std::string& path, absl::string_view data) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    perror("open");
    abort();
  }
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      perror("write");
      abort();
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
}

bool IsBase64Text(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' &&
        c != '/' && c != '=') {
      return false;
    }
  }
  return true;
}

// The values of the .private file's fields that may hold key material: base64
// text of 12 characters or more that the public .key file does not also hold
// (a fuzzer may copy the public key, or words of an error message, into a
// field; neither is a secret, and an error may name both).
std::vector<std::string> SecretValues(absl::string_view private_text,
                                      absl::string_view key_text) {
  std::vector<std::string> values;
  for (absl::string_view line : absl::StrSplit(private_text, '\n')) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    const absl::string_view name =
        absl::StripAsciiWhitespace(line.substr(0, colon));
    if (name == "Private-key-format" || name == "Algorithm" ||
        name == "Created" || name == "Publish" || name == "Activate") {
      continue;
    }
    const absl::string_view value =
        absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (value.size() >= 12 && IsBase64Text(value) &&
        !absl::StrContains(key_text, value)) {
      values.emplace_back(value);
    }
  }
  return values;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const absl::string_view key_text = input.substr(0, nul);
  const absl::string_view private_text = nul == absl::string_view::npos
                                             ? absl::string_view()
                                             : input.substr(nul + 1);
  const std::string base = TempDir() + "/Kfuzz";
  WriteFile(base + ".key", key_text);
  WriteFile(base + ".private", private_text);

  absl::StatusOr<zonekeep::keystore::BindKeyPair> pair =
      zonekeep::keystore::ReadBindKeyPair(base);
  if (!pair.ok()) {
    const absl::string_view message = pair.status().message();
    for (const std::string& secret : SecretValues(private_text, key_text)) {
      if (absl::StrContains(message, secret)) {
        fprintf(stderr, "an import error carries a key field's value\n");
        abort();
      }
    }
  }
  return 0;
}
