// maintkeydb: the key manager's command line and interactive shell.
//
//   maintkeydb [--socket PATH] COMMAND ARGS...   one command
//   maintkeydb [--socket PATH] [--keep-going] -i the shell
//   maintkeydb [--socket PATH] -c "COMMAND"      one command line (login shell)
//   maintkeydb --help | -h | --version
//   maintkeydb                                   $SSH_ORIGINAL_COMMAND if set,
//                                                else the shell
//   maintkeydb -c "maintkeydb [--socket PATH]"   the same (sshd running the
//                                                ForceCommand in this shell)
// Made to be an ssh account's login shell or ForceCommand: it never runs
// anything but its own commands (cli/ssh_invocation.h decides what to do). On a
// terminal the shell edits lines with libedit and keeps a per-user history file
// (cli/line_reader.h); piped commands stop at the first failure unless
// --keep-going.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/daemon_client.h"
#include "cli/line_reader.h"
#include "cli/maintkeydb.h"
#include "cli/maintkeydb_usage.h"
#include "cli/ssh_invocation.h"
#include "proto/version.h"

namespace {

int Shell(zonekeep::cli::MaintKeyDb& tool, bool explicit_shell,
          bool keep_going) {
  if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
    absl::StatusOr<std::unique_ptr<zonekeep::cli::EditLineReader>> editor =
        zonekeep::cli::EditLineReader::Create(
            "maintkeydb> ", zonekeep::cli::DefaultHistoryPath());
    if (editor.ok()) return tool.Interactive(**editor, keep_going);
    std::cerr << "maintkeydb: " << editor.status().message()
              << "; reading plain lines\n";
  }
  zonekeep::cli::StreamLineReader reader(
      std::cin, std::cout, explicit_shell || isatty(STDIN_FILENO));
  return tool.Interactive(reader, keep_going);
}

}  // namespace

int main(int argc, char** argv) {
  using zonekeep::cli::Invocation;
  const char* ssh = std::getenv("SSH_ORIGINAL_COMMAND");
  const Invocation inv = zonekeep::cli::DecideInvocation(
      std::vector<std::string>(argv + 1, argv + argc),
      ssh == nullptr ? std::nullopt : std::optional<std::string>(ssh));
  switch (inv.action) {
    case Invocation::Action::kHelp:
      std::cout << zonekeep::cli::ProgramUsage();
      return 0;
    case Invocation::Action::kVersion:
      std::cout << "maintkeydb (zonekeep) " << zonekeep::kVersion << "\n";
      return 0;
    case Invocation::Action::kRefuse:
      std::cerr << "maintkeydb: " << inv.reason << "\n";
      return inv.exit_code;
    case Invocation::Action::kRunWords:
    case Invocation::Action::kShell:
      break;
  }
  zonekeep::cli::MaintKeyDb tool(zonekeep::cli::ResolveSocketPath(inv.socket),
                                 std::cout, std::cerr);
  if (inv.action == Invocation::Action::kRunWords) return tool.Run(inv.words);
  return Shell(tool, inv.interactive, inv.keep_going);
}
