// Manual timing of zone ingest, not a test: parses a zone file with the fast
// path on and off, on 1 and 2 threads, and prints the best wall time of a few
// runs each, then checks that both paths give the same records. Usage (the
// optional second argument picks one setting):
//   bazel run -c opt //signer:zone_parser_bench -- /abs/path/tld-100000.zone
//       [on|off]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "signer/zone_parser.h"

namespace {

double BestSeconds(const std::string& text,
                   const zonekeep::signer::ParseOptions& options, int runs,
                   size_t* records) {
  double best = 1e9;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto zone = zonekeep::signer::ParseZoneText(text, "bench", "", options);
    const std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    if (!zone.ok()) {
      std::fprintf(stderr, "%s\n", zone.status().ToString().c_str());
      return -1;
    }
    *records = zone->records.size();
    if (took.count() < best) best = took.count();
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s ZONE_FILE [on|off]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (!in || text.empty()) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  const std::string only = argc == 3 ? argv[2] : "";
  for (const bool fast : {false, true}) {
    if (!only.empty() && only != (fast ? "on" : "off")) continue;
    for (const int threads : {1, 2}) {
      zonekeep::signer::ParseOptions options;
      options.fast_path = fast;
      options.threads = threads;
      size_t records = 0;
      const double seconds = BestSeconds(text, options, 3, &records);
      if (seconds < 0) return 1;
      std::printf(
          "fast_path=%d threads=%d: %.3f s (%zu records, %.2f us each)\n",
          fast ? 1 : 0, threads, seconds, records,
          seconds * 1e6 / static_cast<double>(records));
    }
  }
  zonekeep::signer::ParseOptions on;
  zonekeep::signer::ParseOptions off;
  off.fast_path = false;
  auto a = zonekeep::signer::ParseZoneText(text, "bench", "", on);
  auto b = zonekeep::signer::ParseZoneText(text, "bench", "", off);
  bool same = a.ok() && b.ok() && a->records.size() == b->records.size();
  for (size_t i = 0; same && i < a->records.size(); ++i) {
    const zonekeep::signer::Record& x = a->records[i];
    const zonekeep::signer::Record& y = b->records[i];
    same = x.owner == y.owner && x.type == y.type && x.ttl == y.ttl &&
           x.rdata == y.rdata && x.line == y.line && x.rrclass == y.rrclass;
  }
  std::printf("fast path and ldns records %s\n", same ? "identical" : "DIFFER");
  return same ? 0 : 1;
}
