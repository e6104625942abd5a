// libFuzzer target: keystored's configuration parser, the JSON load and every
// check of keystore/daemon/config.h (ParseConfig, as LoadConfig and
// `keystored --check-config` use it).
//
// Input: the configuration file's text. Property checked beyond "no crash":
// an accepted configuration has its state-dir and admin socket set, and an
// accepted one with --state-dir given keeps that directory.
// Returns 0 always; a broken property aborts.
// Thread-safety: libFuzzer calls it from one thread.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "keystore/daemon/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<zonekeep::v1::KeystoredConfig> config =
      zonekeep::keystored::ParseConfig(json, "fuzz.json", "");
  if (config.ok() &&
      (config->state_dir().empty() || config->admin_socket().empty())) {
    fprintf(stderr, "accepted config without state-dir or admin socket\n");
    abort();
  }
  absl::StatusOr<zonekeep::v1::KeystoredConfig> overridden =
      zonekeep::keystored::ParseConfig(json, "fuzz.json", "/tmp/fuzz-state");
  if (overridden.ok() && overridden->state_dir() != "/tmp/fuzz-state") {
    fprintf(stderr, "--state-dir not kept\n");
    abort();
  }
  return 0;
}
