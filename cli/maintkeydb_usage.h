// Usage texts of maintkeydb's commands.
// Thread-safety: pure functions over constant data.
#ifndef ZONEKEEP_CLI_MAINTKEYDB_USAGE_H_
#define ZONEKEEP_CLI_MAINTKEYDB_USAGE_H_

#include <string>

namespace zonekeep {
namespace cli {

// The usage of one command, or "" if there is no such command.
std::string CommandUsage(const std::string& command);

// Every command's usage, for `help`.
std::string AllUsage();

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_MAINTKEYDB_USAGE_H_
