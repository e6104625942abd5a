#include "tests/test_zone_readers.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <tuple>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dnssec/name.h"
#include "signer/zone_parser.h"
#include "tests/test_interop.h"

namespace zonekeep {
namespace interop {
namespace {

ZoneReading ParseText(const std::string& text, const std::string& display,
                      const std::string& origin, bool fast_path) {
  ZoneReading reading;
  signer::ParseOptions options;
  options.keep_dnssec = true;
  options.threads = 1;
  options.fast_path = fast_path;
  absl::StatusOr<signer::ParsedZone> zone =
      signer::ParseZoneText(text, display, origin, options);
  if (!zone.ok()) {
    reading.message = std::string(zone.status().message());
    return reading;
  }
  reading.ok = true;
  reading.records = std::move(zone->records);
  return reading;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ZoneReading ReadWithZonekeep(const std::string& origin,
                             const std::string& path) {
  return ParseText(ReadFile(path), path, origin, /*fast_path=*/true);
}

ZoneReading ReadWithBind(const std::string& origin, const std::string& path) {
  const std::string out = path + ".bind";
  const ToolResult run = Run(absl::StrCat(
      "named-compilezone -i none -k ignore -o ", out, " ", origin, " ", path));
  if (run.exit_code != 0) {
    ZoneReading reading;
    reading.message = run.output;
    return reading;
  }
  ZoneReading reading = ParseText(ReadFile(out), out, origin, false);
  if (!reading.ok) {
    reading.message =
        absl::StrCat("BIND's output does not read back: ", reading.message);
  }
  return reading;
}

ZoneReading ReadWithKnot(const std::string& origin, const std::string& path,
                         bool dnssec) {
  const ToolResult run = Run(absl::StrCat("kzonecheck -v -o ", origin,
                                          dnssec ? " -d on " : " ", path));
  // Semantic-check findings fail the run too, but they are no reading
  // errors: only the zone loader's count, and with `dnssec` every finding
  // but missing glue (a delegation's name servers, not our output's making).
  bool only_glue = true;
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    const bool finding = (!line.empty() && line[0] == '[') ||
                         (line.size() > 3 && line[0] == ' ' &&
                          line.find_first_not_of(' ') != std::string::npos &&
                          std::isdigit(static_cast<unsigned char>(
                              line[line.find_first_not_of(' ')])));
    if (finding && line.find("missing glue record") == std::string::npos) {
      only_glue = false;
    }
    if (line.find("failed to run semantic checks") == std::string::npos &&
        line.rfind("error:", 0) == 0 &&
        line.find("zone loader") == std::string::npos) {
      only_glue = false;
    }
  }
  ZoneReading reading;
  reading.ok = run.exit_code == 0 ||
               (run.output.find("zone loader") == std::string::npos &&
                (!dnssec || only_glue));
  reading.message = run.output;
  return reading;
}

std::string DescribeRecord(const signer::Record& r) {
  return absl::StrCat(dnssec::NameToText(r.owner), " ", r.ttl, " class ",
                      r.rrclass, " type ", r.type, " ",
                      absl::BytesToHexString(r.rdata), " (line ", r.line, ")");
}

std::string DiffRecords(std::vector<signer::Record> a,
                        std::vector<signer::Record> b) {
  auto key = [](const signer::Record& r) {
    return std::tie(r.owner, r.type, r.rrclass, r.rdata, r.ttl);
  };
  auto less = [&](const signer::Record& x, const signer::Record& y) {
    return key(x) < key(y);
  };
  std::sort(a.begin(), a.end(), less);
  std::sort(b.begin(), b.end(), less);
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (key(a[i]) != key(b[i])) {
      return absl::StrCat("record ", i, " differs: ", DescribeRecord(a[i]),
                          " vs ", DescribeRecord(b[i]));
    }
  }
  if (a.size() != b.size()) {
    const bool a_longer = a.size() > b.size();
    return absl::StrCat(a.size(), " records vs ", b.size(), "; first extra: ",
                        DescribeRecord(a_longer ? a[b.size()] : b[a.size()]));
  }
  return "";
}

}  // namespace interop
}  // namespace zonekeep
