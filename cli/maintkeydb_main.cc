// maintkeydb: the key manager's command line and interactive shell.
//
//   maintkeydb [--socket PATH] COMMAND ARGS...   one command
//   maintkeydb [--socket PATH] [--keep-going] -i the shell
//   maintkeydb [--socket PATH] -c "COMMAND"      one command line (login shell)
//   maintkeydb --help | -h | --version
//   maintkeydb                                   $SSH_ORIGINAL_COMMAND if set,
//                                                else the shell
// Made to be an ssh account's login shell or ForceCommand: it never runs
// anything but its own commands. On a terminal the shell edits lines with
// libedit and keeps a per-user history file (cli/line_reader.h); piped
// commands stop at the first failure unless --keep-going.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "cli/command_words.h"
#include "cli/daemon_client.h"
#include "cli/line_reader.h"
#include "cli/maintkeydb.h"
#include "cli/maintkeydb_usage.h"
#include "proto/version.h"

namespace {

int RunLine(zonekeep::cli::MaintKeyDb& tool, const std::string& line) {
  absl::StatusOr<std::vector<std::string>> words =
      zonekeep::cli::SplitCommandWords(line);
  if (!words.ok()) {
    std::cerr << "maintkeydb: " << words.status().message()
              << "\ntry: maintkeydb help\n";
    return zonekeep::cli::kExitUsage;
  }
  return tool.Run(*words);
}

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
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string socket_flag;
  bool interactive = false;
  bool keep_going = false;
  std::string command_line;
  bool have_command_line = false;
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!words.empty()) {
      words.push_back(arg);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << zonekeep::cli::ProgramUsage();
      return 0;
    } else if (arg == "--version") {
      std::cout << "maintkeydb (zonekeep) " << zonekeep::kVersion << "\n";
      return 0;
    } else if (arg == "--socket" && i + 1 < args.size()) {
      socket_flag = args[++i];
    } else if (absl::StartsWith(arg, "--socket=")) {
      socket_flag = arg.substr(9);
    } else if (arg == "-i") {
      interactive = true;
    } else if (arg == "--keep-going") {
      keep_going = true;
    } else if (arg == "-c" && i + 1 < args.size()) {
      command_line = args[++i];
      have_command_line = true;
    } else if (absl::StartsWith(arg, "-")) {
      std::cerr << "maintkeydb: unknown option \"" << arg
                << "\"; try: maintkeydb --help\n";
      return zonekeep::cli::kExitUsage;
    } else {
      words.push_back(arg);
    }
  }
  zonekeep::cli::MaintKeyDb tool(zonekeep::cli::ResolveSocketPath(socket_flag),
                                 std::cout, std::cerr);
  if (have_command_line) return RunLine(tool, command_line);
  if (!words.empty()) return tool.Run(words);
  if (!interactive) {
    if (const char* ssh = std::getenv("SSH_ORIGINAL_COMMAND"); ssh && *ssh) {
      return RunLine(tool, ssh);
    }
  }
  return Shell(tool, interactive, keep_going);
}
