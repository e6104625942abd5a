// maintkeydb: the key manager's command line and interactive shell.
//
//   maintkeydb [--socket PATH] COMMAND ARGS...   one command
//   maintkeydb [--socket PATH] -i                the shell
//   maintkeydb [--socket PATH] -c "COMMAND"      one command line (login shell)
//   maintkeydb                                   $SSH_ORIGINAL_COMMAND if set,
//                                                else the shell
// Made to be an ssh account's login shell or ForceCommand: it never runs
// anything but its own commands.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "cli/command_words.h"
#include "cli/daemon_client.h"
#include "cli/maintkeydb.h"

namespace {

int RunLine(zonekeep::cli::MaintKeyDb& tool, const std::string& line) {
  absl::StatusOr<std::vector<std::string>> words =
      zonekeep::cli::SplitCommandWords(line);
  if (!words.ok()) {
    std::cerr << "maintkeydb: " << words.status().message() << "\n";
    return 2;
  }
  return tool.Run(*words);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string socket_flag;
  bool interactive = false;
  std::string command_line;
  bool have_command_line = false;
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!words.empty()) {
      words.push_back(arg);
    } else if (arg == "--socket" && i + 1 < args.size()) {
      socket_flag = args[++i];
    } else if (absl::StartsWith(arg, "--socket=")) {
      socket_flag = arg.substr(9);
    } else if (arg == "-i") {
      interactive = true;
    } else if (arg == "-c" && i + 1 < args.size()) {
      command_line = args[++i];
      have_command_line = true;
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
  return tool.Interactive(std::cin, isatty(STDIN_FILENO) || interactive);
}
