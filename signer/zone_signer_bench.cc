// Manual timing of SignZone, not a test: signs a zone file with fresh
// in-memory ECDSA P-256 keys (KSK, ZSK, published ZSK), with self-verify and
// its read-back, and prints each step's wall time and the read-back's share
// of the signing. Usage:
//   bazel run -c opt //signer:zone_signer_bench -- [--sequential]
//       /abs/path/tld-100000.zone tld. [runs [OUT_FILE]]
// --sequential: SignOptions::sequential (the steps one after another).
// Each step's figure is its busy (CPU) time; "wall" is the run's.
// OUT_FILE, if given, receives the signed zone of the last run.
// "free" is the time to free the run's zone model and output text
// (SignOptions::hand_over_working_memory), not part of the run's time.
// The keys are dnssec/test_keys.h's, whose handle initialises a fresh
// EVP_DigestSign context per signature: at 100k delegations its "sign" is
// about 0.35 s (2 us a signature) above keystored's, whose PrivateKey
// reuses prepared contexts. For the production sign step, sign through
// keystored (bench/run.sh, dnssigner's "time" line); for the key's own
// cost against a bare EVP_PKEY_sign loop, //keystore/crypto:sign_bench.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "signer/zone_signer.h"

int main(int argc, char** argv) {
  const bool sequential = argc > 1 && std::string(argv[1]) == "--sequential";
  if (sequential) {
    argv[1] = argv[0];
    ++argv;
    --argc;
  }
  if (argc < 3 || argc > 5) {
    std::fprintf(stderr, "usage: %s ZONE_FILE ORIGIN [runs [OUT_FILE]]\n",
                 argv[0]);
    return 2;
  }
  // Read straight into one string: the bench holds the input once, as
  // keystored does (a stringstream + str() held it twice).
  std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
  std::string text(in ? static_cast<size_t>(in.tellg()) : 0, '\0');
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in || text.empty()) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  const int runs = argc >= 4 ? std::atoi(argv[3]) : 3;
  std::string signed_text;
  auto keys = zonekeep::dnssec::MakeTestKeySet(
      zonekeep::dnssec::Algorithm::kEcdsaP256Sha256);
  if (!keys.ok()) {
    std::fprintf(stderr, "%s\n", keys.status().ToString().c_str());
    return 1;
  }
  zonekeep::signer::SignOptions options;
  options.origin = argv[2];
  options.sequential = sequential;
  options.hand_over_working_memory = true;
  for (int run = 0; run < runs; ++run) {
    size_t bytes = 0;
    const auto start = std::chrono::steady_clock::now();
    const bool keep = argc == 5 && run + 1 == runs;
    auto report = zonekeep::signer::SignZone(
        text, "bench", *keys, options, [&](absl::string_view piece) {
          bytes += piece.size();
          if (keep) signed_text.append(piece.data(), piece.size());
          return absl::OkStatus();
        });
    const std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    if (!report.ok()) {
      std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
      return 1;
    }
    double readback = 0;
    std::printf("run %d: %.3f s, %zu records out, %zu bytes:", run,
                took.count(), report->records_out, bytes);
    for (const auto& [name, seconds] : report->phase_seconds) {
      std::printf(" %s %.3f", name.c_str(), seconds);
      if (name == "readback") readback = seconds;
    }
    const auto free_start = std::chrono::steady_clock::now();
    report->working_memory.reset();
    const std::chrono::duration<double> freed =
        std::chrono::steady_clock::now() - free_start;
    std::printf("; readback %.1f%% of the rest; free %.3f s\n",
                100.0 * readback / (took.count() - readback), freed.count());
  }
  if (argc == 5) {
    std::ofstream out(argv[4], std::ios::binary);
    out << signed_text;
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", argv[4]);
      return 1;
    }
  }
  return 0;
}
