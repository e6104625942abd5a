// dnssigner: signs a zone file through keystored, with dnssec-signzone's flags
// but no key arguments: which keys sign is the key store's business.
//
//   dnssigner [-o origin] [-f outfile|-] [-s start] [-e end] [-N mode]
//             [-3 salt] [-H iterations] [-A] [-T ttl] [--cds]
//             [-q] [--socket PATH | --server HOST:PORT --ca FILE
//             [--cert FILE --key FILE]] zonefile
//   dnssigner --check [-o origin] zonefile
//   dnssigner --help | -h | help | --version
//
// --check reads the zone locally as the signer would (signer/zone_check.h),
// with no keys and no daemon: the records in canonical form on stdout, or
// the error as "zonefile:line: reason" on stderr and exit status 1.
// The output file appears whole or not at all (temp file + rename); on any
// error the temp file is removed. --server signs over TLS (cli/tls_channel.h),
// with --ca as the only trust anchor; a progress line (cli/sign_progress.h)
// shows on a terminal for zones that take more than a second.
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cli/atomic_file.h"
#include "cli/daemon_client.h"
#include "cli/sign_flags.h"
#include "cli/sign_progress.h"
#include "cli/tls_channel.h"
#include "grpcpp/client_context.h"
#include "proto/keystore.grpc.pb.h"
#include "proto/version.h"
#include "signer/zone_check.h"

namespace zonekeep {
namespace cli {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 20;
// `--check` lists at most this many errors, then says that there were more.
constexpr int kCheckMaxErrors = 100;

// Every flag ParseSignFlags and ParseCheckFlags accept (cli/sign_flags.h).
constexpr char kUsage[] =
    "usage: dnssigner [options] zonefile\n"
    "       dnssigner --check [-o origin] zonefile\n"
    "       dnssigner --help | -h | help | --version\n"
    "Signs a zone file through keystored; keystored chooses the keys.\n"
    "options (as for dnssec-signzone where they mean the same):\n"
    "  -o origin          the zone's origin (default: the zone file's name,\n"
    "                     as dnssec-signzone; with --check: the SOA owner)\n"
    "  -f outfile         output file, - for stdout (default: "
    "zonefile.signed)\n"
    "  -s start           validity start: YYYYMMDDHHMMSS (UTC), unix time, "
    "now,\n"
    "                     now+N, now-N (default: now - 1 h)\n"
    "  -e end             validity end, as -s or +N after the start "
    "(default:\n"
    "                     start + 30 days)\n"
    "  -i interval        re-sign incrementally: reuse keystored's signatures\n"
    "                     of unchanged RRsets that expire later than now +\n"
    "                     interval seconds (default: sign everything)\n"
    "  -j jitter          seconds of random jitter on the end time\n"
    "  -N keep|increment|unixtime|date   SOA serial\n"
    "  -3 salt            NSEC3 with this hex salt (- for none)\n"
    "  -H iterations      NSEC3 extra iterations (default 0)\n"
    "  --allow-nsec3-iterations   allow -H above 0 (at most 50)\n"
    "  -A                 NSEC3 opt-out\n"
    "  -T ttl             DNSKEY TTL\n"
    "  --cds              add CDS and CDNSKEY for the active KSKs\n"
    "  --no-self-verify   skip the verification before the zone is returned\n"
    "  -q                 no progress line (shown on a terminal for zones\n"
    "                     that take more than a second)\n"
    "  --socket PATH      keystored's admin socket (default "
    "$KEYSTORED_SOCKET,\n"
    "                     else ./var/keystored/admin.sock)\n"
    "  --server HOST:PORT keystored's TLS listener (\"listen\"; IPv6 as "
    "[ADDR]:PORT)\n"
    "  --ca FILE          with --server: the CA that signed the server's\n"
    "                     certificate (PEM; the only trust anchor used)\n"
    "  --cert FILE        with --server: our client certificate (PEM), for\n"
    "                     mutual TLS; without --cert and --key the TLS is\n"
    "                     server-authenticated only\n"
    "  --key FILE         with --cert: its private key (PEM)\n"
    "  --check            read the zone locally, no keys, no keystored: "
    "records\n"
    "                     in canonical form, or file:line: reason\n"
    "  -h, --help         this text\n"
    "  --version          the version\n"
    "exit status: 0 signed (or checked), 1 failed, 2 mistyped flags\n";

// The temp output file, for RemoveTempAndDie: set once the file exists.
char g_temp_path[4096] = {0};

// SIGINT, SIGTERM, SIGHUP: the temp output file goes (nothing is left behind),
// then the signal's default action ends the process.
void RemoveTempAndDie(int signal_number) {
  if (g_temp_path[0] != '\0') unlink(g_temp_path);
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

void RemoveTempOnSignals(const std::string& temp_path) {
  if (temp_path.size() >= sizeof g_temp_path) return;
  std::memcpy(g_temp_path, temp_path.c_str(), temp_path.size() + 1);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    ::signal(signal_number, RemoveTempAndDie);
  }
}

bool WantsHelp(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "help") return true;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

int Fail(const std::string& message) {
  std::cerr << "dnssigner: " << message << "\n";
  return 1;
}

// Sends the zone file in chunks as it is read, so the client never holds the
// whole zone. False when the stream broke (the server says why on Finish).
absl::StatusOr<bool> StreamZoneFile(
    std::ifstream& in, const std::string& path,
    grpc::ClientReaderWriter<v1::SignZoneRequest, v1::SignZoneResponse>* stream,
    SignProgress* progress) {
  std::string buffer(kChunkBytes, '\0');
  v1::SignZoneRequest request;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const size_t got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    request.set_zone_chunk(buffer.data(), got);
    if (!stream->Write(request)) return false;
    progress->Sent(absl::string_view(buffer.data(), got), absl::Now());
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return true;
}

// "12.3 s: parse 1.0 s, ... , wall 11.0 s, transfer and files 0.5 s": the
// daemon's steps and what is left of the wall time (reading, sending,
// receiving, writing). The engine's steps are busy (CPU) times that may
// overlap; its "wall" phase, when there, stands for all of them.
std::string TimingLine(const v1::SignSummary& summary, absl::Duration wall) {
  const double total = absl::ToDoubleSeconds(wall);
  double steps = 0;
  double engine_busy = 0;
  std::string line = absl::StrFormat("%.2f s:", total);
  for (const v1::PhaseTime& phase : summary.phases()) {
    absl::StrAppendFormat(&line, " %s %.2f s,", phase.name(), phase.seconds());
    if (phase.name() == "wall") {
      steps += phase.seconds() - engine_busy;
      engine_busy = 0;
      continue;
    }
    if (phase.name() == "parse" || phase.name() == "build" ||
        phase.name() == "denial" || phase.name() == "sign" ||
        phase.name() == "verify" || phase.name() == "write" ||
        phase.name() == "readback") {
      engine_busy += phase.seconds();
    }
    steps += phase.seconds();
  }
  absl::StrAppendFormat(&line, " transfer and files %.2f s",
                        std::max(0.0, total - steps));
  return line;
}

// "inception 20250101000000 (1735689600) expiration 20250131000000
// (1738281600)": UTC as dnssec-signzone prints RRSIG times, and unix seconds.
// "self-verified", with how many signatures it accepted as byte-identical
// to ones an earlier self-verify accepted (keystored's record, -i).
std::string SelfVerifyText(const v1::SignSummary& summary) {
  if (!summary.self_verified()) return "NOT self-verified";
  if (summary.signatures_verified_before() == 0) return "self-verified";
  return absl::StrCat("self-verified (", summary.signatures_verified_before(),
                      " as verified before)");
}

std::string ValidityText(const v1::SignSummary& summary) {
  auto time = [](int64_t unix_seconds) {
    return absl::StrCat(
        absl::FormatTime("%Y%m%d%H%M%S", absl::FromUnixSeconds(unix_seconds),
                         absl::UTCTimeZone()),
        " (", unix_seconds, ")");
  };
  return absl::StrCat("inception ", time(summary.inception_unix()),
                      " expiration ", time(summary.expiration_unix()));
}

// dnssigner --check: 0 and the records on stdout, 1 and the errors on stderr
// (nothing on stdout), 2 for a usage error.
int RunCheck(const std::vector<std::string>& args) {
  absl::StatusOr<CheckCommand> command = ParseCheckFlags(args);
  if (!command.ok()) {
    std::cerr << "dnssigner: " << command.status().message()
              << "\nusage: dnssigner --check [-o origin] zonefile\n";
    return 2;
  }
  std::ifstream in(command->zone_file, std::ios::binary);
  if (!in) return Fail(absl::StrCat(command->zone_file, ": cannot read"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Fail(absl::StrCat(command->zone_file, ": read error"));
  signer::CheckOptions options;
  options.origin = command->origin;
  // Every error, as named-checkzone and kzonecheck list them, up to a cap.
  options.max_errors = kCheckMaxErrors;
  // The text is held until the zone has been read whole: an error leaves
  // stdout empty.
  absl::StatusOr<std::string> records =
      signer::CheckZoneText(text.str(), command->zone_file, options);
  if (!records.ok()) {
    std::cerr << records.status().message() << "\n";
    return 1;
  }
  std::cout << *records << std::flush;
  return std::cout.good() ? 0 : Fail("stdout: write error");
}

int Run(const std::vector<std::string>& args) {
  if (WantsHelp(args)) {
    std::cout << kUsage;
    return 0;
  }
  if (args.size() == 1 && args[0] == "--version") {
    std::cout << "dnssigner (zonekeep) " << kVersion << "\n";
    return 0;
  }
  if (IsCheckCommand(args)) return RunCheck(args);
  absl::StatusOr<SignCommand> command = ParseSignFlags(args, absl::Now());
  if (!command.ok()) {
    std::cerr << "dnssigner: " << command.status().message()
              << "\ntry: dnssigner --help\n";
    return 2;
  }
  const absl::Time started = absl::Now();
  std::ifstream zone_in(command->zone_file, std::ios::binary);
  if (!zone_in) {
    return Fail(absl::StrCat(command->zone_file, ": cannot read (",
                             std::strerror(errno), ")"));
  }

  // Where keystored is: its TLS listener, or its admin socket.
  const bool over_tls = !command->server.empty();
  TlsTarget tls{command->server, command->ca_file, command->cert_file,
                command->key_file};
  const std::string socket = over_tls ? "" : ResolveSocketPath(command->socket);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      over_tls ? ConnectOverTls(tls) : ConnectToDaemon(socket);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  // A generous deadline: the call timeout plus a second per 64 KiB of zone.
  struct stat zone_stat {};
  stat(command->zone_file.c_str(), &zone_stat);
  const absl::Duration deadline =
      CallTimeout() + absl::Seconds(zone_stat.st_size / (64 << 10));
  auto describe = [&](const grpc::Status& status) {
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return DescribeRpcError(status, over_tls ? command->server : socket,
                              deadline);
    }
    return over_tls ? DescribeTlsRpcError(status, tls)
                    : DescribeRpcError(status, socket, deadline);
  };
  std::unique_ptr<v1::ZoneSigner::Stub> stub =
      v1::ZoneSigner::NewStub(*channel);
  SignProgress progress(stderr, ProgressWanted(command->quiet), started);

  grpc::ClientContext context;
  SetCallDeadline(&context, deadline);
  auto stream = stub->SignZone(&context);
  v1::SignZoneRequest request;
  *request.mutable_options() = command->options;
  if (stream->Write(request)) {
    absl::StatusOr<bool> sent =
        StreamZoneFile(zone_in, command->zone_file, stream.get(), &progress);
    if (!sent.ok()) {
      context.TryCancel();
      stream->Finish();
      return Fail(std::string(sent.status().message()));
    }
  }
  stream->WritesDone();

  const bool to_stdout = command->out_file == "-";
  std::optional<AtomicFile> out_file;
  if (!to_stdout) {
    absl::StatusOr<AtomicFile> file = AtomicFile::Create(command->out_file);
    if (!file.ok()) {
      context.TryCancel();
      stream->Finish();
      return Fail(std::string(file.status().message()));
    }
    out_file.emplace(std::move(*file));
    RemoveTempOnSignals(out_file->temp_path());
  }
  // Buffer stdout output until the server says OK: no partial zone is shown.
  std::string stdout_buffer;
  v1::SignZoneResponse response;
  v1::SignSummary summary;
  absl::Status write_status;
  while (stream->Read(&response)) {
    if (response.has_summary()) {
      summary = response.summary();
      continue;
    }
    progress.Received(response.signed_chunk(), absl::Now());
    if (to_stdout) {
      stdout_buffer += response.signed_chunk();
    } else if (write_status.ok()) {
      write_status = out_file->Write(response.signed_chunk());
    }
  }
  grpc::Status status = stream->Finish();
  progress.Finish();
  if (!status.ok()) return Fail(describe(status));
  if (!write_status.ok()) return Fail(std::string(write_status.message()));
  if (to_stdout) {
    std::cout << stdout_buffer << std::flush;
  } else {
    absl::Status committed = out_file->Commit();
    g_temp_path[0] = '\0';  // renamed (or removed): nothing for a signal
    if (!committed.ok()) return Fail(std::string(committed.message()));
  }
  std::cerr << "dnssigner: " << command->options.origin()
            << " signed: " << summary.records_in() << " records in, "
            << summary.records_out() << " out, " << summary.signatures()
            << " signatures (" << summary.signatures_reused() << " reused, "
            << summary.signatures_new() << " new); " << SelfVerifyText(summary)
            << "; validity " << ValidityText(summary)
            << "; earliest RRSIG expiration "
            << absl::FormatTime(
                   "%Y-%m-%dT%H:%M:%SZ",
                   absl::FromUnixSeconds(summary.earliest_expiration_unix()),
                   absl::UTCTimeZone())
            << (to_stdout ? ""
                          : absl::StrCat("; written to ", command->out_file))
            << "\n";
  if (!summary.full_sign_reason().empty()) {
    std::cerr << "dnssigner: -i: full sign: " << summary.full_sign_reason()
              << "\n";
  }
  if (!summary.record_error().empty()) {
    std::cerr << "dnssigner: warning: keystored did not record the "
                 "signatures (the next -i run signs in full): "
              << summary.record_error() << "\n";
  }
  std::cerr << "dnssigner: time " << TimingLine(summary, absl::Now() - started)
            << "\n";
  return 0;
}

}  // namespace
}  // namespace cli
}  // namespace zonekeep

int main(int argc, char** argv) {
  // gRPC's own log lines (failed handshakes) would stand beside dnssigner's
  // one-line error; GRPC_VERBOSITY set by the user still wins.
  setenv("GRPC_VERBOSITY", "NONE", /*overwrite=*/0);
  return zonekeep::cli::Run(std::vector<std::string>(argv + 1, argv + argc));
}
