// Usage texts of maintkeydb and its commands, and the hint for a mistyped
// command.
// Thread-safety: pure functions over constant data.
#ifndef ZONEKEEP_CLI_MAINTKEYDB_USAGE_H_
#define ZONEKEEP_CLI_MAINTKEYDB_USAGE_H_

#include <string>

namespace zonekeep {
namespace cli {

// Exit statuses of maintkeydb (README, maintkeydb(1)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnknownZone = 3;  // list ZONE: no such zone
inline constexpr int kExitNoLiveKeys = 4;   // list ZONE: only expired keys

// The usage of one command ("usage: ...\n  ..."), or "" if there is no such
// command.
std::string CommandUsage(const std::string& command);

// The first line of a command's usage, without "usage: ".
std::string CommandSynopsis(const std::string& command);

// Every command's synopsis and the shell's own words, for `help`.
std::string AllUsage();

// `maintkeydb --help`: how to run it, its options, every command, the exit
// statuses.
std::string ProgramUsage();

// The command a mistyped word most likely meant ("creat" -> "create"), or ""
// when none is close.
std::string SuggestCommand(const std::string& word);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_MAINTKEYDB_USAGE_H_
