#include "cli/sign_flags.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace cli {
namespace {

absl::Status FlagError(const std::string& flag, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", what));
}

bool ParseUint32(const std::string& text, uint32_t* out) {
  return absl::SimpleAtoi(text, out);
}

}  // namespace

absl::StatusOr<absl::Time> ParseSignTime(const std::string& text,
                                         absl::Time now,
                                         absl::Time relative_base) {
  int64_t n = 0;
  if (text == "now") return now;
  if (absl::StartsWith(text, "now+") || absl::StartsWith(text, "now-")) {
    if (!absl::SimpleAtoi(text.substr(4), &n) || n < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad time \"", text, "\""));
    }
    return now + absl::Seconds(text[3] == '+' ? n : -n);
  }
  if (absl::StartsWith(text, "+")) {
    if (!absl::SimpleAtoi(text.substr(1), &n) || n < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad time \"", text, "\""));
    }
    return relative_base + absl::Seconds(n);
  }
  if (text.size() == 14) {
    absl::Time t;
    std::string err;
    // %Y is greedy: give the fields separators before parsing.
    const std::string spaced = absl::StrCat(
        text.substr(0, 4), "-", text.substr(4, 2), "-", text.substr(6, 2), " ",
        text.substr(8, 2), ":", text.substr(10, 2), ":", text.substr(12, 2));
    if (absl::ParseTime("%Y-%m-%d %H:%M:%S", spaced, absl::UTCTimeZone(), &t,
                        &err)) {
      return t;
    }
  }
  if (absl::SimpleAtoi(text, &n) && n >= 0) return absl::FromUnixSeconds(n);
  return absl::InvalidArgumentError(absl::StrCat(
      "bad time \"", text, "\" (YYYYMMDDHHMMSS, unix time, now[+-N] or +N)"));
}

bool IsCheckCommand(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--check") return true;
  }
  return false;
}

absl::StatusOr<CheckCommand> ParseCheckFlags(
    const std::vector<std::string>& args) {
  CheckCommand command;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--check") continue;
    if (arg == "-o") {
      if (i + 1 >= args.size()) return FlagError(arg, "needs a value");
      command.origin = args[++i];
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      return FlagError(arg, "not accepted with --check");
    } else if (command.zone_file.empty()) {
      command.zone_file = arg;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\" (one zone file)"));
    }
  }
  if (command.zone_file.empty()) {
    return absl::InvalidArgumentError("no zone file given");
  }
  return command;
}

absl::StatusOr<SignCommand> ParseSignFlags(const std::vector<std::string>& args,
                                           absl::Time now) {
  SignCommand command;
  std::string start_text, end_text;
  v1::SignOptions& options = command.options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string* out) -> absl::Status {
      if (i + 1 >= args.size()) return FlagError(arg, "needs a value");
      *out = args[++i];
      return absl::OkStatus();
    };
    std::string v;
    absl::Status s;
    if (arg == "-o") {
      s = value(&v);
      options.set_origin(v);
    } else if (arg == "-f") {
      s = value(&command.out_file);
    } else if (arg == "-s") {
      s = value(&start_text);
    } else if (arg == "-e") {
      s = value(&end_text);
    } else if (arg == "-i" || arg == "-j" || arg == "-H" || arg == "-T") {
      s = value(&v);
      uint32_t n = 0;
      if (s.ok() && !ParseUint32(v, &n)) {
        s = FlagError(arg, absl::StrCat("\"", v, "\" is not a number"));
      }
      if (arg == "-i") options.set_refresh_seconds(n);
      if (arg == "-j") options.set_jitter_seconds(n);
      if (arg == "-H") {
        options.set_nsec3(true);
        options.set_nsec3_iterations(n);
      }
      if (arg == "-T") options.set_dnskey_ttl(n);
    } else if (arg == "-N") {
      s = value(&v);
      const std::string mode = absl::AsciiStrToLower(v);
      if (mode == "keep") {
        options.set_serial_mode(v1::SignOptions::SERIAL_KEEP);
      } else if (mode == "increment") {
        options.set_serial_mode(v1::SignOptions::SERIAL_INCREMENT);
      } else if (mode == "unixtime") {
        options.set_serial_mode(v1::SignOptions::SERIAL_UNIXTIME);
      } else if (mode == "date") {
        options.set_serial_mode(v1::SignOptions::SERIAL_DATE);
      } else if (s.ok()) {
        s = FlagError(arg, absl::StrCat("\"", v,
                                        "\" is not keep, increment, unixtime "
                                        "or date"));
      }
    } else if (arg == "-3") {
      s = value(&v);
      options.set_nsec3(true);
      if (v != "-") {
        bool hex = !v.empty() && v.size() % 2 == 0 && v.size() <= 510;
        for (char c : v) hex = hex && absl::ascii_isxdigit(c);
        if (!hex && s.ok()) {
          s = FlagError(
              arg, absl::StrCat("salt \"", v, "\" is not hex (or - for none)"));
        }
        options.set_nsec3_salt_hex(v);
      }
    } else if (arg == "-A") {
      options.set_nsec3(true);
      options.set_nsec3_opt_out(true);
    } else if (arg == "--cds") {
      options.set_add_cds(true);
    } else if (arg == "--allow-nsec3-iterations") {
      options.set_allow_nsec3_iterations(true);
    } else if (arg == "--no-self-verify") {
      options.set_skip_self_verify(true);
    } else if (arg == "-q") {
      command.quiet = true;
    } else if (arg == "--socket") {
      s = value(&command.socket);
    } else if (arg == "--server") {
      s = value(&command.server);
    } else if (arg == "--ca") {
      s = value(&command.ca_file);
    } else if (arg == "--cert") {
      s = value(&command.cert_file);
    } else if (arg == "--key") {
      s = value(&command.key_file);
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      s = FlagError(arg, "unknown option");
    } else if (command.zone_file.empty()) {
      command.zone_file = arg;
    } else {
      s = absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\" (one zone file)"));
    }
    if (!s.ok()) return s;
  }
  if (command.zone_file.empty()) {
    return absl::InvalidArgumentError("no zone file given");
  }
  if (options.origin().empty()) {
    // As dnssec-signzone: the zone file's name is the origin.
    const size_t slash = command.zone_file.rfind('/');
    options.set_origin(slash == std::string::npos
                           ? command.zone_file
                           : command.zone_file.substr(slash + 1));
  }
  if (command.out_file.empty())
    command.out_file = command.zone_file + ".signed";
  options.set_display_name(command.zone_file);
  absl::Time start = now - absl::Hours(1);
  if (!start_text.empty()) {
    absl::StatusOr<absl::Time> t = ParseSignTime(start_text, now, now);
    if (!t.ok()) return FlagError("-s", std::string(t.status().message()));
    start = *t;
    // 0 means "unset" in the API; keystored refuses the rest of the
    // unrepresentable windows (signer/validity_window.h).
    if (absl::ToUnixSeconds(start) <= 0) {
      return FlagError("-s", absl::StrCat("\"", start_text,
                                          "\" is not after 19700101000000 "
                                          "(unix time 0)"));
    }
    options.set_inception_unix(absl::ToUnixSeconds(start));
  }
  if (!end_text.empty()) {
    absl::StatusOr<absl::Time> t = ParseSignTime(end_text, now, start);
    if (!t.ok()) return FlagError("-e", std::string(t.status().message()));
    if (*t <= start) return FlagError("-e", "end is not after start");
    options.set_expiration_unix(absl::ToUnixSeconds(*t));
  }
  if (!command.server.empty() && !command.socket.empty()) {
    return FlagError("--server", "and --socket exclude each other");
  }
  if (!command.server.empty() && command.ca_file.empty()) {
    return FlagError("--server",
                     "needs --ca (and --cert and --key for "
                     "mutual TLS)");
  }
  if (command.cert_file.empty() != command.key_file.empty()) {
    return FlagError(command.cert_file.empty() ? "--key" : "--cert",
                     "needs --cert and --key together");
  }
  if (command.server.empty() &&
      !(command.ca_file.empty() && command.cert_file.empty())) {
    return FlagError(command.ca_file.empty() ? "--cert" : "--ca",
                     "is only for --server");
  }
  return command;
}

}  // namespace cli
}  // namespace zonekeep
