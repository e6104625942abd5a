#include "cli/ssh_invocation.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/command_words.h"
#include "cli/maintkeydb_usage.h"

namespace zonekeep {
namespace cli {
namespace {

constexpr int kExitRefused = 1;

// Programs a client asks for when it wants to copy files: sftp (the
// subsystem runs its server, or internal-sftp), legacy scp, rsync.
constexpr absl::string_view kFileTransfers[] = {
    "scp", "sftp", "sftp-server", "internal-sftp", "rsync",
};

Invocation Refuse(Invocation base, std::string reason, int exit_code) {
  base.action = Invocation::Action::kRefuse;
  base.reason = std::move(reason);
  base.exit_code = exit_code;
  base.words.clear();
  return base;
}

absl::string_view Basename(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

// A one-line reason if `line` holds a control character other than a tab:
// a newline would be a second command to a shell, so it is no command here.
std::optional<std::string> ControlCharacter(absl::string_view line) {
  for (char c : line) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      return absl::StrCat("the command line holds a control character (",
                          c == '\n' ? "a newline" : absl::StrCat("byte ", u),
                          "); give one command per line, e.g. `list ZONE`");
    }
  }
  return std::nullopt;
}

// Reads maintkeydb's options from `args` into `inv`; the first word that is
// not an option and all after it are the command words. `-c LINE` is put in
// `c_line`. Returns false with `inv` a kHelp, kVersion or kRefuse.
bool ParseOptions(const std::vector<std::string>& args, Invocation& inv,
                  std::optional<std::string>& c_line) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!inv.words.empty()) {
      inv.words.push_back(arg);
    } else if (arg == "--help" || arg == "-h") {
      inv.action = Invocation::Action::kHelp;
      return false;
    } else if (arg == "--version") {
      inv.action = Invocation::Action::kVersion;
      return false;
    } else if (arg == "--socket" && i + 1 < args.size()) {
      inv.socket = args[++i];
    } else if (absl::StartsWith(arg, "--socket=")) {
      inv.socket = arg.substr(9);
    } else if (arg == "-i") {
      inv.interactive = true;
    } else if (arg == "--keep-going") {
      inv.keep_going = true;
    } else if (arg == "-c" && i + 1 < args.size()) {
      c_line = args[++i];
    } else if (absl::StartsWith(arg, "-")) {
      inv = Refuse(std::move(inv),
                   absl::StrCat("unknown option \"", absl::CHexEscape(arg),
                                "\"; try: maintkeydb --help"),
                   kExitUsage);
      return false;
    } else {
      inv.words.push_back(arg);
    }
  }
  return true;
}

// The ForceCommand rule: the client's command if there is one, else the
// shell.
Invocation ForcedCommand(Invocation inv,
                         const std::optional<std::string>& original) {
  if (!inv.words.empty()) {
    inv.action = Invocation::Action::kRunWords;
    return inv;
  }
  if (!inv.interactive && original.has_value() && !original->empty()) {
    return ClientCommand(*original, std::move(inv));
  }
  inv.action = Invocation::Action::kShell;
  return inv;
}

}  // namespace

Invocation ClientCommand(absl::string_view line, Invocation base) {
  if (std::optional<std::string> bad = ControlCharacter(line)) {
    return Refuse(std::move(base), *std::move(bad), kExitUsage);
  }
  absl::StatusOr<std::vector<std::string>> words = SplitCommandWords(line);
  if (!words.ok()) {
    return Refuse(std::move(base),
                  absl::StrCat(words.status().message(),
                               " in the command line; try: maintkeydb help"),
                  kExitUsage);
  }
  if (!words->empty()) {
    const std::string& first = (*words)[0];
    const absl::string_view program = Basename(first);
    for (absl::string_view transfer : kFileTransfers) {
      if (program == transfer) {
        return Refuse(std::move(base),
                      absl::StrCat("file transfer (\"", absl::CHexEscape(first),
                                   "\") is refused: this account runs "
                                   "maintkeydb commands only"),
                      kExitRefused);
      }
    }
    if (absl::StrContains(first, '/')) {
      return Refuse(std::move(base),
                    absl::StrCat("\"", absl::CHexEscape(first),
                                 "\" is a program path, not a maintkeydb "
                                 "command; this account runs maintkeydb "
                                 "commands only (try: help)"),
                    kExitUsage);
    }
  }
  base.action = Invocation::Action::kRunWords;
  base.words = *std::move(words);
  return base;
}

Invocation DecideInvocation(
    const std::vector<std::string>& args,
    const std::optional<std::string>& ssh_original_command) {
  Invocation inv;
  std::optional<std::string> c_line;
  if (!ParseOptions(args, inv, c_line)) return inv;
  if (c_line.has_value()) {
    if (!inv.words.empty()) {
      return Refuse(std::move(inv),
                    "-c takes one command line; give no other command words",
                    kExitUsage);
    }
    if (std::optional<std::string> bad = ControlCharacter(*c_line)) {
      return Refuse(std::move(inv), *std::move(bad), kExitUsage);
    }
    absl::StatusOr<std::vector<std::string>> words = SplitCommandWords(*c_line);
    if (words.ok() && !words->empty() &&
        Basename((*words)[0]) == "maintkeydb") {
      // sshd's `SHELL -c FORCECOMMAND`: the rest are our options.
      std::optional<std::string> nested;
      const std::vector<std::string> rest(words->begin() + 1, words->end());
      if (!ParseOptions(rest, inv, nested)) return inv;
      if (nested.has_value()) {
        return Refuse(std::move(inv),
                      "-c inside a -c command line is not supported",
                      kExitUsage);
      }
      return ForcedCommand(std::move(inv), ssh_original_command);
    }
    // A login shell given the client's command line itself.
    return ClientCommand(*c_line, std::move(inv));
  }
  return ForcedCommand(std::move(inv), ssh_original_command);
}

}  // namespace cli
}  // namespace zonekeep
