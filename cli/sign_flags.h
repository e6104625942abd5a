// dnssigner's command line: dnssec-signzone's flags where they mean the same,
// turned into the SignOptions of the ZoneSigner API.
//
// Contract: ParseSignFlags accepts
//   -o origin  -f outfile (- = stdout)  -s start  -e end  -i interval
//   -j jitter  -N keep|increment|unixtime|date  -3 salt (- = none)
//   -H iterations  --allow-nsec3-iterations  -A  -T dnskey-ttl  --cds
//   --no-self-verify  -q (no progress line)
//   --socket PATH  --server HOST:PORT --ca FILE [--cert FILE --key FILE]
// --server needs --ca; --cert and --key go together (without them the TLS is
// server-authenticated only); --server and --socket exclude each other.
//   zonefile
// Times: YYYYMMDDHHMMSS (UTC), a unix time, "now", "now+N" / "now-N", and for
// -e "+N" (N seconds after the start). Errors are one line naming the flag.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_CLI_SIGN_FLAGS_H_
#define ZONEKEEP_CLI_SIGN_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/keystore.pb.h"

namespace zonekeep {
namespace cli {

struct SignCommand {
  std::string zone_file;
  std::string out_file;  // "-" for stdout
  std::string socket;
  std::string server, ca_file, cert_file, key_file;
  bool quiet = false;  // -q: no progress line
  v1::SignOptions options;
};

// `dnssigner --check [-o origin] zonefile`: no other flag is accepted.
struct CheckCommand {
  std::string zone_file;
  std::string origin;  // empty: the SOA owner
};

// True when `args` asks for the check mode (holds "--check").
bool IsCheckCommand(const std::vector<std::string>& args);

absl::StatusOr<CheckCommand> ParseCheckFlags(
    const std::vector<std::string>& args);

absl::StatusOr<SignCommand> ParseSignFlags(const std::vector<std::string>& args,
                                           absl::Time now);

// A dnssec-signzone time argument; `relative_base` anchors "+N".
absl::StatusOr<absl::Time> ParseSignTime(const std::string& text,
                                         absl::Time now,
                                         absl::Time relative_base);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_SIGN_FLAGS_H_
