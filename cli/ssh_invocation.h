// How maintkeydb was started, and what it must do: the decision behind
// maintkeydb's main, kept apart so that every way sshd can start it is tested.
//
// sshd starts a login shell as `SHELL -c "COMMAND"` when there is a command,
// and as `-SHELL` (argv[0] with a leading '-') for a plain login. COMMAND is
// the ForceCommand (or authorized_keys `command=`), with the client's request
// in $SSH_ORIGINAL_COMMAND (unset for a plain login; a subsystem request such
// as sftp puts the subsystem's program there), or, without a forced command,
// the client's request itself. So:
//   - `-c LINE` whose first word names maintkeydb (basename `maintkeydb`) is
//     the forced command: the rest are maintkeydb's own options, then the
//     ForceCommand rule applies: $SSH_ORIGINAL_COMMAND if set, else the shell;
//   - any other `-c LINE` is the client's maintkeydb command line;
//   - no `-c` and no command words: $SSH_ORIGINAL_COMMAND if set, else the
//     shell, as before.
// A client's command line is only ever split into maintkeydb words
// (cli/command_words.h): nothing is exec'd, no shell syntax is interpreted.
// File transfers (scp, sftp, rsync), program paths and control characters
// (a newline: a second command) are refused with a one-line reason.
//
// Thread-safety: pure functions.
#ifndef ZONEKEEP_CLI_SSH_INVOCATION_H_
#define ZONEKEEP_CLI_SSH_INVOCATION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace zonekeep {
namespace cli {

struct Invocation {
  enum class Action {
    kHelp,      // print the program's usage, exit 0
    kVersion,   // print the version, exit 0
    kRunWords,  // run `words` as one maintkeydb command
    kShell,     // the shell (interactive on a terminal, else piped lines)
    kRefuse,    // print `reason` (one line, no prefix) and exit `exit_code`
  };
  Action action = Action::kShell;
  std::string socket;        // --socket, empty: the default
  bool interactive = false;  // -i given
  bool keep_going = false;   // --keep-going
  std::vector<std::string> words;
  std::string reason;
  int exit_code = 0;
};

// `args` is argv without argv[0]; `ssh_original_command` is
// $SSH_ORIGINAL_COMMAND, nullopt when unset.
Invocation DecideInvocation(
    const std::vector<std::string>& args,
    const std::optional<std::string>& ssh_original_command);

// A client's command line (from $SSH_ORIGINAL_COMMAND or `-c`) turned into
// a kRunWords or a kRefuse invocation; options are left as they are.
Invocation ClientCommand(absl::string_view line, Invocation base);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_SSH_INVOCATION_H_
